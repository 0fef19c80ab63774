"""Message templates for customer care touches (birthday card by email or letter, purchase anniversary,
thank-you after a first purchase) in English and Spanish (usted), and the playbook "Customer care touches".

The playbook is created switched off: nobody is written to until someone decides to turn it on. Templates
that already exist are never changed.
"""

from decimal import Decimal

from django.db import migrations

M = "marketing"

GIFT_EN = (
    "{% if voucher_code %}\n\nA small present from us: a voucher worth {{ voucher_value }} with the code "
    "{{ voucher_code }}, valid until {{ voucher_valid_until|date }}. Show it in store or quote it when you order.{% endif %}"
)
GIFT_ES = (
    "{% if voucher_code %}\n\nUn pequeño regalo de nuestra parte: un vale de {{ voucher_value }} con el código "
    "{{ voucher_code }}, válido hasta el {{ voucher_valid_until|date }}. Preséntelo en tienda o indíquelo al hacer "
    "su pedido.{% endif %}"
)

TEMPLATES = [
    # (code, channel, purpose, description, {language: (subject, body)})
    (
        "birthday_card",
        "email",
        M,
        "Birthday card, with an optional gift voucher",
        {
            "en": (
                "Happy birthday, {{ customer.first_name }}!",
                "Hello {{ customer.first_name }},\n\n"
                "Everyone here wishes you a very happy birthday and a wonderful year ahead. "
                "Thank you for being our customer." + GIFT_EN + "\n\n"
                "With our best wishes,\nThe service team\n\n"
                "You receive this email because you agreed to hear from us. Unsubscribe with one click: {{ unsubscribe_url }}",
            ),
            "es": (
                "¡Feliz cumpleaños, {{ customer.first_name }}!",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Todo el equipo le desea un muy feliz cumpleaños y un año estupendo. "
                "Gracias por confiar en nosotros." + GIFT_ES + "\n\n"
                "Con nuestros mejores deseos,\nEl equipo de atención al cliente\n\n"
                "Recibe este correo porque aceptó nuestras comunicaciones. "
                "Puede darse de baja con un solo clic: {{ unsubscribe_url }}",
            ),
        },
    ),
    (
        "birthday_card",
        "letter",
        M,
        "Birthday card sent as a printed letter, with an optional gift voucher",
        {
            "en": (
                "Happy birthday",
                "Dear {{ customer.name }},\n\n"
                "On your birthday, everyone here sends you our warmest wishes for a happy and healthy year. "
                "Thank you for the trust you place in us." + GIFT_EN + "\n\n"
                "With our best wishes,\nThe service team",
            ),
            "es": (
                "Feliz cumpleaños",
                "Estimado/a {{ customer.name }}:\n\n"
                "En el día de su cumpleaños, todo el equipo le envía nuestros mejores deseos de un año feliz y con salud. "
                "Gracias por la confianza que deposita en nosotros." + GIFT_ES + "\n\n"
                "Con nuestros mejores deseos,\nEl equipo de atención al cliente",
            ),
        },
    ),
    (
        "purchase_anniversary",
        "email",
        M,
        "Anniversary of a purchase, every year",
        {
            "en": (
                "{{ customer.first_name }}, another year together",
                "Hello {{ customer.first_name }},\n\n"
                "On {{ trigger_day|date }} you bought {% if product %}your {{ product }}{% else %}from us{% endif %}. "
                "Thank you for another year of trust.\n\n"
                "A yearly check keeps it working like the first day: reply to this email or book a visit in your "
                "customer area, {{ portal_url }}" + GIFT_EN + "\n\n"
                "The service team\n\n"
                "Unsubscribe with one click: {{ unsubscribe_url }}",
            ),
            "es": (
                "{{ customer.first_name }}, un año más con nosotros",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "El {{ trigger_day|date }} compró {% if product %}su {{ product }}{% else %}con nosotros{% endif %}. "
                "Gracias por un año más de confianza.\n\n"
                "Una revisión anual lo mantiene como el primer día: responda a este correo o pida una visita en su área "
                "de cliente, {{ portal_url }}" + GIFT_ES + "\n\n"
                "El equipo de atención al cliente\n\n"
                "Puede darse de baja con un solo clic: {{ unsubscribe_url }}",
            ),
        },
    ),
    (
        "first_purchase_thanks",
        "email",
        M,
        "Thank-you note after a customer's first purchase",
        {
            "en": (
                "Thank you for choosing us, {{ customer.first_name }}",
                "Hello {{ customer.first_name }},\n\n"
                "Thank you for your first purchase with us{% if product %}: your {{ product }}{% endif %}. "
                "We are here for everything that comes after it: delivery, installation, maintenance and any question.\n\n"
                "Your customer area has your products, warranties and requests in one place: {{ portal_url }}"
                + GIFT_EN
                + "\n\nWelcome,\nThe service team\n\n"
                "Unsubscribe with one click: {{ unsubscribe_url }}",
            ),
            "es": (
                "Gracias por elegirnos, {{ customer.first_name }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Gracias por su primera compra con nosotros{% if product %}: su {{ product }}{% endif %}. "
                "Estamos a su disposición para todo lo que viene después: entrega, instalación, mantenimiento y "
                "cualquier duda.\n\n"
                "En su área de cliente encontrará sus productos, garantías y solicitudes: {{ portal_url }}"
                + GIFT_ES
                + "\n\nBienvenido/a,\nEl equipo de atención al cliente\n\n"
                "Puede darse de baja con un solo clic: {{ unsubscribe_url }}",
            ),
        },
    ),
]

