from django.db import migrations, models

from aftersales.core.seeding import seeded_translate

HELP = "Shown to Spanish-speaking staff; leave empty to show the English text."


def translate(apps, schema_editor):
    policies = apps.get_model("warranty", "ReturnPolicy").objects.filter(is_default=True)
    seeded_translate(policies, field="name", english="Standard returns", spanish="Devoluciones estándar")


class Migration(migrations.Migration):
    dependencies = [("warranty", "0007_replacement_template")]

    operations = [
        migrations.AddField(
            model_name="returnpolicy",
            name="name_es",
            field=models.CharField(blank=True, help_text=HELP, max_length=120, verbose_name="name in Spanish"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
