"""The default return policy every category follows until it has its own, and the bilingual return messages."""

from decimal import Decimal

from django.db import migrations

CODE = "return_request_update"

# Everything but damage done after delivery is accepted; opened or used goods pay a fee on a refund.
CONDITIONS = [
    ("unopened", True, True, Decimal("0")),
    ("opened", True, True, Decimal("10")),
    ("used", True, True, Decimal("20")),
    ("defective", True, True, Decimal("0")),
    ("damaged_on_arrival", True, True, Decimal("0")),
    ("damaged_by_customer", False, False, Decimal("0")),
]

TEXTS = {
    "en": (
        "Your return {{ rma.reference }}: {{ rma.status_label|lower }}",
        "Hello {{ customer.first_name }},\n\n"
        '{% if rma.status == "authorised" %}Your {% if rma.wish == "exchange" %}exchange{% else %}return{% endif %} '
        "of the {{ product }} (serial {{ unit.serial }}) is authorised. Please bring or send it back with the number "
        "{{ rma.reference }} written on the parcel.\n\n{{ rma.explanation }}"
        '{% elif rma.status == "rejected" %}We cannot accept the return {{ rma.reference }} of the {{ product }} '
        "(serial {{ unit.serial }}).{% if rma.note %} Reason: {{ rma.note }}{% endif %}"
        '{% elif rma.status == "received" %}We have received the {{ product }} (serial {{ unit.serial }}) for your '
        "return {{ rma.reference }}. We will check it and get back to you shortly."
        '{% elif rma.status == "refunded" %}We have refunded {{ rma.refund_amount }} by {{ rma.refund_method|lower }} '
        "for your return {{ rma.reference }}{% if rma.refund_reference %} (reference {{ rma.refund_reference }}){% endif %}. "
        "Depending on your bank it may take a few days to show."
        '{% elif rma.status == "exchanged" %}Your exchange {{ rma.reference }} is done: your new product is recorded '
        "as sale {{ rma.exchange_sale }}, with its full warranty.{% endif %}\n\n"
        "You can follow your returns in your customer area: {{ portal_url }}\n\n"
        "The service team",
    ),
    "es": (
        "Su devolución {{ rma.reference }}: {{ rma.status_label|lower }}",
        "Estimado/a {{ customer.first_name }}:\n\n"
        '{% if rma.status == "authorised" %}Hemos autorizado {% if rma.wish == "exchange" %}el cambio{% else %}la devolución{% endif %} '
        "de {{ product }} (n.º de serie {{ unit.serial }}). Tráigalo o envíelo indicando el número {{ rma.reference }} "
        "en el paquete.\n\n{{ rma.explanation }}"
        '{% elif rma.status == "rejected" %}No podemos aceptar la devolución {{ rma.reference }} de {{ product }} '
        "(n.º de serie {{ unit.serial }}).{% if rma.note %} Motivo: {{ rma.note }}{% endif %}"
        '{% elif rma.status == "received" %}Hemos recibido {{ product }} (n.º de serie {{ unit.serial }}) de su '
        "devolución {{ rma.reference }}. Lo revisaremos y le responderemos en breve."
        '{% elif rma.status == "refunded" %}Le hemos reembolsado {{ rma.refund_amount }} mediante {{ rma.refund_method|lower }} '
        "por su devolución {{ rma.reference }}{% if rma.refund_reference %} (referencia {{ rma.refund_reference }}){% endif %}. "
        "Según su banco, puede tardar unos días en aparecer."
        '{% elif rma.status == "exchanged" %}Su cambio {{ rma.reference }} se ha completado: su nuevo producto consta '
        "como la venta {{ rma.exchange_sale }}, con su garantía completa.{% endif %}\n\n"
        "Puede seguir sus devoluciones en su área de cliente: {{ portal_url }}\n\n"
        "El equipo de atención al cliente",
    ),
}


def create_defaults(apps, schema_editor):
    ReturnPolicy = apps.get_model("warranty", "ReturnPolicy")
    ReturnPolicyCondition = apps.get_model("warranty", "ReturnPolicyCondition")
    policy, created = ReturnPolicy.objects.get_or_create(
        is_default=True,
        defaults={
            "name": "Standard returns",
            "return_window_days": 30,
            "exchange_window_days": 30,
            "refund_methods": ["original_payment", "store_credit"],
        },
    )
    if created:
        for condition, accepts_return, accepts_exchange, percent in CONDITIONS:
            ReturnPolicyCondition.objects.create(
                policy=policy,
                condition=condition,
                accepts_return=accepts_return,
                accepts_exchange=accepts_exchange,
                fee_percent=percent,
            )
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for language, (subject, body) in TEXTS.items():
        MessageTemplate.objects.get_or_create(
            code=CODE,
            channel="email",
            language=language,
            defaults={
                "purpose": "transactional",
                "description": "A return or exchange was authorised, received, refunded, exchanged or rejected",
                "subject": subject,
                "body": body,
            },
        )


def remove_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code=CODE, channel="email", language__in=list(TEXTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("warranty", "0004_returns_replacements"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
