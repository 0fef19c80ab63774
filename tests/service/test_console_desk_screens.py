"""Console screens of the service desk: the staff inbox, agents' languages and shifts, and mailboxes."""

from __future__ import annotations

import datetime as dt
import imaplib
import re

import pytest
from django.utils import translation

from aftersales.core.models import Notification
from aftersales.core.roles import Role
from aftersales.core.services import notification_send
from aftersales.service.models import AgentProfile, AgentShift, Mailbox
from tests.factories import staff
from tests.service.helpers import signed_in, text_of

pytestmark = pytest.mark.django_db


# --- the inbox ------------------------------------------------------------------------------------


def _notify(user, reference="#7", link="/tickets/7/"):
    return notification_send(user=user, kind="ticket_assigned", data={"reference": reference, "subject": "Leak"}, link=link)


def test_the_inbox_lists_only_my_notifications_in_my_language_with_the_unread_count_in_the_nav(agent, manager):
    mine = _notify(agent, "#7")
    _notify(manager, "#99")
    agent.language = "es"
    agent.save()

    with translation.override("es"):
        page = text_of(signed_in(agent).get("/inbox/", HTTP_ACCEPT_LANGUAGE="es"))

    assert "#7" in page and "#99" not in page
    assert f'href="/inbox/{mine.pk}/"' in page
    assert re.search(r'href="/inbox/"[^>]*>[^<]*<span class="count count-alert"[^>]*>1</span>', page)


def test_opening_a_notification_marks_it_read_and_follows_its_link(agent):
    notification = _notify(agent, link="/tickets/7/")

    response = signed_in(agent).get(f"/inbox/{notification.pk}/")

    assert response.status_code == 302 and response["Location"] == "/tickets/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_off_the_site_is_not_followed(agent):
    notification = _notify(agent, link="//evil.example.com/x")

    response = signed_in(agent).get(f"/inbox/{notification.pk}/")

    assert response["Location"] == "/inbox/"


def test_another_members_notification_cannot_be_opened_nor_marked_read(agent, manager):
    theirs = _notify(manager)

    assert signed_in(agent).get(f"/inbox/{theirs.pk}/").status_code == 404
    signed_in(agent).post("/inbox/read/", {"all": "1"})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_the_ticked_or_all_notifications_read(agent):
    first, second, third = _notify(agent, "#1"), _notify(agent, "#2"), _notify(agent, "#3")
    client = signed_in(agent)

    client.post("/inbox/read/", {"notification": [str(first.pk)]})
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {second.pk, third.pk}
    unread_page = text_of(client.get("/inbox/?unread=1"))
    assert "#1" not in unread_page and "#2" in unread_page

    client.post("/inbox/read/", {"all": "1"})
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()


def test_customers_and_anonymous_visitors_have_no_inbox(customer_user_client, client):
    assert customer_user_client.get("/inbox/").status_code == 403
    assert client.get("/inbox/").status_code == 302


@pytest.fixture
def customer_user_client(customer):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=False)
    customer.user = user
    customer.save()
    return signed_in(user)


# --- agents ---------------------------------------------------------------------------------------


def _shift_post(languages, available, shifts):
    data = {"languages": languages, "shifts-TOTAL_FORMS": str(len(shifts)), "shifts-INITIAL_FORMS": "0"}
    if available:
        data["available"] = "on"
    for index, (weekday, starts, ends) in enumerate(shifts):
        data.update({f"shifts-{index}-weekday": weekday, f"shifts-{index}-starts_at": starts, f"shifts-{index}-ends_at": ends})
    return data


def test_a_manager_sets_an_agents_languages_availability_and_a_night_shift(manager, desk_agent):
    client = signed_in(manager)

    response = client.post(f"/agents/{desk_agent.pk}/", _shift_post(["en", "es"], False, [("0", "22:00", "06:00"), ("", "", "")]))

    assert response.status_code == 302
    profile = AgentProfile.objects.get(user=desk_agent)
    assert (sorted(profile.languages), profile.available) == (["en", "es"], False)
    assert list(AgentShift.objects.filter(user=desk_agent).values_list("weekday", "starts_at", "ends_at")) == [
        (0, dt.time(22), dt.time(6))
    ]
    listing = text_of(client.get("/agents/"))
    assert "22:00–06:00" in listing and "away" in listing


