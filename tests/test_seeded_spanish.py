"""Records the system seeds read in the staff member's language: playbooks and their steps, message templates'
descriptions, queues, SLA policies, escalation rules, business calendars and the default return policy."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from aftersales.core.models import BusinessCalendar, Department, Language, in_language
from aftersales.followup.models import Playbook, PlaybookStep
from aftersales.messaging.models import MessageTemplate
from aftersales.service.models import EscalationRule, Queue, SlaPolicy
from aftersales.warranty.models import ReturnPolicy
from tests.factories import CustomerFactory
from tests.followup.helpers import at, bought, only_steps

pytestmark = pytest.mark.django_db


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def translate(module: str) -> None:
    """Run a data migration's forward step against the current models."""
    importlib.import_module(module).translate(apps, None)


# --- the pattern ---------------------------------------------------------------------------------


def test_a_spanish_reader_gets_the_spanish_text_and_falls_back_to_english_when_there_is_none():
    assert in_language("Standard", "Estándar", Language.SPANISH) == "Estándar"
    assert in_language("Standard", "Estándar", Language.ENGLISH) == "Standard"
    assert in_language("Standard", "", Language.SPANISH) == "Standard"
    playbook = Playbook(name="Winter", name_es="", description="Cold", description_es="Frío")
    assert playbook.display_name("es") == "Winter" and playbook.display_description("es") == "Frío"


# --- the data migrations -------------------------------------------------------------------------


def test_the_template_migration_fills_seeded_descriptions_and_leaves_edited_ones():
    # given: a shipped template still as seeded, and one whose description the company rewrote
    seeded = MessageTemplate.objects.get(code="referral_converted", channel="email", language="en")
    edited = MessageTemplate.objects.get(code="referral_converted", channel="email", language="es")
    MessageTemplate.objects.filter(pk=seeded.pk).update(description_es="")
    MessageTemplate.objects.filter(pk=edited.pk).update(description="Our own words", description_es="")
    # when
    translate("aftersales.messaging.migrations.0006_spanish_descriptions")
    # then
    seeded.refresh_from_db()
    edited.refresh_from_db()
    assert seeded.description_es.startswith("Comunica a quien hizo la recomendación")
    assert edited.description_es == ""
    assert not MessageTemplate.objects.exclude(description="").filter(description_es="", code="welcome").exists()


def test_the_template_migration_keeps_a_spanish_description_the_company_wrote():
    template = MessageTemplate.objects.get(code="welcome", channel="email", language="en")
    MessageTemplate.objects.filter(pk=template.pk).update(description_es="Bienvenida a nuestra manera")
    translate("aftersales.messaging.migrations.0006_spanish_descriptions")
    template.refresh_from_db()
    assert template.description_es == "Bienvenida a nuestra manera"


def test_the_playbook_migration_fills_the_shipped_playbooks_and_steps_and_leaves_renamed_ones():
    Playbook.objects.update(name_es="", description_es="")
    PlaybookStep.objects.update(name_es="")
    renamed = PlaybookStep.objects.get(name="Satisfaction survey")
    renamed.name = "How did we do?"
    renamed.save()
    care = Playbook.objects.get(name="Customer care touches")
    care.description = "Our own description"
    care.save()

    translate("aftersales.followup.migrations.0007_spanish_names")

    care.refresh_from_db()
    assert care.name_es == "Detalles de atención al cliente" and care.description_es == ""
    default = Playbook.objects.get(name="Default follow-up")
    assert default.name_es == "Seguimiento estándar" and default.description_es.startswith("Lo que recibe cada cliente")
    assert PlaybookStep.objects.get(name="Exchange window closing").name_es == "Fin del plazo de cambio"
    renamed.refresh_from_db()
    assert renamed.name_es == ""


def test_the_service_core_and_returns_migrations_fill_the_seeded_names_and_leave_renamed_ones():
    for model in (Queue, SlaPolicy, EscalationRule, BusinessCalendar, ReturnPolicy):
        model.objects.update(name_es="")
    SlaPolicy.objects.filter(name="Standard").update(name="Our standard")

    translate("aftersales.service.migrations.0009_spanish_names")
    translate("aftersales.core.migrations.0008_spanish_names")
    translate("aftersales.warranty.migrations.0008_spanish_names")

    assert Queue.objects.get(name="Service desk").name_es == "Servicio de atención"
    assert SlaPolicy.objects.get(name="Our standard").name_es == ""
    assert EscalationRule.objects.get().name_es.startswith("Avisar a los responsables de servicio")
    assert BusinessCalendar.objects.get(name="Office hours").name_es == "Horario de oficina"
    assert ReturnPolicy.objects.get(is_default=True).name_es == "Devoluciones estándar"


# --- the console ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("es", "Comunica a quien hizo la recomendación", "Tells the referrer that their friend"),
        ("en", "Tells the referrer that their friend", "Comunica a quien hizo la recomendación"),
    ],
)
def test_the_template_list_describes_templates_in_the_readers_language(signed_in, manager, language, shown, hidden):
    html = page(signed_in(reader(manager, language)), reverse("console:messaging_templates"), q="referral_converted")
    assert shown in html and hidden not in html


