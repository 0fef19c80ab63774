"""The default follow-up playbook and the message templates it needs, in English and Spanish (usted).

Templates that already exist (the courtesy call, the birthday greeting and the warranty ending,
shipped by the outbox) are reused; only missing ones are created, and an edited one is never changed.
"""

from decimal import Decimal

from django.db import migrations

T = "transactional"

TEMPLATES = [
    # (code, channel, purpose, description, {language: (subject, body)})
    (
        "usage_tips_training",
        "email",
        T,
        "Usage tips and an offer of a training session, two weeks after delivery",
        {
            "en": (
                "Getting the most out of your {{ product|default:'purchase' }}",
                "Hello {{ customer.first_name }},\n\n"
                "Two weeks in, here are a few tips for your {{ product|default:'purchase' }}:\n\n"
                "- The quick-start guide answers most questions; it is also in your customer area.\n"
                "- Regular care keeps it working longer and your warranty valid.\n"
                "- Keep the serial number{% if unit.serial %} ({{ unit.serial }}){% endif %} at hand when you contact us.\n\n"
                "Would you like a free training session? One of our specialists can show you, at home or by video call, "
                "how to use every function. Just reply to this email with a day and time that suit you.\n\n"
                "Your customer area: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Saque el máximo partido a su {{ product|default:'compra' }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "Ahora que ya lleva dos semanas con su {{ product|default:'compra' }}, le dejamos algunos consejos:\n\n"
                "- La guía rápida responde a la mayoría de las dudas; también la encontrará en su área de cliente.\n"
                "- Un mantenimiento regular alarga la vida útil del producto y mantiene la garantía en vigor.\n"
                "- Tenga a mano el número de serie{% if unit.serial %} ({{ unit.serial }}){% endif %} cuando se ponga "
                "en contacto con nosotros.\n\n"
                "¿Le gustaría una sesión de formación gratuita? Uno de nuestros especialistas puede enseñarle, en su "
                "domicilio o por videollamada, a usar todas sus funciones. Responda a este correo indicando el día y la "
                "hora que mejor le vengan.\n\n"
                "Su área de cliente: {{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "maintenance_reminder",
        "email",
        T,
        "A unit is due for its periodic maintenance",
        {
            "en": (
                "Your {{ product|default:'product' }} is due for maintenance",
                "Hello {{ customer.first_name }},\n\n"
                "It is time for the periodic maintenance of your {{ product|default:'product' }}"
                "{% if unit.serial %} (serial {{ unit.serial }}){% endif %}. Regular maintenance keeps it safe and "
                "efficient, and it is a condition of the warranty for many products.\n\n"
                "Reply to this email or visit your customer area to book a technician: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Su {{ product|default:'producto' }} necesita su mantenimiento",
                "Hola, {{ customer.first_name }}:\n\n"
                "Ha llegado el momento del mantenimiento periódico de su {{ product|default:'producto' }}"
                "{% if unit.serial %} (n.º de serie {{ unit.serial }}){% endif %}. Un mantenimiento regular lo mantiene "
                "seguro y eficiente y, en muchos productos, es una condición de la garantía.\n\n"
                "Responda a este correo o entre en su área de cliente para pedir la visita de un técnico: {{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "exchange_window_closing",
        "email",
        T,
        "The last days to exchange a unit",
        {
            "en": (
                "You can exchange your {{ product|default:'purchase' }} until {{ trigger_day|date }}",
                "Hello {{ customer.first_name }},\n\n"
                "A reminder: if your {{ product|default:'purchase' }} is not what you expected, you can still exchange it "
                "until {{ trigger_day|date }}. After that day the exchange period ends.\n\n"
                "If you are happy with it, there is nothing to do. If not, reply to this email or write to us from your "
                "customer area: {{ portal_url }}\n\n"
                "The service team",
            ),
            "es": (
                "Puede cambiar su {{ product|default:'compra' }} hasta el {{ trigger_day|date }}",
                "Hola, {{ customer.first_name }}:\n\n"
                "Le recordamos que, si su {{ product|default:'compra' }} no es lo que esperaba, todavía puede cambiarlo "
                "hasta el {{ trigger_day|date }}. Después de esa fecha termina el plazo de cambio.\n\n"
                "Si está satisfecho, no tiene que hacer nada. Si no, responda a este correo o escríbanos desde su área de "
                "cliente: {{ portal_url }}\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    (
        "check_in_call",
        "call",
        T,
        "A six-monthly check-in call with a high-value customer",
        {
            "en": (
                "Check-in call to {{ customer.name }}",
                "Call {{ customer.name }} on {{ customer.phone }}.\n\n"
                "Thank them for their trust and ask how their products are working{% if product %}, especially the "
                "{{ product }}{% endif %}. Ask whether they need maintenance, training or anything new, and note "
                "anything that needs a follow-up.",
            ),
            "es": (
                "Llamada de seguimiento a {{ customer.name }}",
                "Llame a {{ customer.name }} al {{ customer.phone }}.\n\n"
                "Agradézcale su confianza y pregúntele qué tal funcionan sus productos{% if product %}, en especial "
                "{{ product }}{% endif %}. Pregunte si necesita mantenimiento, formación o algo nuevo, y anote todo lo "
                "que requiera seguimiento.",
            ),
        },
    ),
]

PLAYBOOK = "Default follow-up"
DESCRIPTION = (
    "What every customer gets after a purchase: a visit and a call from their rep, tips, a survey, "
    "maintenance and warranty reminders, birthday greetings and a six-monthly check-in for big buyers."
)

# (name, trigger, offset days, repeat months, catch-up days, action, template, channel, assign to, due hours, min value)
STEPS = [
    ("Delivery visit by the selling rep", "delivery", 0, None, 2, "visit_task", "", "", "selling_rep", 48, None),
    ("Courtesy call: how is the product working?", "delivery", 7, None, 3, "call_task", "courtesy_call", "", "selling_rep", 24, None),
    ("Usage tips and training offer", "delivery", 14, None, 3, "send_template", "usage_tips_training", "email", "", 24, None),
    ("Satisfaction survey", "delivery", 30, None, 3, "send_survey", "", "", "", 24, None),
    ("Maintenance reminder", "maintenance", 0, None, 7, "send_template", "maintenance_reminder", "email", "", 24, None),
    (
        "Maintenance contract or extended warranty offer",
        "warranty_end",
        -30,
        None,
        7,
        "send_template",
        "warranty_ending",
        "email",
        "",
        24,
        None,
    ),
    ("Birthday greeting", "birthday", 0, None, 1, "send_template", "birthday", "email", "", 24, None),
    ("Exchange window closing", "exchange_window", -5, None, 2, "send_template", "exchange_window_closing", "email", "", 24, None),
    ("Check-in with high-value customers", "sale", 0, 6, 14, "call_task", "check_in_call", "", "selling_rep", 72, Decimal("2000")),
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
    playbook, created = Playbook.objects.get_or_create(name=PLAYBOOK, defaults={"description": DESCRIPTION})
    if not created:
        return
    for position, row in enumerate(STEPS, start=1):
        name, trigger, offset, repeat, catch_up, action, template, channel, assign_to, due_hours, min_value = row
        PlaybookStep.objects.create(
            playbook=playbook,
            position=position,
            name=name,
            trigger=trigger,
            offset_days=offset,
            repeat_months=repeat,
            catch_up_days=catch_up,
            action=action,
            template_code=template,
            channel=channel,
            assign_to=assign_to,
            task_due_hours=due_hours,
            min_sale_value=min_value,
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
        ("followup", "0002_touch_result_step_inactive"),
        ("messaging", "0004_spanish_templates_usted"),
    ]

    operations = [migrations.RunPython(create, remove)]
