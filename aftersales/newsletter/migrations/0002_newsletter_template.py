"""The outbox template every newsletter issue goes out with, in English and Spanish (usted).

The issue's own subject and text fill it; the greeting and the unsubscribe line are the template's, so
they can be edited in the console like any message template. An existing template is never changed.
"""

from django.db import migrations

TEXTS = {
    "en": (
        "{{ newsletter_subject }}",
        "Hello {{ customer.first_name }},\n\n"
        "{{ newsletter_body }}\n\n"
        "The team\n\n"
        "You receive this newsletter ({{ newsletter_list }}) because you agreed to hear from us by email. "
        "Unsubscribe with one click: {{ unsubscribe_url }}",
    ),
    "es": (
        "{{ newsletter_subject }}",
        "Estimado/a {{ customer.first_name }}:\n\n"
        "{{ newsletter_body }}\n\n"
        "El equipo\n\n"
        "Recibe este boletín ({{ newsletter_list }}) porque aceptó recibir nuestras comunicaciones por correo. "
        "Puede darse de baja con un solo clic: {{ unsubscribe_url }}",
    ),
}


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for language, (subject, body) in TEXTS.items():
        MessageTemplate.objects.get_or_create(
            code="newsletter_issue",
            channel="email",
            language=language,
            defaults={
                "purpose": "marketing",
                "description": "A newsletter issue (its subject and text are the issue's)",
                "subject": subject,
                "body": body,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(code="newsletter_issue", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_lists_articles_issues"),
        ("messaging", "0005_email_headers_attachments"),
    ]

    operations = [migrations.RunPython(create, remove)]
