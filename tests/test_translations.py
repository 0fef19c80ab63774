"""The Spanish catalogue is complete and shipped compiled, and every reader gets their own language."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

import aftersales
from aftersales.core.errors import FieldError, ValidationFailed
from aftersales.core.models import Weekday
from aftersales.customers.services import customer_clean, customer_portal_user
from tests.factories import CustomerFactory, UnitFactory

PACKAGE = Path(aftersales.__file__).parent
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# %(name)s, %(count)d, %(value)r, %s; {{ name }}; HTML tags such as <strong> or </a>.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdr]|%[sdr]|\{\{\s*[^}]+?\s*\}\}|</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


# --- the catalogue -------------------------------------------------------------------------


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 500
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalogue.metadata["Language"] == "es"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    empty_plurals = [entry.msgid for entry in catalogue if entry.msgid_plural and not all(entry.msgstr_plural.values())]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert (untranslated, empty_plurals, fuzzy, obsolete) == ([], [], [], [])


def test_each_translation_keeps_the_placeholders_and_markup_of_its_source(catalogue):
    mismatched = []
    for entry in catalogue:
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        mismatched += [(source, text) for source, text in pairs if placeholders(source) != placeholders(text)]
    assert mismatched == []


def test_the_shipped_compiled_catalogue_matches_the_source(catalogue):
    with COMPILED.open("rb") as compiled:
        shipped = gettext.GNUTranslations(compiled)

    stale = []
    for entry in catalogue:
        if entry.msgid_plural:
            got = (shipped.ngettext(entry.msgid, entry.msgid_plural, 1), shipped.ngettext(entry.msgid, entry.msgid_plural, 2))
            want = (entry.msgstr_plural[0], entry.msgstr_plural[1])
        elif entry.msgctxt:
            got, want = shipped.pgettext(entry.msgctxt, entry.msgid), entry.msgstr
        else:
            got, want = shipped.gettext(entry.msgid), entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` to compile the catalogue"
    # One compiled message per entry, plus the header: nothing left over from older catalogues.
    assert len(shipped._catalog) == len(catalogue) + sum(1 for entry in catalogue if entry.msgid_plural) + 1  # type: ignore[attr-defined]


def test_every_string_marked_for_translation_is_in_the_catalogue(catalogue, tmp_path, monkeypatch, settings):
    # given a copy of the code with the committed catalogue
    tree = tmp_path / "aftersales"
    shutil.copytree(PACKAGE, tree, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)

    # when the strings are collected again, as `make messages` does
    call_command("makemessages", locale=["es"], no_obsolete=True, add_location="file", ignore_patterns=["locale/*"], verbosity=0)

    # then nothing new appeared, nothing became stale and nothing is left without a translation
    collected = polib.pofile(str(tree / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    assert {entry.msgid for entry in collected} == {entry.msgid for entry in catalogue}
    assert [entry.msgid for entry in collected.untranslated_entries()] == []
    assert [entry.msgid for entry in collected.fuzzy_entries()] == []


def test_no_string_marked_for_translation_is_hidden_from_the_collector():
    # xgettext reads neither calls inside f-strings nor messages that are not literals.
    literal_arguments = {"_": 1, "gettext": 1, "gettext_lazy": 1, "gettext_noop": 1}
    literal_arguments |= {"ngettext": 2, "ngettext_lazy": 2, "pgettext": 2, "pgettext_lazy": 2}
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_f_strings = {
            id(node) for f_string in ast.walk(tree) if isinstance(f_string, ast.JoinedStr) for node in ast.walk(f_string)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in literal_arguments:
                continue
            messages = node.args[: literal_arguments[name]]
            literal = len(messages) == literal_arguments[name] and all(isinstance(arg, ast.Constant) for arg in messages)
            if id(node) in in_f_strings or not literal:
                hidden.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert hidden == []


# --- readers ------------------------------------------------------------------------------


def test_a_spanish_customer_sees_the_portal_in_spanish(client, db, time_machine):
    # Sold on 1 March 2025 under a 24-month warranty: covered on this day.
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)
    ana = CustomerFactory(name="Ana Ruiz", language="es")
    UnitFactory(customer=ana, serial="BIKE-42", sale_line__sale__customer=ana)
    client.force_login(customer_portal_user(customer=ana))

    page = client.get(reverse("portal:products"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Mis productos" in page
    assert "Los productos que nos ha comprado, con su garantía a día de hoy." in page
    assert "Cubierto hasta el" in page
    assert "My products" not in page


def test_a_spanish_speaking_staff_member_sees_the_console_in_spanish(client, agent):
    agent.language = "es"
    agent.save(update_fields=["language"])
    client.force_login(agent)

    page = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Buscar clientes" in page
    assert "Cerrar sesión" in page
    assert "Search customers" not in page


def test_the_api_gives_reasons_in_the_requests_language_and_english_by_default(api_as, agent):
    client = api_as(agent)
    bad = {"name": "Ana", "email": "not-an-address"}

    english = client.post("/api/v1/customers", bad)
    spanish = client.post("/api/v1/customers", bad, HTTP_ACCEPT_LANGUAGE="es")

    assert english.status_code == spanish.status_code == 400
    assert english.json()["detail"] == "Validation failed."
    assert english.json()["errors"] == [
        {"field": "email", "reason": "'not-an-address' is not a valid email address", "code": "invalid"}
    ]
    assert spanish.json()["detail"] == "Los datos no son válidos."
    assert spanish.json()["errors"] == [
        {"field": "email", "reason": "'not-an-address' no es una dirección de correo electrónico válida", "code": "invalid"}
    ]


def test_the_api_names_missing_records_in_the_requests_language(api_as, agent):
    client = api_as(agent)

    assert client.get("/api/v1/customers/999999").json()["detail"] == "No such customer."
    assert client.get("/api/v1/customers/999999", HTTP_ACCEPT_LANGUAGE="es").json()["detail"] == "Este cliente no existe."


def test_a_spanish_speaking_staff_member_reads_form_errors_in_spanish(client, agent):
    agent.language = "es"
    agent.save(update_fields=["language"])
    maria = CustomerFactory(name="María Fernández", language="es")
    client.force_login(agent)

    response = client.post(reverse("console:customer_edit", args=[maria.pk]), {"name": "María", "phone": "12", "language": "es"})

    assert response.status_code == 200
    assert "no es un número de teléfono válido" in response.content.decode()


def test_a_reason_is_translated_when_it_is_read_not_when_the_input_was_refused():
    # given input refused while English was active (a background job, say)
    with translation.override("en"):
        _, errors = customer_clean({"name": "x" * 201, "country": "Spain"})

    # then each reader sees the reasons in their own language
    with translation.override("es"):
        assert [str(error.reason) for error in errors] == [
            "tiene más de 200 caracteres",
            "debe ser un código ISO de dos letras, como ES",
        ]
    with translation.override("en"):
        assert [error.as_dict()["reason"] for error in errors] == [
            "is longer than 200 characters",
            "must be a two-letter ISO code such as ES",
        ]


def test_plural_reasons_choose_the_form_for_the_number():
    from aftersales.sales.services import sale_line_clean

    _, one = sale_line_clean(product=None, sku="", quantity=2, unit_price="1", serials=["A"])
    _, two = sale_line_clean(product=None, sku="", quantity=1, unit_price="1", serials=["A", "B"])

    with translation.override("es"):
        assert str(one[-1].reason) == "1 número de serie indicado para una cantidad de 2"
        assert str(two[-1].reason) == "2 números de serie indicados para una cantidad de 1"


def test_a_validation_failure_without_a_message_says_so_in_the_readers_language():
    failure = ValidationFailed(errors=[FieldError(field="name", reason="is required")])

    with translation.override("es"):
        assert str(failure.message) == "Los datos no son válidos."
    with translation.override("en"):
        assert str(failure.message) == "Validation failed."


def test_a_missing_page_is_explained_in_the_readers_language(client, agent):
    agent.language = "es"
    agent.save(update_fields=["language"])
    client.force_login(agent)

    response = client.get(reverse("console:customer", args=[999999]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Página no encontrada" in page
    assert "Volver al inicio de la consola" in page


def test_the_server_error_page_renders_without_a_request():
    with translation.override("es"):
        page = render_to_string("500.html")

    assert '<html lang="es">' in page
    assert "Algo ha fallado" in page


def test_the_language_switch_names_each_language_in_itself(client, db):
    english_page = client.get(reverse("portal:sign_in"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish_page = client.get(reverse("portal:sign_in"), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    for page in (english_page, spanish_page):
        assert re.search(r'lang="es"[^>]*>Español</button>', page)
        assert re.search(r'lang="en"[^>]*>English</button>', page)


def test_a_request_does_not_leave_its_language_to_what_the_thread_does_next(client, db):
    with translation.override("en"):
        client.get(reverse("portal:sign_in"), HTTP_ACCEPT_LANGUAGE="es")

        assert translation.get_language() == "en"
        assert str(ValidationFailed().message) == "Validation failed."


def test_spanish_default_templates_address_customers_as_usted_and_staff_edits_are_kept(db):
    from importlib import import_module

    from django.apps import apps

    from aftersales.messaging.models import MessageTemplate

    migration = import_module("aftersales.messaging.migrations.0004_spanish_templates_usted")
    welcome = MessageTemplate.objects.get(code="welcome", channel="email", language="es")
    sign_in = MessageTemplate.objects.get(code="portal_sign_in_link", channel="email", language="es")
    assert welcome.subject == "Le damos la bienvenida, {{ customer.first_name }}"
    assert "puede consultar sus productos" in welcome.body

    # given one template edited by staff (a new version) and one as first shipped
    MessageTemplate.objects.filter(pk=welcome.pk).update(subject="¡Hola, {{ customer.first_name }}!", version=2)
    migration.to_tu(apps, None)
    sign_in.refresh_from_db()
    assert sign_in.subject == "Tu enlace de acceso"

    # when the migration runs
    migration.to_usted(apps, None)

    # then the shipped text changes and the staff's wording stays
    sign_in.refresh_from_db()
    welcome.refresh_from_db()
    assert sign_in.subject == "Su enlace de acceso"
    assert welcome.subject == "¡Hola, {{ customer.first_name }}!"


def test_the_unsubscribe_footer_is_written_in_the_messages_language():
    from aftersales.messaging.selectors import body_with_unsubscribe

    with translation.override("en"):
        body = body_with_unsubscribe("¡Feliz cumpleaños!", link="https://example.com/u/x/", language="es")

    assert body == "¡Feliz cumpleaños!\nDarse de baja: https://example.com/u/x/\n"


def test_weekday_labels_keep_their_own_context_so_spanish_dates_stay_lowercase():
    with translation.override("es"):
        assert date_format(dt.date(2025, 5, 5), "l j \\d\\e F") == "lunes 5 de mayo"
        assert str(Weekday.MONDAY.label) == "Lunes"