def test_the_template_editor_saves_a_spanish_description(signed_in, admin_user):
    template = MessageTemplate.objects.get(code="welcome", channel="email", language="en")
    client = signed_in(admin_user)
    form = page(client, reverse("console:messaging_template", args=[template.pk]))
    assert 'name="description_es"' in form and "Se envía tras una primera compra" in form
    data = {name: getattr(template, name) for name in ("code", "channel", "language", "purpose", "subject", "body")}
    data.update(description="After a first purchase", description_es="Tras una primera compra")
    response = client.post(reverse("console:messaging_template", args=[template.pk]), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.description_es == "Tras una primera compra"


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("es", ["Detalles de atención al cliente", "Seguimiento estándar", "Tarjetas de cumpleaños (por correo"]),
        ("en", ["Customer care touches", "Default follow-up", "Birthday cards (email"]),
    ],
)
def test_the_playbook_list_shows_names_and_descriptions_in_the_readers_language(signed_in, manager, language, names):
    html = page(signed_in(reader(manager, language)), reverse("console:followup_playbooks"))
    assert all(name in html for name in names)
    other = "Customer care touches" if language == "es" else "Detalles de atención al cliente"
    assert other not in html


@pytest.mark.parametrize(("language", "step"), [("es", "Fin del plazo de cambio"), ("en", "Exchange window closing")])
def test_the_playbook_page_and_the_step_editor_name_steps_in_the_readers_language(signed_in, manager, language, step):
    client = signed_in(reader(manager, language))
    playbook = Playbook.objects.get(name="Default follow-up")
    assert step in page(client, reverse("console:followup_playbook", args=[playbook.pk]))
    closing = PlaybookStep.objects.get(name="Exchange window closing")
    editor = page(client, reverse("console:followup_step", args=[closing.pk]))
    assert f"<h1>{step}</h1>" in editor
    picker = "Los últimos días para cambiar una unidad" if language == "es" else "The last days to exchange a unit"
    assert picker in editor


def test_the_playbook_editor_saves_spanish_names(signed_in, admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("console:followup_playbook_new"),
        {"name": "Winter care", "name_es": "Cuidados de invierno", "description": "Cold", "description_es": "Frío"},
    )
    assert response.status_code == 302
    playbook = Playbook.objects.get(name="Winter care")
    assert (playbook.name_es, playbook.description_es) == ("Cuidados de invierno", "Frío")


@time_machine.travel(at(dt.date(2025, 3, 10)), tick=False)
@pytest.mark.parametrize(("language", "step"), [("es", "Encuesta de satisfacción"), ("en", "Satisfaction survey")])
def test_the_customer_page_names_coming_touches_in_the_readers_language(signed_in, agent, language, step):
    only_steps("Satisfaction survey")
    customer = CustomerFactory()
    bought(customer, sold_on=dt.date(2025, 2, 18), delivered_on=dt.date(2025, 2, 18))
    html = page(signed_in(reader(agent, language)), reverse("console:customer", args=[customer.pk]))
    assert step in html


@pytest.mark.parametrize(
    ("slug", "spanish", "english"),
    [
        ("queues", "Servicio de atención", "Service desk"),
        ("sla", "Estándar", "Standard"),
        ("calendars", "Horario de oficina", "Office hours"),
        ("escalation", "Avisar a los responsables de servicio", "Tell the service managers about late first responses"),
    ],
)
def test_the_service_desk_setup_lists_seeded_names_in_the_readers_language(signed_in, admin_user, slug, spanish, english):
    url = reverse("console:setup_list", args=[slug])
    spanish_page = page(signed_in(reader(admin_user, "es")), url)
    assert spanish in spanish_page and english not in spanish_page
    assert english in page(signed_in(reader(admin_user, "en")), url)


def test_queue_pickers_name_queues_in_the_readers_language(signed_in, admin_user):
    html = page(signed_in(reader(admin_user, "es")), reverse("console:setup_new", args=["rules"]))
    assert ">Servicio de atención</option>" in html


def test_the_setup_forms_save_spanish_names(signed_in, admin_user):
    client = signed_in(admin_user)
    queue = Queue.objects.get(name="Service desk")
    data = {
        "name": "Service desk",
        "name_es": "Mesa de ayuda",
        "department": queue.department_id,
        "assignment_mode": queue.assignment_mode,
        "is_default": "on",
        "active": "on",
    }
    response = client.post(reverse("console:setup_edit", args=["queues", queue.pk]), data)
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.name_es == "Mesa de ayuda"
    assert 'name="name_es"' in page(client, reverse("console:setup_edit", args=["calendars", BusinessCalendar.objects.get().pk]))


@pytest.mark.parametrize(("language", "shown"), [("es", "Devoluciones estándar"), ("en", "Standard returns")])
def test_the_return_policies_show_the_default_policy_in_the_readers_language(signed_in, manager, language, shown):
    assert shown in page(signed_in(reader(manager, language)), reverse("console:return_policies"))


def test_departments_keep_their_spanish_names():
    assert Department.objects.get(code="service").display_name("es") == "Servicio técnico"
