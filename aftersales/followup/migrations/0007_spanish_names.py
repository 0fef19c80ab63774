"""Spanish names and descriptions for the shipped playbooks and their steps."""

from django.db import migrations, models

from aftersales.core.seeding import seeded_translate

HELP = "Shown to Spanish-speaking staff; leave empty to show the English text."

# Playbook name: (Spanish name, English description as seeded, Spanish description, {step name: Spanish})
PLAYBOOKS = {
    "Default follow-up": (
        "Seguimiento estándar",
        "What every customer gets after a purchase: a visit and a call from their rep, tips, a survey, "
        "maintenance and warranty reminders, birthday greetings and a six-monthly check-in for big buyers.",
        "Lo que recibe cada cliente tras una compra: una visita y una llamada de su comercial, consejos, una "
        "encuesta, recordatorios de mantenimiento y de garantía, felicitaciones de cumpleaños y una llamada de "
        "seguimiento semestral a los grandes compradores.",
        {
            "Delivery visit by the selling rep": "Visita de entrega del comercial que hizo la venta",
            "Courtesy call: how is the product working?": "Llamada de cortesía: ¿qué tal funciona el producto?",
            "Usage tips and training offer": "Consejos de uso y oferta de formación",
            "Satisfaction survey": "Encuesta de satisfacción",
            "Maintenance reminder": "Recordatorio de mantenimiento",
            "Maintenance contract or extended warranty offer": "Oferta de contrato de mantenimiento o garantía ampliada",
            "Birthday greeting": "Felicitación de cumpleaños",
            "Exchange window closing": "Fin del plazo de cambio",
            "Check-in with high-value customers": "Seguimiento de los clientes de alto valor",
        },
    ),
    "Customer care touches": (
        "Detalles de atención al cliente",
        "Birthday cards (email, or a printed letter for customers who only agreed to post) with a gift voucher, "
        "a yearly note on each purchase anniversary and a thank-you after a customer's first purchase. "
        "Created switched off: review the steps and the gift, then turn it on.",
        "Tarjetas de cumpleaños (por correo electrónico, o por carta impresa a los clientes que solo aceptaron el "
        "correo postal) con un vale regalo, una nota anual en cada aniversario de compra y un agradecimiento tras la "
        "primera compra de un cliente. Se crea desactivado: revise los pasos y el regalo y, después, actívelo.",
        {
            "Birthday card by email": "Tarjeta de cumpleaños por correo electrónico",
            "Birthday card by post": "Tarjeta de cumpleaños por correo postal",
            "Purchase anniversary": "Aniversario de compra",
            "Thank you for your first purchase": "Gracias por su primera compra",
        },
    ),
}


def translate(apps, schema_editor):
    Playbook = apps.get_model("followup", "Playbook")
    PlaybookStep = apps.get_model("followup", "PlaybookStep")
    for name, (name_es, description, description_es, steps) in PLAYBOOKS.items():
        playbooks = Playbook.objects.filter(name=name)
        seeded_translate(playbooks, field="name", english=name, spanish=name_es)
        seeded_translate(playbooks, field="description", english=description, spanish=description_es)
        for step_name, step_name_es in steps.items():
            step_rows = PlaybookStep.objects.filter(playbook__name=name)
            seeded_translate(step_rows, field="name", english=step_name, spanish=step_name_es)


class Migration(migrations.Migration):
    dependencies = [("followup", "0006_customer_care_touches")]

    operations = [
        migrations.AddField(
            model_name="playbook",
            name="name_es",
            field=models.CharField(blank=True, help_text=HELP, max_length=120, verbose_name="name in Spanish"),
        ),
        migrations.AddField(
            model_name="playbook",
            name="description_es",
            field=models.TextField(blank=True, help_text=HELP, verbose_name="description in Spanish"),
        ),
        migrations.AddField(
            model_name="playbookstep",
            name="name_es",
            field=models.CharField(blank=True, help_text=HELP, max_length=120, verbose_name="name in Spanish"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
