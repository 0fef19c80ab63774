"""The default message templates, in English and Spanish. Staff edit them in the console."""

from django.db import migrations

T = "transactional"
M = "marketing"

TEMPLATES = [
    # (code, channel, purpose, description, {language: (subject, body)})
    (
        "portal_sign_in_link",
        "email",
        T,
        "The link that signs a customer in to the portal",
        {
            "en": (
                "Your sign-in link",
                "Hello {{ customer.first_name }},\n\n"
                "Here is your link to sign in to your customer area:\n\n{{ link }}\n\n"
                'The link works once and expires in {{ minutes|default:"30" }} minutes. '
                "If you did not ask for it, you can ignore this email.\n\n"
                "The service team",
            ),
            "es": (
                "Tu enlace de acceso",
                "Hola, {{ customer.first_name }}:\n\n"
                "Aquí tienes el enlace para entrar en tu área de cliente:\n\n{{ link }}\n\n"
                'El enlace solo sirve una vez y caduca en {{ minutes|default:"30" }} minutos. '
                "Si no lo has pedido tú, puedes ignorar este correo.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "welcome",
        "email",
        T,
        "Sent after a first purchase",
        {
            "en": (
                "Welcome, {{ customer.first_name }}",
                "Hello {{ customer.first_name }},\n\n"
                "Thank you for choosing us{% if product %} and congratulations on your new {{ product }}{% endif %}.\n\n"
                "{% if warranty_end %}Your warranty runs until {{ warranty_end|date }}. {% endif %}"
                "In your customer area you can see your products, their warranty and everything we do for you:\n"
                "{{ portal_url }}\n\n"
                "If anything is not right, just reply to this email.\n\n"
                "The service team",
            ),
            "es": (
                "Te damos la bienvenida, {{ customer.first_name }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "Gracias por confiar en nosotros{% if product %} y enhorabuena por tu nueva compra: {{ product }}{% endif %}.\n\n"
                "{% if warranty_end %}Tu garantía es válida hasta el {{ warranty_end|date }}. {% endif %}"
                "En tu área de cliente puedes consultar tus productos, su garantía y todo lo que hacemos por ti:\n"
                "{{ portal_url }}\n\n"
                "Si algo no va bien, responde a este correo y te ayudamos.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "courtesy_call",
        "call",
        T,
        "A call a few days after delivery to check that all is well",
        {
            "en": (
                "Courtesy call to {{ customer.name }}",
                "Call {{ customer.name }} on {{ customer.phone }}.\n\n"
                "{% if product %}Ask how the {{ product }} (serial {{ unit.serial }}) is working{% else %}Ask how their purchase is working{% endif %}, "
                "whether the delivery and installation went well, and whether they have any questions.\n"
                "Note anything that needs a follow-up.",
            ),
            "es": (
                "Llamada de cortesía a {{ customer.name }}",
                "Llama a {{ customer.name }} al {{ customer.phone }}.\n\n"
                "{% if product %}Pregunta qué tal funciona su {{ product }} (n.º de serie {{ unit.serial }}){% else %}Pregunta qué tal funciona su compra{% endif %}, "
                "si la entrega y la instalación fueron bien y si tiene alguna duda.\n"
                "Anota todo lo que requiera seguimiento.",
            ),
        },
    ),
    (
        "usage_tips",
        "email",
        T,
        "Tips to get the most out of a new product",
        {
            "en": (
                "Getting the most out of your {{ product|default:'purchase' }}",
                "Hello {{ customer.first_name }},\n\n"
                "A few weeks in, here are some tips for your {{ product|default:'purchase' }}:\n\n"
                "- Read the quick-start guide once more: most questions are answered there.\n"
                "- Keep the serial number{% if unit.serial %} ({{ unit.serial }}){% endif %} and your receipt at hand; "
                "you will find both in your customer area.\n"
                "- Regular care keeps it working longer and your warranty valid.\n\n"
                "Your customer area: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Saca el máximo partido a tu {{ product|default:'compra' }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "Ahora que ya llevas unas semanas con tu {{ product|default:'compra' }}, te dejamos algunos consejos:\n\n"
                "- Vuelve a echar un vistazo a la guía rápida: ahí se resuelven la mayoría de las dudas.\n"
                "- Ten a mano el número de serie{% if unit.serial %} ({{ unit.serial }}){% endif %} y el tique de compra; "
                "los encontrarás en tu área de cliente.\n"
                "- Un buen mantenimiento alarga su vida útil y mantiene la garantía en vigor.\n\n"
                "Tu área de cliente: {{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "birthday",
        "email",
        M,
        "Birthday greetings",
        {
            "en": (
                "Happy birthday, {{ customer.first_name }}!",
                "Hello {{ customer.first_name }},\n\n"
                "Everyone here wishes you a very happy birthday. Thank you for being our customer.\n\n"
                "The service team\n\n"
                "You receive this email because you agreed to hear from us. Unsubscribe with one click: {{ unsubscribe_url }}",
            ),
            "es": (
                "¡Feliz cumpleaños, {{ customer.first_name }}!",
                "Hola, {{ customer.first_name }}:\n\n"
                "Todo el equipo te desea un muy feliz cumpleaños. Gracias por seguir confiando en nosotros.\n\n"
                "El equipo de atención al cliente\n\n"
                "Recibes este correo porque aceptaste nuestras comunicaciones. "
                "Puedes darte de baja con un solo clic: {{ unsubscribe_url }}",
            ),
        },
    ),
    (
        "warranty_ending",
        "email",
        M,
        "The warranty of a unit ends soon",
        {
            "en": (
                "The warranty of your {{ product }} ends on {{ warranty_end|date }}",
                "Hello {{ customer.first_name }},\n\n"
                "The warranty of your {{ product }} (serial {{ unit.serial }}) ends on {{ warranty_end|date }}.\n\n"
                "If you have noticed anything unusual, tell us before that date and we will look at it under warranty. "
                "Ask us about extending your cover with a maintenance contract.\n\n"
                "Your customer area: {{ portal_url }}\n\n"
                "The service team\n\n"
                "Unsubscribe from these emails with one click: {{ unsubscribe_url }}",
            ),
            "es": (
                "La garantía de tu {{ product }} termina el {{ warranty_end|date }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "La garantía de tu {{ product }} (n.º de serie {{ unit.serial }}) termina el {{ warranty_end|date }}.\n\n"
                "Si has notado algo raro, avísanos antes de esa fecha y lo revisaremos dentro de la garantía. "
                "También puedes preguntarnos cómo ampliar la cobertura con un contrato de mantenimiento.\n\n"
                "Tu área de cliente: {{ portal_url }}\n\n"
                "El equipo de atención al cliente\n\n"
                "Date de baja de estos correos con un solo clic: {{ unsubscribe_url }}",
            ),
        },
    ),
    (
        "warranty_ending",
        "sms",
        M,
        "The warranty of a unit ends soon (text message)",
        {
            "en": (
                "",
                "The warranty of your {{ product }} ends on {{ warranty_end|date }}. "
                "Something not right? Tell us before then: {{ portal_url }} Stop: {{ unsubscribe_url }}",
            ),
            "es": (
                "",
                "La garantía de tu {{ product }} termina el {{ warranty_end|date }}. "
                "¿Algo no va bien? Avísanos antes: {{ portal_url }} Baja: {{ unsubscribe_url }}",
            ),
        },
    ),
]


def create_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, channel, purpose, description, texts in TEMPLATES:
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel=channel,
                language=language,
                defaults={"purpose": purpose, "description": description, "subject": subject, "body": body},
            )


def remove_untouched_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, channel, _purpose, _description, texts in TEMPLATES:
        MessageTemplate.objects.filter(code=code, channel=channel, language__in=list(texts), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(create_templates, remove_untouched_templates)]
