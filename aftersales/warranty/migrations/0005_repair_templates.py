"""The messages that tell a customer about their repair: received, quote ready, ready for pick-up (English and Spanish)."""

from django.db import migrations

TEMPLATES = {
    "repair_order_received": (
        "A unit for repair was received",
        {
            "en": (
                "We have received your {{ product }} for repair ({{ repair.reference }})",
                "Hello {{ customer.first_name }},\n\n"
                "Your {{ product }} (serial {{ unit.serial }}) is in our workshop under repair order {{ repair.reference }}.\n"
                "{% if repair.covered %}The repair is covered: {{ repair.cover }}.\n"
                "{% else %}The repair is not covered by the warranty ({{ repair.cover }}). "
                "Before any work you pay for, we will send you a quote to approve.\n{% endif %}\n"
                "You can follow the repair in your customer area: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Hemos recibido su {{ product }} para reparar ({{ repair.reference }})",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Su {{ product }} (n.º de serie {{ unit.serial }}) está en nuestro taller con la orden de reparación "
                "{{ repair.reference }}.\n"
                "{% if repair.covered %}La reparación está cubierta: {{ repair.cover }}.\n"
                "{% else %}La reparación no está cubierta por la garantía ({{ repair.cover }}). "
                "Antes de cualquier trabajo a su cargo le enviaremos un presupuesto para que lo apruebe.\n{% endif %}\n"
                "Puede seguir la reparación en su área de cliente: {{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "repair_order_quote": (
        "The quote for the billable part of a repair",
        {
            "en": (
                "Your repair quote {{ repair.reference }}: {{ quote.total }}",
                "Hello {{ customer.first_name }},\n\n"
                "We have diagnosed your {{ product }} (serial {{ unit.serial }}): {{ repair.diagnosis }}\n\n"
                "The repair includes work that is not covered:\n{{ quote.lines }}\n"
                "Total to pay: {{ quote.total }}\n\n"
                "We will start this work only once you approve it. Approve or decline here "
                "(the link works until {{ quote.link_expires }}): {{ quote.link }}\n"
                "or in your customer area: {{ portal_url }}\n\n"
                "If you decline, we return your product unrepaired.\n\n"
                "The service team",
            ),
            "es": (
                "Presupuesto de su reparación {{ repair.reference }}: {{ quote.total }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Hemos diagnosticado su {{ product }} (n.º de serie {{ unit.serial }}): {{ repair.diagnosis }}\n\n"
                "La reparación incluye trabajos no cubiertos:\n{{ quote.lines }}\n"
                "Total a pagar: {{ quote.total }}\n\n"
                "Solo empezaremos estos trabajos cuando usted los apruebe. Apruebe o rechace el presupuesto aquí "
                "(el enlace funciona hasta el {{ quote.link_expires }}): {{ quote.link }}\n"
                "o en su área de cliente: {{ portal_url }}\n\n"
                "Si lo rechaza, le devolveremos el producto sin reparar.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "repair_order_ready": (
        "A repaired unit is ready to be collected",
        {
            "en": (
                "Your {{ product }} is ready for pick-up ({{ repair.reference }})",
                "Hello {{ customer.first_name }},\n\n"
                "{% if repair.unrepaired %}Your {{ product }} (serial {{ unit.serial }}) is ready to be collected; "
                "as agreed, it was not repaired."
                "{% else %}Good news: the repair of your {{ product }} (serial {{ unit.serial }}) is finished and it is "
                "ready to be collected.{% endif %}\n"
                "{% if repair.billable_total %}Amount to pay: {{ repair.billable_total }}.\n{% endif %}\n"
                "Repair order {{ repair.reference }}: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Su {{ product }} está listo para recoger ({{ repair.reference }})",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{% if repair.unrepaired %}Su {{ product }} (n.º de serie {{ unit.serial }}) está listo para recoger; "
                "como acordamos, no se ha reparado."
                "{% else %}Le informamos de que la reparación de su {{ product }} (n.º de serie {{ unit.serial }}) ha "
                "terminado y puede pasar a recogerlo.{% endif %}\n"
                "{% if repair.billable_total %}Importe a pagar: {{ repair.billable_total }}.\n{% endif %}\n"
                "Orden de reparación {{ repair.reference }}: {{ portal_url }}\n\n"
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
    dependencies = [("warranty", "0004_repair_orders"), ("messaging", "0004_spanish_templates_usted")]

    operations = [migrations.RunPython(create_templates, remove_untouched_templates)]
