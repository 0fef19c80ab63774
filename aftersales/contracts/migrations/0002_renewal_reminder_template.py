"""The reminder that a maintenance contract is about to end, in English and Spanish."""

from django.db import migrations

CODE = "contract_renewal_reminder"
TEXTS = {
    "en": (
        "Your maintenance contract {{ contract.reference }} ends on {{ contract.ends_on }}",
        "Hello {{ customer.first_name }},\n\n"
        "Your maintenance contract {{ contract.reference }} ends in {{ contract.days }} days, on {{ contract.ends_on }}. "
        "It covers: {{ contract.units }}.\n\n"
        "Renew it to keep your planned maintenance visits, our response time and your repair cover without a gap. "
        "Reply to this email or call us, and we will prepare the next period for you.\n\n"
        "You can see your contract in your customer area: {{ portal_url }}\n\n"
        "The service team",
    ),
    "es": (
        "Su contrato de mantenimiento {{ contract.reference }} finaliza el {{ contract.ends_on }}",
        "Estimado/a {{ customer.first_name }}:\n\n"
        "Su contrato de mantenimiento {{ contract.reference }} finaliza dentro de {{ contract.days }} días, el {{ contract.ends_on }}. "
        "Cubre: {{ contract.units }}.\n\n"
        "Renuévelo para conservar sus visitas de mantenimiento programadas, nuestro tiempo de respuesta y su cobertura "
        "de reparaciones sin interrupción. Responda a este correo o llámenos y le prepararemos el siguiente periodo.\n\n"
        "Puede consultar su contrato en su área de cliente: {{ portal_url }}\n\n"
        "El equipo de atención al cliente",
    ),
}


def create_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for language, (subject, body) in TEXTS.items():
        MessageTemplate.objects.get_or_create(
            code=CODE,
            channel="email",
            language=language,
            defaults={
                "purpose": "transactional",
                "description": "A maintenance contract ends in 60, 30 or 7 days",
                "subject": subject,
                "body": body,
            },
        )


def remove_untouched_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code=CODE, channel="email", language__in=list(TEXTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create_templates, remove_untouched_templates)]
