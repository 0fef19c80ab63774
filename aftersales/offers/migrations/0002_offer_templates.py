"""The special-offer message (email and SMS, English and Spanish), a marketing template."""

from django.db import migrations

EMAIL_EN = (
    "{{ offer_title }}",
    "Hello {{ customer.first_name }},\n\n"
    "{{ offer_body }}\n\n"
    "{% if voucher_code %}Your code: {{ voucher_code }} ({{ voucher_value }} off).\n"
    "Valid from {{ valid_from|date:\"j F Y\" }} until {{ valid_until|date:\"j F Y\" }}.\n\n{% endif %}"
    "You can see your vouchers in your account: {{ portal_url }}\n\n"
    "The team",
)
EMAIL_ES = (
    "{{ offer_title }}",
    "Estimado/a {{ customer.first_name }}:\n\n"
    "{{ offer_body }}\n\n"
    "{% if voucher_code %}Su código: {{ voucher_code }} ({{ voucher_value }} de descuento).\n"
    "Válido del {{ valid_from|date:\"j \\d\\e F \\d\\e Y\" }} al {{ valid_until|date:\"j \\d\\e F \\d\\e Y\" }}.\n\n{% endif %}"
    "Puede ver sus vales en su cuenta: {{ portal_url }}\n\n"
    "El equipo",
)
SMS_EN = (
    "",
    "{{ offer_title }}{% if voucher_code %}: code {{ voucher_code }}, {{ voucher_value }} off until "
    "{{ valid_until|date:\"j M\" }}{% endif %}.",
)
SMS_ES = (
    "",
    "{{ offer_title }}{% if voucher_code %}: código {{ voucher_code }}, {{ voucher_value }} de descuento hasta el "
    "{{ valid_until|date:\"j M\" }}{% endif %}.",
)

TEMPLATES = [
    ("email", "en", EMAIL_EN),
    ("email", "es", EMAIL_ES),
    ("sms", "en", SMS_EN),
    ("sms", "es", SMS_ES),
]
CODE = "offer_promotion"


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for channel, language, (subject, body) in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=CODE,
            channel=channel,
            language=language,
            defaults={
                "purpose": "marketing",
                "description": "A special offer sent to its audience, with its shared or personal voucher code",
                "subject": subject,
                "body": body,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(code=CODE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create, remove)]
