"""The email that tells a contest's winner about their prize, in English and Spanish."""

from django.db import migrations

TEMPLATES = {
    "contest_winner": (
        "Tells a contest's winner they won, with their prize and voucher",
        {
            "en": (
                "You won: {{ contest }}",
                "Hello {{ customer.first_name }},\n\n"
                "Congratulations! Your entry number {{ entry_number }} was drawn in “{{ contest }}”.\n\n"
                "Your prize: {{ prize }}.\n\n"
                "{% if voucher_code %}Your voucher code is {{ voucher_code }} (worth {{ voucher_value }}), "
                "valid until {{ voucher_valid_until|date:\"j F Y\" }}.\n\n"
                "{% else %}We will contact you shortly to hand it over.\n\n{% endif %}"
                "The draw can be checked by anyone: the results page shows how.\n\n"
                "The service team",
            ),
            "es": (
                "Ha ganado: {{ contest }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "¡Enhorabuena! Su participación número {{ entry_number }} ha resultado premiada en «{{ contest }}».\n\n"
                "Su premio: {{ prize }}.\n\n"
                "{% if voucher_code %}Su código de vale es {{ voucher_code }} (por valor de {{ voucher_value }}), "
                "válido hasta el {{ voucher_valid_until|date:\"j \\d\\e F \\d\\e Y\" }}.\n\n"
                "{% else %}Nos pondremos en contacto con usted en breve para entregárselo.\n\n{% endif %}"
                "Cualquiera puede comprobar el sorteo: la página de resultados explica cómo.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
}


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, (description, texts) in TEMPLATES.items():
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel="email",
                language=language,
                defaults={"purpose": "transactional", "description": description, "subject": subject, "body": body},
            )


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code__in=list(TEMPLATES), channel="email", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("contests", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create, remove)]
