from django.db import migrations, models

from aftersales.core.seeding import seeded_translate

HELP = "Shown to Spanish-speaking staff; leave empty to show the English text."


def translate(apps, schema_editor):
    BusinessCalendar = apps.get_model("core", "BusinessCalendar")
    seeded_translate(BusinessCalendar.objects.all(), field="name", english="Office hours", spanish="Horario de oficina")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_default_calendar")]

    operations = [
        migrations.AddField(
            model_name="businesscalendar",
            name="name_es",
            field=models.CharField(blank=True, help_text=HELP, max_length=120, verbose_name="name in Spanish"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
