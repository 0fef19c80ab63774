from django.db import migrations

DEPARTMENTS = [
    ("sales", "Sales", "Ventas"),
    ("service", "Service", "Servicio técnico"),
    ("administration", "Administration", "Administración"),
]


def create_departments(apps, schema_editor):
    Department = apps.get_model("core", "Department")
    for code, name, name_es in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_es": name_es})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(create_departments, migrations.RunPython.noop)]
