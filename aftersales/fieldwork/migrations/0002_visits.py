"""Carrying out visits: why a report has no sign-off, and the visit report email in English and Spanish."""

from django.db import migrations, models

CODE = "visit_report"
TEXTS = {
    "en": (
        "Your visit report {{ visit.reference }}: {{ visit.kind_label|lower }} on {{ visit.day }}",
        "Hello {{ customer.first_name }},\n\n"
        "Thank you for welcoming {{ visit.technician }} on {{ visit.day }}. "
        "Here is the summary of the {{ visit.kind_label|lower }} visit {{ visit.reference }}"
        "{% if visit.units %} for {{ visit.units }}{% endif %}.\n\n"
        "What we found:\n{{ visit.findings }}\n\n"
        "{% if visit.work_done %}What we did:\n{{ visit.work_done }}\n\n{% endif %}"
        "{% if visit.parts %}Parts fitted: {{ visit.parts }}.\n\n{% endif %}"
        "{% if visit.follow_up %}What happens next: {{ visit.follow_up }}\n"
        "Our service team has opened request #{{ visit.follow_up_ticket }} and will contact you.\n\n{% endif %}"
        "{% if visit.signed_by %}Signed by {{ visit.signed_by }} at {{ visit.signed_at }}.{% else %}"
        "This report was not signed on site.{% endif %}\n\n"
        "You can read the report at any time in your customer area: {{ portal_url }}\n\n"
        "The service team",
    ),
    "es": (
        "Su informe de visita {{ visit.reference }}: {{ visit.kind_label|lower }} del {{ visit.day }}",
        "Estimado/a {{ customer.first_name }}:\n\n"
        "Gracias por recibir a {{ visit.technician }} el {{ visit.day }}. "
        "Le enviamos el resumen de la visita de {{ visit.kind_label|lower }} {{ visit.reference }}"
        "{% if visit.units %} para {{ visit.units }}{% endif %}.\n\n"
        "Lo que encontramos:\n{{ visit.findings }}\n\n"
        "{% if visit.work_done %}Lo que hicimos:\n{{ visit.work_done }}\n\n{% endif %}"
        "{% if visit.parts %}Piezas montadas: {{ visit.parts }}.\n\n{% endif %}"
        "{% if visit.follow_up %}Próximos pasos: {{ visit.follow_up }}\n"
        "Nuestro equipo de servicio ha abierto la solicitud n.º {{ visit.follow_up_ticket }} y se pondrá en contacto con usted.\n\n"
        "{% endif %}"
        "{% if visit.signed_by %}Firmado por {{ visit.signed_by }} el {{ visit.signed_at }}.{% else %}"
        "Este informe no se firmó en el domicilio.{% endif %}\n\n"
        "Puede consultar el informe cuando lo desee en su área de cliente: {{ portal_url }}\n\n"
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
                "description": "The summary of a technician's visit, sent when the visit is completed",
                "subject": subject,
                "body": body,
            },
        )


def remove_untouched_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code=CODE, channel="email", language__in=list(TEXTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [
        migrations.AddField(
            model_name="visitreport",
            name="unsigned_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="why the customer did not sign"),
        ),
        migrations.RunPython(create_templates, remove_untouched_templates),
    ]
