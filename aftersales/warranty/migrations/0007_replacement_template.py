"""The bilingual email telling a customer their unit was replaced and how the new one is covered."""

from django.db import migrations

CODE = "unit_replacement"

TEXTS = {
    "en": (
        "Your {{ product }} has been replaced ({{ replacement.reference }})",
        "Hello {{ customer.first_name }},\n\n"
        "We have replaced your {{ product }} (serial {{ replacement.old_serial }}) with a new one, serial "
        "{{ replacement.new_serial }}.\n\n{{ replacement.cover }}\n\n"
        "You can see your products and their warranty in your customer area: {{ portal_url }}\n\n"
        "The service team",
    ),
    "es": (
        "Hemos sustituido su {{ product }} ({{ replacement.reference }})",
        "Estimado/a {{ customer.first_name }}:\n\n"
        "Hemos sustituido su {{ product }} (n.º de serie {{ replacement.old_serial }}) por uno nuevo, con n.º de serie "
        "{{ replacement.new_serial }}.\n\n{{ replacement.cover }}\n\n"
        "Puede ver sus productos y su garantía en su área de cliente: {{ portal_url }}\n\n"
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
                "description": "A unit was replaced: the new serial and how long it is covered",
                "subject": subject,
                "body": body,
            },
        )


def remove_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code=CODE, channel="email", language__in=list(TEXTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("warranty", "0006_merge_0005_repair_templates_0005_returns_defaults")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
