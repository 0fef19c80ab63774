"""The message that tells a customer what was decided on their warranty claim, in English and Spanish."""

from django.db import migrations

CODE = "warranty_claim_decision"
TEXTS = {
    "en": (
        "Your warranty claim {{ claim.reference }}: {{ claim.status_label|lower }}",
        "Hello {{ customer.first_name }},\n\n"
        '{% if claim.status == "approved" %}Good news: your warranty claim {{ claim.reference }} for the {{ product }} '
        "(serial {{ unit.serial }}) is approved. The repair or replacement is free of charge; "
        "we will be in touch about the next steps."
        '{% elif claim.status == "rejected" %}We have looked at your warranty claim {{ claim.reference }} for the {{ product }} '
        "(serial {{ unit.serial }}) and we cannot accept it under the warranty. Reason: {{ claim.reason }}."
        "{% else %}We have received your warranty claim {{ claim.reference }} for the {{ product }} "
        "(serial {{ unit.serial }}). A member of our team will check it before deciding ({{ claim.reason|lower }}); "
        "you will hear from us soon.{% endif %}\n\n"
        "{% if claim.note %}{{ claim.note }}\n\n{% endif %}"
        "Warranty on {{ claim.claimed_on }}: {{ claim.coverage }}.\n\n"
        "You can follow your claims in your customer area: {{ portal_url }}\n\n"
        "The service team",
    ),
    "es": (
        "Su reclamación de garantía {{ claim.reference }}: {{ claim.status_label|lower }}",
        "Estimado/a {{ customer.first_name }}:\n\n"
        '{% if claim.status == "approved" %}Le informamos de que su reclamación de garantía {{ claim.reference }} para {{ product }} '
        "(n.º de serie {{ unit.serial }}) ha sido aprobada. La reparación o sustitución no tiene coste para usted; "
        "nos pondremos en contacto con usted para los siguientes pasos."
        '{% elif claim.status == "rejected" %}Hemos revisado su reclamación de garantía {{ claim.reference }} para {{ product }} '
        "(n.º de serie {{ unit.serial }}) y no podemos aceptarla en garantía. Motivo: {{ claim.reason }}."
        "{% else %}Hemos recibido su reclamación de garantía {{ claim.reference }} para {{ product }} "
        "(n.º de serie {{ unit.serial }}). Un miembro de nuestro equipo la revisará antes de decidir ({{ claim.reason|lower }}); "
        "le responderemos en breve.{% endif %}\n\n"
        "{% if claim.note %}{{ claim.note }}\n\n{% endif %}"
        "Garantía el {{ claim.claimed_on }}: {{ claim.coverage }}.\n\n"
        "Puede seguir sus reclamaciones en su área de cliente: {{ portal_url }}\n\n"
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
                "description": "The decision on a warranty claim",
                "subject": subject,
                "body": body,
            },
        )


def remove_untouched_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code=CODE, channel="email", language__in=list(TEXTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("warranty", "0001_initial"), ("messaging", "0004_spanish_templates_usted")]

    operations = [migrations.RunPython(create_templates, remove_untouched_templates)]
