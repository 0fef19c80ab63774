from django.db import migrations


def create_default_queue(apps, schema_editor):
    # A fresh installation can take tickets at once: everything lands here until rules say otherwise.
    Department = apps.get_model("core", "Department")
    Queue = apps.get_model("service", "Queue")
    department = Department.objects.filter(code="service").first()
    if department is None or Queue.objects.exists():
        return
    Queue.objects.create(name="Service desk", department=department, is_default=True, assignment_mode="round_robin")


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial"), ("core", "0003_departments")]
    operations = [migrations.RunPython(create_default_queue, migrations.RunPython.noop)]