PLAYBOOK = "Customer care touches"
DESCRIPTION = (
    "Birthday cards (email, or a printed letter for customers who only agreed to post) with a gift voucher, "
    "a yearly note on each purchase anniversary and a thank-you after a customer's first purchase. "
    "Created switched off: review the steps and the gift, then turn it on."
)

# (name, trigger, offset days, catch-up days, template, channel, required consent, gift value, gift days)
STEPS = [
    ("Birthday card by email", "birthday", 0, 2, "birthday_card", "email", "email", Decimal("10.00"), 60),
    ("Birthday card by post", "birthday", -3, 3, "birthday_card", "letter", "post", None, 60),
    ("Purchase anniversary", "purchase_anniversary", 0, 3, "purchase_anniversary", "email", "email", None, 60),
    ("Thank you for your first purchase", "first_purchase", 1, 3, "first_purchase_thanks", "email", "", None, 60),
]


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    Playbook = apps.get_model("followup", "Playbook")
    PlaybookStep = apps.get_model("followup", "PlaybookStep")
    for code, channel, purpose, description, texts in TEMPLATES:
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel=channel,
                language=language,
                defaults={"purpose": purpose, "description": description, "subject": subject, "body": body},
            )
    playbook, created = Playbook.objects.get_or_create(name=PLAYBOOK, defaults={"description": DESCRIPTION, "active": False})
    if not created:
        return
    for position, row in enumerate(STEPS, start=1):
        name, trigger, offset, catch_up, template, channel, consent, gift, gift_days = row
        PlaybookStep.objects.create(
            playbook=playbook,
            position=position,
            name=name,
            trigger=trigger,
            offset_days=offset,
            catch_up_days=catch_up,
            action="send_template",
            template_code=template,
            channel=channel,
            consent_channel=consent,
            gift_voucher_value=gift,
            gift_voucher_days=gift_days,
        )


def remove(apps, schema_editor):
    Playbook = apps.get_model("followup", "Playbook")
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    playbook = Playbook.objects.filter(name=PLAYBOOK).first()
    if playbook is not None and not apps.get_model("followup", "Touch").objects.filter(step__playbook=playbook).exists():
        playbook.delete()
    for code, channel, _purpose, _description, texts in TEMPLATES:
        MessageTemplate.objects.filter(code=code, channel=channel, language__in=list(texts), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0005_playbookstep_gift_voucher"),
        ("messaging", "0005_email_headers_attachments"),
    ]

    operations = [migrations.RunPython(create, remove)]
