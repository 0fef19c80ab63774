"""The default surveys (one per trigger, English and Spanish) and the survey and review-request emails."""

from django.db import migrations

SURVEYS = [
    # code, trigger, marketing, name, name_es, questions (kind, text, text_es)
    (
        "ticket-resolved",
        "ticket_resolved",
        False,
        "How did we do with your request?",
        "¿Qué tal atendimos su solicitud?",
        [
            ("csat", "How satisfied are you with how we handled your request?", "¿Qué grado de satisfacción tiene con la atención a su solicitud?"),
            ("effort", "How easy was it to get your issue solved?", "¿Qué tan fácil le resultó resolver su problema?"),
            ("text", "Anything you would like to tell us?", "¿Hay algo más que quiera contarnos?"),
        ],
    ),
    (
        "work-order",
        "work_order",
        False,
        "How was our technician's visit?",
        "¿Qué tal fue la visita de nuestro técnico?",
        [
            ("csat", "How satisfied are you with the visit?", "¿Qué grado de satisfacción tiene con la visita?"),
            ("effort", "How easy was it to arrange and receive the visit?", "¿Qué tan fácil le resultó concertar y recibir la visita?"),
            ("text", "Anything you would like to tell us?", "¿Hay algo más que quiera contarnos?"),
        ],
    ),
    (
        "after-delivery",
        "delivery",
        False,
        "How is your new product?",
        "¿Qué tal su nuevo producto?",
        [
            ("csat", "How satisfied are you with your purchase and its delivery?", "¿Qué grado de satisfacción tiene con su compra y su entrega?"),
            ("buy_again", "Would you buy from us again?", "¿Volvería a comprarnos?"),
            ("text", "Anything you would like to tell us?", "¿Hay algo más que quiera contarnos?"),
        ],
    ),
    (
        "relationship",
        "relationship",
        True,
        "Would you recommend us?",
        "¿Nos recomendaría?",
        [
            ("nps", "How likely are you to recommend us to a friend or colleague?", "¿Qué probabilidad hay de que nos recomiende a un amigo o familiar?"),
            ("buy_again", "Would you buy from us again?", "¿Volvería a comprarnos?"),
            ("text", "What is the main reason for your score?", "¿Cuál es el motivo principal de su puntuación?"),
        ],
    ),
    (
        "recovery-follow-up",
        "recovery_follow_up",
        False,
        "Did we put things right?",
        "¿Lo hemos solucionado?",
        [
            ("csat", "How satisfied are you now with how we handled your case?", "¿Qué grado de satisfacción tiene ahora con cómo gestionamos su caso?"),
            ("nps", "How likely are you now to recommend us to a friend or colleague?", "¿Qué probabilidad hay ahora de que nos recomiende a un amigo o familiar?"),
            ("text", "Anything you would like to tell us?", "¿Hay algo más que quiera contarnos?"),
        ],
    ),
    (
        "imported",
        "import",
        False,
        "Imported results",
        "Resultados importados",
        [
            ("csat", "Satisfaction", "Satisfacción"),
            ("nps", "Recommendation", "Recomendación"),
            ("effort", "Effort", "Esfuerzo"),
            ("buy_again", "Would buy again", "Volvería a comprar"),
            ("text", "Comment", "Comentario"),
        ],
    ),
]

TEMPLATES = {
    "feedback_survey": (
        "The survey email: one link per answer to its first question, and the survey page",
        {
            "en": (
                "{{ survey }}",
                "Hello {{ customer.first_name }},\n\n"
                "{% if about %}Thank you for trusting us with {{ about }}. {% endif %}"
                "We would like to know how we did: it takes one click.\n\n"
                "{{ question }}\n\n"
                "{% for answer in answers %}{{ answer.label }}: {{ answer.url }}\n{% endfor %}\n"
                "After your click you can add a comment if you wish, or answer the whole survey here: {{ survey_url }}\n\n"
                "The links work until {{ expires_on|date:\"j F Y\" }}.\n\n"
                "The service team",
            ),
            "es": (
                "{{ survey }}",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{% if about %}Gracias por confiarnos {{ about }}. {% endif %}"
                "Nos gustaría saber cómo lo hicimos: solo le llevará un clic.\n\n"
                "{{ question }}\n\n"
                "{% for answer in answers %}{{ answer.label }}: {{ answer.url }}\n{% endfor %}\n"
                "Después de su clic podrá añadir un comentario si lo desea, o responder a toda la encuesta aquí: {{ survey_url }}\n\n"
                "Los enlaces funcionan hasta el {{ expires_on|date:\"j \\d\\e F \\d\\e Y\" }}.\n\n"
                "El equipo de atención al cliente",
            ),
        },
    ),
    "feedback_review_request": (
        "Thanks a promoter and asks for a public review",
        {
            "en": (
                "Thank you for recommending us",
                "Hello {{ customer.first_name }},\n\n"
                "Thank you for your kind score: it means a lot to the whole team.\n\n"
                "{% if review_url %}Would you share your experience in a short review? It helps other customers choose: {{ review_url }}\n\n"
                "{% else %}If you know someone who needs what we do, we would be glad to help them too.\n\n{% endif %}"
                "The service team",
            ),
            "es": (
                "Gracias por recomendarnos",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Gracias por su valoración: significa mucho para todo el equipo.\n\n"
                "{% if review_url %}¿Le importaría compartir su experiencia en una breve reseña? Ayuda a otros clientes a decidir: {{ review_url }}\n\n"
                "{% else %}Si conoce a alguien que necesite lo que hacemos, estaremos encantados de atenderle también.\n\n{% endif %}"
                "El equipo de atención al cliente",
            ),
        },
    ),
}


def create(apps, schema_editor):
    Survey = apps.get_model("feedback", "Survey")
    Question = apps.get_model("feedback", "Question")
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, trigger, marketing, name, name_es, questions in SURVEYS:
        survey, created = Survey.objects.get_or_create(
            code=code, defaults={"trigger": trigger, "marketing": marketing, "name": name, "name_es": name_es}
        )
        if created:
            for position, (kind, text, text_es) in enumerate(questions, start=1):
                Question.objects.create(survey=survey, position=position, kind=kind, text=text, text_es=text_es)
    for code, (description, texts) in TEMPLATES.items():
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel="email",
                language=language,
                defaults={"purpose": "transactional", "description": description, "subject": subject, "body": body},
            )


def remove(apps, schema_editor):
    apps.get_model("feedback", "Survey").objects.filter(code__in=[row[0] for row in SURVEYS]).delete()
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(code__in=list(TEMPLATES), channel="email", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create, remove)]
