from django.db import migrations, models

from aftersales.core.seeding import seeded_translate

HELP = "Shown to Spanish-speaking staff; leave empty to show the English text."

# (model, English name as seeded, Spanish name); names are unique, so the name is the row's key.
NAMES = [
    ("Queue", "Service desk", "Servicio de atención"),
    ("SlaPolicy", "Standard", "Estándar"),
    (
        "EscalationRule",
        "Tell the service managers about late first responses",
        "Avisar a los responsables de servicio de las primeras respuestas tardías",
    ),
]


def translate(apps, schema_editor):
    for model, english, spanish in NAMES:
        seeded_translate(apps.get_model("service", model).objects.all(), field="name", english=english, spanish=spanish)


def name_es():
    return models.CharField(blank=True, help_text=HELP, max_length=120, verbose_name="name in Spanish")


class Migration(migrations.Migration):
    dependencies = [("service", "0008_agent_night_shifts")]

    operations = [
        migrations.AddField(model_name="queue", name="name_es", field=name_es()),
        migrations.AddField(model_name="slapolicy", name="name_es", field=name_es()),
        migrations.AddField(model_name="escalationrule", name="name_es", field=name_es()),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
