"""The emails about a booked visit, in English and Spanish: booked or moved, cancelled, and the day-before reminder."""

from django.db import migrations

TEMPLATES = {
    "fieldwork_visit_booked": (
        "A visit booked or moved, with the calendar invitation and the confirm/reschedule link",
        {
            "en": (
                "Your visit {{ visit.reference }} ({{ visit.kind_label|lower }}): {{ visit.when }}",
                "Hello {{ customer.first_name }},\n\n"
                "{% if visit.rescheduled %}Your visit {{ visit.reference }} has a new date"
                "{% else %}We have booked your visit {{ visit.reference }} ({{ visit.kind_label|lower }}){% endif %}: "
                "{{ visit.when }} (about {{ visit.duration_minutes }} minutes)"
                "{% if visit.with %} with {{ visit.with }}{% endif %}.\n"
                "{% if visit.address %}Address: {{ visit.address }}\n{% endif %}\n"
                "Please confirm the date, or choose another one, here: {{ visit_url }}\n\n"
                "The attached invitation adds the visit to your calendar.\n\n"
                "The service team",
            ),
            "es": (
                "Su visita {{ visit.reference }} ({{ visit.kind_label|lower }}): {{ visit.when }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{% if visit.rescheduled %}Su visita {{ visit.reference }} tiene una nueva fecha"
                "{% else %}Hemos reservado su visita {{ visit.reference }} ({{ visit.kind_label|lower }}){% endif %}: "
                "{{ visit.when }} (unos {{ visit.duration_minutes }} minutos)"
                "{% if visit.with %} con {{ visit.with }}{% endif %}.\n"
                "{% if visit.address %}Dirección: {{ visit.address }}\n{% endif %}\n"
                "Le rogamos que confirme la fecha, o elija otra, aquí: {{ visit_url }}\n\n"
                "La invitación adjunta añade la visita a su calendario.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "fieldwork_visit_cancelled": (
        "A booked visit cancelled or taken back to be rescheduled; the invitation is withdrawn",
        {
            "en": (
                "Your visit {{ visit.reference }} on {{ visit.when }} is cancelled",
                "Hello {{ customer.first_name }},\n\n"
                "The visit {{ visit.reference }} planned for {{ visit.when }} will not take place. "
                "If a visit is still needed, we will propose a new date.\n\n"
                "The service team",
            ),
            "es": (
                "Su visita {{ visit.reference }} del {{ visit.when }} queda anulada",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "La visita {{ visit.reference }} prevista para el {{ visit.when }} no se realizará. "
                "Si la visita sigue siendo necesaria, le propondremos una nueva fecha.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "fieldwork_visit_reminder": (
        "The day before a visit",
        {
            "en": (
                "Reminder: our visit {{ visit.reference }} tomorrow, {{ visit.when }}",
                "Hello {{ customer.first_name }},\n\n"
                "A reminder that we visit you tomorrow, {{ visit.when }}"
                "{% if visit.with %}, with {{ visit.with }}{% endif %}.\n"
                "{% if visit.address %}Address: {{ visit.address }}\n{% endif %}\n"
                "{% if not visit.confirmed %}Please confirm, or choose another date: {{ visit_url }}\n\n{% endif %}"
                "The service team",
            ),
            "es": (
                "Recordatorio: nuestra visita {{ visit.reference }} mañana, {{ visit.when }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Le recordamos que le visitaremos mañana, {{ visit.when }}"
                "{% if visit.with %}, con {{ visit.with }}{% endif %}.\n"
                "{% if visit.address %}Dirección: {{ visit.address }}\n{% endif %}\n"
                "{% if not visit.confirmed %}Le rogamos que confirme la visita o elija otra fecha: {{ visit_url }}\n\n{% endif %}"
                "El equipo de atención al cliente",
            ),
        },
    ),
}


def create_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, (description, texts) in TEMPLATES.items():
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel="email",
                language=language,
                defaults={"purpose": "transactional", "description": description, "subject": subject, "body": body},
            )


def remove_untouched_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code__in=list(TEMPLATES), channel="email", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0002_scheduling"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create_templates, remove_untouched_templates)]
