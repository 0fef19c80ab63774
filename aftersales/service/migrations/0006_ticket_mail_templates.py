"""The ticket emails' default templates, in English and Spanish (usted). Staff edit them in the console."""

from django.db import migrations

TEMPLATES = [
    # (code, description, {language: (subject, body)})
    (
        "ticket_acknowledgement",
        "Sent when a ticket is opened: its reference and when to expect an answer",
        {
            "en": (
                "[{{ ticket.reference }}] We have received your request: {{ ticket.subject }}",
                "Hello {{ customer.first_name }},\n\n"
                "Thank you for contacting us. We have received your request and opened ticket "
                "{{ ticket.reference }}: “{{ ticket.subject }}”.\n\n"
                "{% if response_due %}You can expect our answer by {{ response_due|date:\"l, j F, H:i\" }}."
                "{% else %}We will answer as soon as we can.{% endif %}\n\n"
                "To add anything, simply reply to this email and keep {{ ticket.reference }} in the subject. "
                "You can also follow your request in your customer area:\n{{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "[{{ ticket.reference }}] Hemos recibido su solicitud: {{ ticket.subject }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "Gracias por ponerse en contacto con nosotros. Hemos recibido su solicitud y hemos abierto la "
                "incidencia {{ ticket.reference }}: «{{ ticket.subject }}».\n\n"
                "{% if response_due %}Le responderemos antes del {{ response_due|date:\"l, j \\d\\e F, H:i\" }}."
                "{% else %}Le responderemos lo antes posible.{% endif %}\n\n"
                "Si desea añadir algo, responda a este correo manteniendo {{ ticket.reference }} en el asunto. "
                "También puede seguir su solicitud en su área de cliente:\n{{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "ticket_reply",
        "An agent's public reply on a ticket",
        {
            "en": (
                "Re: [{{ ticket.reference }}] {{ ticket.subject }}",
                "{{ reply }}\n\n"
                "{% if ticket.status == \"resolved\" %}We consider your request resolved. If anything is still not right, "
                "just reply to this email and we will pick it up again.\n\n{% endif %}"
                "{{ agent.name|default:\"The service team\" }}\n\n"
                "-- \n"
                "Ticket {{ ticket.reference }}: reply to this email to answer, keeping {{ ticket.reference }} in the subject.\n"
                "{{ portal_url }}",
            ),
            "es": (
                "Re: [{{ ticket.reference }}] {{ ticket.subject }}",
                "{{ reply }}\n\n"
                "{% if ticket.status == \"resolved\" %}Consideramos resuelta su solicitud. Si algo sigue sin funcionar, "
                "responda a este correo y la retomaremos.\n\n{% endif %}"
                "{{ agent.name|default:\"El equipo de atención al cliente\" }}\n\n"
                "-- \n"
                "Incidencia {{ ticket.reference }}: para contestar, responda a este correo manteniendo "
                "{{ ticket.reference }} en el asunto.\n"
                "{{ portal_url }}",
            ),
        },
    ),
]


def templates_add(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, description, texts in TEMPLATES:
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel="email",
                language=language,
                defaults={"purpose": "transactional", "description": description, "subject": subject, "body": body},
            )


def templates_remove(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code__in=[code for code, _description, _texts in TEMPLATES], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_email_headers_attachments"),
        ("service", "0005_mail"),
    ]

    operations = [migrations.RunPython(templates_add, templates_remove)]
