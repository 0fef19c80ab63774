"""Spanish descriptions for the message templates the system ships, so staff read them in their language.

Every capability's seeding migration must have run first: this one translates what they created. A
template whose English description was changed, or that already has a Spanish one, keeps its own.
"""

from django.db import migrations, models

from aftersales.core.seeding import seeded_translate

HELP = "Shown to Spanish-speaking staff; leave empty to show the English text."

# (code, English description as seeded, Spanish description)
DESCRIPTIONS = [
    ("portal_sign_in_link", "The link that signs a customer in to the portal", "El enlace con el que un cliente entra en el portal"),
    ("welcome", "Sent after a first purchase", "Se envía tras una primera compra"),
    (
        "courtesy_call",
        "A call a few days after delivery to check that all is well",
        "Una llamada unos días después de la entrega para comprobar que todo va bien",
    ),
    ("usage_tips", "Tips to get the most out of a new product", "Consejos para sacar el máximo partido a un producto nuevo"),
    ("birthday", "Birthday greetings", "Felicitación de cumpleaños"),
    ("warranty_ending", "The warranty of a unit ends soon", "La garantía de una unidad termina pronto"),
    ("warranty_ending", "The warranty of a unit ends soon (text message)", "La garantía de una unidad termina pronto (SMS)"),
    (
        "usage_tips_training",
        "Usage tips and an offer of a training session, two weeks after delivery",
        "Consejos de uso y oferta de una sesión de formación, dos semanas después de la entrega",
    ),
    ("maintenance_reminder", "A unit is due for its periodic maintenance", "A una unidad le toca su mantenimiento periódico"),
    ("exchange_window_closing", "The last days to exchange a unit", "Los últimos días para cambiar una unidad"),
    (
        "check_in_call",
        "A six-monthly check-in call with a high-value customer",
        "Una llamada de seguimiento semestral a un cliente de alto valor",
    ),
    ("birthday_card", "Birthday card, with an optional gift voucher", "Tarjeta de cumpleaños, con un vale regalo opcional"),
    (
        "birthday_card",
        "Birthday card sent as a printed letter, with an optional gift voucher",
        "Tarjeta de cumpleaños enviada por carta impresa, con un vale regalo opcional",
    ),
    ("purchase_anniversary", "Anniversary of a purchase, every year", "Aniversario de una compra, cada año"),
    (
        "first_purchase_thanks",
        "Thank-you note after a customer's first purchase",
        "Nota de agradecimiento tras la primera compra de un cliente",
    ),
    (
        "contest_winner",
        "Tells a contest's winner they won, with their prize and voucher",
        "Comunica al ganador de un concurso que ha ganado, con su premio y su vale",
    ),
    (
        "contract_renewal_reminder",
        "A maintenance contract ends in 60, 30 or 7 days",
        "Un contrato de mantenimiento termina dentro de 60, 30 o 7 días",
    ),
    (
        "feedback_survey",
        "The survey email: one link per answer to its first question, and the survey page",
        "El correo de la encuesta: un enlace por cada respuesta a su primera pregunta, y la página de la encuesta",
    ),
    (
        "feedback_review_request",
        "Thanks a promoter and asks for a public review",
        "Da las gracias a un promotor y le pide una reseña pública",
    ),
    (
        "visit_report",
        "The summary of a technician's visit, sent when the visit is completed",
        "El resumen de la visita de un técnico, enviado al completarse la visita",
    ),
    (
        "fieldwork_visit_booked",
        "A visit booked or moved, with the calendar invitation and the confirm/reschedule link",
        "Una visita reservada o cambiada de fecha, con la invitación de calendario y el enlace para confirmarla o cambiarla",
    ),
    (
        "fieldwork_visit_cancelled",
        "A booked visit cancelled or taken back to be rescheduled; the invitation is withdrawn",
        "Una visita reservada que se cancela o se retira para programarla de nuevo; la invitación se anula",
    ),
    ("fieldwork_visit_reminder", "The day before a visit", "El día antes de una visita"),
    (
        "loyalty_points_expiring",
        "Warns a customer that some of their points lapse within 30 days",
        "Avisa a un cliente de que parte de sus puntos caducan en los próximos 30 días",
    ),
    (
        "loyalty_tier_changed",
        "Tells a customer their loyalty tier changed, with its benefits",
        "Comunica a un cliente que su nivel de fidelización ha cambiado, con sus ventajas",
    ),
    (
        "newsletter_issue",
        "A newsletter issue (its subject and text are the issue's)",
        "Un número del boletín (el asunto y el texto son los del número)",
    ),
    (
        "offer_promotion",
        "A special offer sent to its audience, with its shared or personal voucher code",
        "Una oferta especial enviada a su público, con su código de vale compartido o personal",
    ),
    (
        "referral_invitation",
        "Invites a customer to refer a friend, with their personal link and code",
        "Invita a un cliente a recomendar a un amigo, con su enlace y su código personales",
    ),
    (
        "referral_converted",
        "Tells the referrer that their friend made a first purchase, and their reward",
        "Comunica a quien hizo la recomendación que su amigo ha hecho su primera compra, y su recompensa",
    ),
    (
        "ticket_acknowledgement",
        "Sent when a ticket is opened: its reference and when to expect an answer",
        "Se envía al abrir una incidencia: su referencia y cuándo cabe esperar una respuesta",
    ),
    ("ticket_reply", "An agent's public reply on a ticket", "La respuesta pública de un agente en una incidencia"),
    ("warranty_claim_decision", "The decision on a warranty claim", "La decisión sobre una reclamación de garantía"),
    ("repair_order_received", "A unit for repair was received", "Se ha recibido una unidad para reparar"),
    ("repair_order_quote", "The quote for the billable part of a repair", "El presupuesto de la parte facturable de una reparación"),
    ("repair_order_ready", "A repaired unit is ready to be collected", "Una unidad reparada está lista para su recogida"),
    (
        "return_request_update",
        "A return or exchange was authorised, received, refunded, exchanged or rejected",
        "Una devolución o un cambio se ha autorizado, recibido, reembolsado, cambiado o rechazado",
    ),
    (
        "unit_replacement",
        "A unit was replaced: the new serial and how long it is covered",
        "Se ha sustituido una unidad: el nuevo número de serie y hasta cuándo está cubierta",
    ),
]


def translate(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, english, spanish in DESCRIPTIONS:
        seeded_translate(MessageTemplate.objects.filter(code=code), field="description", english=english, spanish=spanish)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_email_headers_attachments"),
        # The capabilities' seeding migrations: their templates must exist to be translated.
        ("contests", "0002_winner_templates"),
        ("contracts", "0002_renewal_reminder_template"),
        ("feedback", "0002_default_surveys_and_templates"),
        ("fieldwork", "0004_merge_0002_visits_0003_visit_templates"),
        ("followup", "0006_customer_care_touches"),
        ("loyalty", "0002_message_templates"),
        ("newsletter", "0002_newsletter_template"),
        ("offers", "0002_offer_templates"),
        ("referrals", "0002_referral_templates"),
        ("service", "0006_ticket_mail_templates"),
        ("warranty", "0007_replacement_template"),
    ]

    operations = [
        migrations.AddField(
            model_name="messagetemplate",
            name="description_es",
            field=models.CharField(blank=True, help_text=HELP, max_length=200, verbose_name="description in Spanish"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