def test_a_shift_ending_when_it_starts_is_refused_on_its_row_and_nothing_is_saved(manager, desk_agent):
    AgentShift.objects.create(user=desk_agent, weekday=1, starts_at=dt.time(8), ends_at=dt.time(14))

    response = signed_in(manager).post(
        f"/agents/{desk_agent.pk}/", _shift_post(["en"], True, [("", "", ""), ("2", "09:00", "09:00")])
    )

    assert response.status_code == 400
    assert "must differ from the start" in text_of(response)
    assert list(AgentShift.objects.filter(user=desk_agent).values_list("weekday", flat=True)) == [1]
    assert not AgentProfile.objects.filter(user=desk_agent, languages=["en"]).exists()


def test_a_half_filled_shift_row_is_refused(manager, desk_agent):
    response = signed_in(manager).post(f"/agents/{desk_agent.pk}/", _shift_post([], True, [("3", "09:00", "")]))

    assert response.status_code == 400
    assert not AgentShift.objects.filter(user=desk_agent).exists()


def test_agents_cannot_open_the_agents_screen(desk_agent):
    client = signed_in(desk_agent)
    assert client.get("/agents/").status_code == 403
    assert client.post(f"/agents/{desk_agent.pk}/", _shift_post(["en"], True, [])).status_code == 403


# --- mailboxes ------------------------------------------------------------------------------------


def _mailbox_post(desk, **changes):
    data = {
        "queue": str(desk.pk),
        "host": "imap.example.com",
        "port": "993",
        "security": "ssl",
        "ssl_verify": "on",
        "username": "support@example.com",
        "password_variable": "SUPPORT_IMAP_PASSWORD",
        "folder": "INBOX",
        "active": "on",
    }
    data.update(changes)
    return data


def test_a_manager_adds_and_edits_a_mailbox_and_the_password_is_never_shown(manager, desk, settings):
    settings.SERVICE_MAILBOX_PASSWORDS = {"SUPPORT_IMAP_PASSWORD": "s3cret-Pa55"}
    client = signed_in(manager)

    created = client.post("/service-setup/mailboxes/new/", _mailbox_post(desk))
    mailbox = Mailbox.objects.get()
    edited = client.post(f"/service-setup/mailboxes/{mailbox.pk}/", _mailbox_post(desk, folder="Support", port="143"))
    page = text_of(client.get(f"/service-setup/mailboxes/{mailbox.pk}/"))

    assert created.status_code == 302 and edited.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.folder, mailbox.port) == ("Support", 143)
    assert "s3cret-Pa55" not in page
    assert "found in the settings" in page
    assert "support@example.com" in text_of(client.get("/service-setup/mailboxes/"))


def test_a_password_typed_where_its_variable_goes_is_refused(manager, desk):
    response = signed_in(manager).post("/service-setup/mailboxes/new/", _mailbox_post(desk, password_variable="hunter 2!"))

    assert response.status_code == 400
    assert "not the password" in text_of(response)
    assert not Mailbox.objects.exists()


def test_testing_the_connection_says_what_went_wrong_or_that_it_works(manager, desk, settings, monkeypatch):
    settings.SERVICE_MAILBOX_PASSWORDS = {"SUPPORT_IMAP_PASSWORD": "s3cret"}
    mailbox = Mailbox.objects.create(
        queue=desk, host="imap.example.com", username="support@example.com", password_variable="SUPPORT_IMAP_PASSWORD"
    )
    opened = []

    class FakeImap:
        def __init__(self, host, port, **kwargs):
            opened.append((host, port))

        def login(self, user, password):
            if password != "s3cret":
                raise imaplib.IMAP4.error("AUTHENTICATIONFAILED")

        def select(self, folder, readonly=False):
            assert readonly
            return ("OK", [b"3"])

        def logout(self):
            pass

    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeImap)
    client = signed_in(manager)

    works = client.post(f"/service-setup/mailboxes/{mailbox.pk}/test/", follow=True)
    settings.SERVICE_MAILBOX_PASSWORDS = {"SUPPORT_IMAP_PASSWORD": "wrong"}
    fails = client.post(f"/service-setup/mailboxes/{mailbox.pk}/test/", follow=True)

    assert opened == [("imap.example.com", 993), ("imap.example.com", 993)]
    assert "the mailbox works" in text_of(works)
    assert "AUTHENTICATIONFAILED" in text_of(fails)


def test_only_managers_and_administrators_reach_the_mailboxes(desk_agent, admin_user, desk):
    mailbox = Mailbox.objects.create(queue=desk, host="imap.example.com", username="a@example.com", password_variable="X")

    assert signed_in(desk_agent).get("/service-setup/mailboxes/").status_code == 403
    assert signed_in(desk_agent).post(f"/service-setup/mailboxes/{mailbox.pk}/test/").status_code == 403
    assert signed_in(staff(Role.SALES_REP)).get("/service-setup/mailboxes/").status_code == 403
    assert signed_in(admin_user).get("/service-setup/mailboxes/").status_code == 200
