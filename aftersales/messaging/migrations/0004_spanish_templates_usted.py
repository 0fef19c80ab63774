"""Address customers as "usted" in the Spanish default templates, as the portal and the other emails do.

Only templates nobody has edited yet (version 1, text as shipped) change; staff's own wording stays.
The courtesy call is an instruction to staff and keeps its wording.
"""

from importlib import import_module

from django.db import migrations

SHIPPED = {
    (code, channel): texts["es"]
    for code, channel, _p, _d, texts in import_module("aftersales.messaging.migrations.0002_default_templates").TEMPLATES
}

USTED = {
    ("portal_sign_in_link", "email"): (
        "Su enlace de acceso",
        "Hola, {{ customer.first_name }}:\n\n"
        "Aquí tiene el enlace para acceder a su área de cliente:\n\n{{ link }}\n\n"
        'El enlace solo puede usarse una vez y caduca en {{ minutes|default:"30" }} minutos. '
        "Si no lo ha solicitado, puede ignorar este correo.\n\n"
        "El equipo de atención al cliente",
    ),
    ("welcome", "email"): (
        "Le damos la bienvenida, {{ customer.first_name }}",
        "Hola, {{ customer.first_name }}:\n\n"
        "Gracias por confiar en nosotros{% if product %} y enhorabuena por su nueva compra: {{ product }}{% endif %}.\n\n"
        "{% if warranty_end %}Su garantía es válida hasta el {{ warranty_end|date }}. {% endif %}"
        "En su área de cliente puede consultar sus productos, la garantía de cada uno y todo lo que hacemos por usted:\n"
        "{{ portal_url }}\n\n"
        "Si algo no va bien, responda a este correo y le ayudaremos.\n\n"
        "El equipo de atención al cliente",
    ),
    ("usage_tips", "email"): (
        "Saque el máximo partido a su {{ product|default:'compra' }}",
        "Hola, {{ customer.first_name }}:\n\n"
        "Ahora que ya lleva unas semanas con su {{ product|default:'compra' }}, le dejamos algunos consejos:\n\n"
        "- Vuelva a echar un vistazo a la guía rápida: en ella encontrará respuesta a la mayoría de las dudas.\n"
        "- Tenga a mano el número de serie{% if unit.serial %} ({{ unit.serial }}){% endif %} y el tique de compra; "
        "encontrará ambos en su área de cliente.\n"
        "- Un mantenimiento regular alarga la vida útil del producto y mantiene la garantía en vigor.\n\n"
        "Su área de cliente: {{ portal_url }}\n\n"
        "El equipo de atención al cliente",
    ),
    ("birthday", "email"): (
        "¡Feliz cumpleaños, {{ customer.first_name }}!",
        "Hola, {{ customer.first_name }}:\n\n"
        "Todo el equipo le desea un muy feliz cumpleaños. Gracias por seguir confiando en nosotros.\n\n"
        "El equipo de atención al cliente\n\n"
        "Recibe este correo porque aceptó recibir nuestras comunicaciones. "
        "Puede darse de baja con un solo clic: {{ unsubscribe_url }}",
    ),
    ("warranty_ending", "email"): (
        "La garantía de su {{ product }} termina el {{ warranty_end|date }}",
        "Hola, {{ customer.first_name }}:\n\n"
        "La garantía de su {{ product }} (n.º de serie {{ unit.serial }}) termina el {{ warranty_end|date }}.\n\n"
        "Si ha notado algo fuera de lo normal, avísenos antes de esa fecha y lo revisaremos dentro de la garantía. "
        "También puede consultarnos cómo ampliar la cobertura con un contrato de mantenimiento.\n\n"
        "Su área de cliente: {{ portal_url }}\n\n"
        "El equipo de atención al cliente\n\n"
        "Puede darse de baja de estos correos con un solo clic: {{ unsubscribe_url }}",
    ),
    ("warranty_ending", "sms"): (
        "",
        "La garantía de su {{ product }} termina el {{ warranty_end|date }}. "
        "¿Algo no va bien? Avísenos antes: {{ portal_url }} Baja: {{ unsubscribe_url }}",
    ),
}


def _replace(apps, old, new):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for (code, channel), (subject, body) in new.items():
        old_subject, old_body = old[(code, channel)]
        MessageTemplate.objects.filter(
            code=code, channel=channel, language="es", version=1, subject=old_subject, body=old_body
        ).update(subject=subject, body=body)


def to_usted(apps, schema_editor):
    _replace(apps, SHIPPED, USTED)


def to_tu(apps, schema_editor):
    _replace(apps, USTED, {key: SHIPPED[key] for key in USTED})


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_delivery_task")]

    operations = [migrations.RunPython(to_usted, to_tu)]
