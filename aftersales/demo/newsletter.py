"""The demo company's newsletter: a list per language and one for VIP customers, articles in English and
Spanish, last month's issue sent to each language (so the portal archive has something to show) and a
draft of the next one with the newest products ticked.

Everything goes through the newsletter services, so the sent issues queued real outbox messages, with
their unsubscribe links and timeline entries. Building it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.catalog.models import Product
from aftersales.core.models import User
from aftersales.customers.models import Segment
from aftersales.newsletter import services
from aftersales.newsletter.models import Article, Issue, IssueStatus, NewsletterList

ARTICLES = [
    (
        "en",
        "Five minutes that keep your washing machine young",
        "Once a month, run an empty hot wash with a cup of white vinegar. It removes limescale and smells.\n\n"
        "- Leave the door and the drawer open after each wash.\n- Clean the filter every three months.\n"
        "- Do not overload the drum: it wears the bearings.",
        "https://example.com/tips/washing-machine",
    ),
    (
        "en",
        "Getting ready for winter: your boiler checklist",
        "A yearly service keeps a boiler safe and efficient, and it is a condition of most warranties.\n\n"
        "Book it before the first cold week: our technicians' diaries fill up fast in November.",
        "",
    ),
    (
        "es",
        "Cinco minutos que mantienen joven su lavadora",
        "Una vez al mes, haga un lavado en caliente en vacío con una taza de vinagre blanco. Elimina la cal y los olores.\n\n"
        "- Deje la puerta y el cajetín abiertos después de cada lavado.\n- Limpie el filtro cada tres meses.\n"
        "- No sobrecargue el tambor: desgasta los rodamientos.",
        "https://example.com/es/consejos/lavadora",
    ),
    (
        "es",
        "Prepárese para el invierno: la revisión de su caldera",
        "Una revisión anual mantiene la caldera segura y eficiente, y es una condición de la mayoría de las garantías.\n\n"
        "Pídala antes de la primera semana de frío: en noviembre la agenda de nuestros técnicos se llena enseguida.",
        "",
    ),
]

LISTS = [
    ("Monthly news", "en", "News, new products and tips for our English-speaking customers.", ()),
    ("Novedades del mes", "es", "Novedades, productos nuevos y consejos para nuestros clientes.", ()),
    ("VIP preview", "en", "Early news for our VIP customers.", ("vip",)),
]

ISSUES = {
    "en": ("Your monthly news: care tips and what is new", "Hello from all of us! Here is what is new this month."),
    "es": (
        "Sus novedades del mes: consejos y productos nuevos",
        "¡Hola de parte de todo el equipo! Estas son las novedades del mes.",
    ),
}


def newsletter_build(*, staff: dict[str, User], today: dt.date) -> int:
    """Create the demo lists, articles and issues; return how many issues were sent."""
    manager = staff["manager"]
    if NewsletterList.objects.filter(name=LISTS[0][0]).exists():
        return 0
    lists = {}
    for name, language, description, segment_slugs in LISTS:
        segment_ids = list(Segment.objects.filter(slug__in=segment_slugs).values_list("pk", flat=True))
        lists[name] = services.list_create(
            actor=manager,
            data={"name": name, "language": language, "description": description, "segment_ids": segment_ids},
        )
    articles: dict[str, list[Article]] = {"en": [], "es": []}
    for offset, (language, title, body, link) in enumerate(ARTICLES):
        published_on = today - dt.timedelta(days=40 - offset * 3)
        articles[language].append(
            services.article_create(
                actor=manager,
                data={"language": language, "title": title, "body": body, "link": link, "published_on": published_on},
            )
        )
    # Every demo product is new on the day the demo is built: show a few, newest first.
    products = list(Product.objects.filter(is_active=True).order_by("-created_at", "-pk").values_list("pk", flat=True)[:5])
    sent = 0
    for name in ("Monthly news", "Novedades del mes"):
        newsletter_list = lists[name]
        subject, intro = ISSUES[newsletter_list.language]
        issue = services.issue_create(
            actor=manager,
            newsletter_list=newsletter_list,
            data={
                "subject": subject,
                "intro": intro,
                "product_ids": products[:2],
                "article_ids": [article.pk for article in articles[newsletter_list.language]],
            },
        )
        services.issue_send(actor=manager, issue=issue)
        # The demo runs no workers while it builds: queue the members here, batch after batch, as the task would.
        while services.issue_send_batch(issue_id=issue.pk)["status"] == IssueStatus.SENDING:
            pass
        # Dated last month, so the archive reads naturally.
        moment = timezone.now() - dt.timedelta(days=30)
        Issue.objects.filter(pk=issue.pk).update(send_started_at=moment, sent_at=moment)
        sent += 1
    services.issue_create(
        actor=manager,
        newsletter_list=lists["Monthly news"],
        data={
            "subject": "Next month: new arrivals",
            "intro": "A first look at what has just arrived.",
            "product_ids": products[2:5],
        },
    )
    return sent
