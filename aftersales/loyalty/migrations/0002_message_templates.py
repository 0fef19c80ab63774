"""The loyalty emails in English and Spanish: points about to lapse, and a new tier."""

from django.db import migrations

TEMPLATES = {
    "loyalty_points_expiring": (
        "Warns a customer that some of their points lapse within 30 days",
        {
            "en": (
                "{{ points }} of your points expire on {{ expires_on|date:\"j F Y\" }}",
                "Hello {{ customer.first_name }},\n\n"
                "{{ points }} of your loyalty points (worth {{ value }} {{ currency }}) expire on {{ expires_on|date:\"j F Y\" }}.\n"
                "Your balance is {{ balance }} points.\n\n"
                "Redeem them for a voucher in your customer portal, under \"My points\", before they lapse.\n\n"
                "The service team",
            ),
            "es": (
                "{{ points }} de sus puntos caducan el {{ expires_on|date:\"j \\d\\e F \\d\\e Y\" }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{{ points }} de sus puntos de fidelidad (por valor de {{ value }} {{ currency }}) caducan el "
                "{{ expires_on|date:\"j \\d\\e F \\d\\e Y\" }}.\n"
                "Su saldo es de {{ balance }} puntos.\n\n"
                "Canjéelos por un vale en su portal de cliente, en \"Mis puntos\", antes de que caduquen.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "loyalty_tier_changed": (
        "Tells a customer their loyalty tier changed, with its benefits",
        {
            "en": (
                "Your loyalty tier is now {{ tier }}",
                "Hello {{ customer.first_name }},\n\n"
                "{% if upgrade %}Congratulations! Thanks to your purchases over the last 12 months you are now in our {{ tier }} tier.{% else %}"
                "Based on your purchases over the last 12 months, your loyalty tier is now {{ tier }}.{% endif %}\n\n"
                "What it gives you:\n"
                "- {{ multiplier }} times the points on your purchases\n"
                "{% if first_response_hours %}- A first answer to your requests within {{ first_response_hours }} working hours\n{% endif %}"
                "{% if resolution_hours %}- Your requests resolved within {{ resolution_hours }} working hours\n{% endif %}"
                "{% if free_visits %}- {{ free_visits }} free maintenance visit(s) a year\n{% endif %}\n"
                "See your points and tier in your customer portal, under \"My points\".\n\n"
                "The service team",
            ),
            "es": (
                "Su nivel de fidelidad es ahora {{ tier }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{% if upgrade %}¡Enhorabuena! Gracias a sus compras de los últimos 12 meses ya pertenece a nuestro nivel {{ tier }}.{% else %}"
                "Según sus compras de los últimos 12 meses, su nivel de fidelidad es ahora {{ tier }}.{% endif %}\n\n"
                "Lo que le ofrece:\n"
                "- {{ multiplier }} veces los puntos de sus compras\n"
                "{% if first_response_hours %}- Una primera respuesta a sus solicitudes en {{ first_response_hours }} horas laborables\n{% endif %}"
                "{% if resolution_hours %}- Sus solicitudes resueltas en {{ resolution_hours }} horas laborables\n{% endif %}"
                "{% if free_visits %}- {{ free_visits }} visita(s) de mantenimiento gratuita(s) al año\n{% endif %}\n"
                "Consulte sus puntos y su nivel en su portal de cliente, en \"Mis puntos\".\n\n"
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
    dependencies = [("loyalty", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create, remove)]
