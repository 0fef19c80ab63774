"""The mailboxes and inbound mail API: who may configure, what is refused, the raw email, a poll on demand."""

from __future__ import annotations

import pytest

from aftersales.service import mail_in
from aftersales.service.mail_in import mail_receive
from aftersales.service.models import InboundOutcome, Mailbox, MailSource
from tests.mail.helpers import email_bytes

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def test_a_manager_adds_a_mailbox_naming_where_its_password_is_never_the_password(api_as, manager, desk):
    client = api_as(manager)

    created = client.post(
        "/api/v1/mailboxes",
        {
            "queue_id": desk.pk,
            "host": "imap.shop.example",
            "username": "support@shop.example",
            "password_variable": "SUPPORT_IMAP",
        },
    )
    refused = client.post(
        "/api/v1/mailboxes",
        {"queue_id": 999, "host": "", "port": 70000, "security": "ftp", "username": "x", "password_variable": "s3cret pass!"},
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["port"] == 993 and body["security"] == "ssl" and body["ssl_verify"] is True and body["folder"] == "INBOX"
    assert Mailbox.objects.get().password_variable == "SUPPORT_IMAP"
    assert refused.status_code == 400
    assert set(_fields(refused)) == {"queue_id", "host", "port", "security", "password_variable"}


def test_agents_cannot_see_or_configure_mailboxes(api_as, agent, desk):
    client = api_as(agent)

    assert client.get("/api/v1/mailboxes").status_code == 403
    assert (
        client.post(
            "/api/v1/mailboxes", {"queue_id": desk.pk, "host": "h", "username": "u", "password_variable": "P"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/inbound-mail").status_code == 403


def test_moving_a_mailbox_to_another_folder_reads_that_folder_from_its_start(api_as, manager, desk):
    mailbox = Mailbox.objects.create(queue=desk, host="h", username="u", password_variable="P", uid_validity=7, last_uid=40)

    response = api_as(manager).patch(f"/api/v1/mailboxes/{mailbox.pk}", {"folder": "Support"})

    assert response.status_code == 200
    assert (response.json()["folder"], response.json()["last_uid"], response.json()["uid_validity"]) == ("Support", 0, None)


def test_the_inbound_log_lists_by_outcome_and_gives_the_raw_email_back(api_as, manager, agent, desk):
    raw = email_bytes(message_id="<raw@mail.example>")
    mail_receive(raw=raw, source=MailSource.PIPE)
    mail_receive(raw=email_bytes(headers={"Precedence": "bulk"}), source=MailSource.PIPE)
    client = api_as(manager)

    listed = client.get("/api/v1/inbound-mail", {"outcome": "automatic"})
    opened = client.get("/api/v1/inbound-mail", {"outcome": "opened"}).json()["items"][0]
    download = client.get(f"/api/v1/inbound-mail/{opened['id']}/raw")

    assert listed.json()["count"] == 1 and listed.json()["items"][0]["reason"] == "precedence"
    assert opened["ticket_reference"].startswith("#") and opened["message_id"] == "<raw@mail.example>"
    assert download.status_code == 200 and download["Content-Type"] == "message/rfc822"
    assert b"".join(download.streaming_content) == raw
    assert api_as(agent).get(f"/api/v1/inbound-mail/{opened['id']}/raw").status_code == 403
    assert client.get("/api/v1/inbound-mail", {"outcome": "lost"}).status_code == 400


def test_a_failed_email_is_taken_in_again_through_the_api(api_as, manager, desk, monkeypatch):
    original = mail_in.ticket_open
    monkeypatch.setattr(mail_in, "ticket_open", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("down")))
    failed = mail_receive(raw=email_bytes(), source=MailSource.PIPE).inbound
    monkeypatch.setattr(mail_in, "ticket_open", original)

    response = api_as(manager).post(f"/api/v1/inbound-mail/{failed.pk}/retry")

    assert response.status_code == 200 and response.json()["outcome"] == InboundOutcome.OPENED


def test_polling_a_mailbox_on_demand_reports_what_came_in(api_as, manager, dovecot, imap_account, mailbox):
    dovecot.deliver(imap_account.username, email_bytes())

    response = api_as(manager).post(f"/api/v1/mailboxes/{mailbox.pk}/fetch")

    assert response.status_code == 200
    assert response.json() == {"taken": 1, "duplicates": 0, "outcomes": {"opened": 1}, "error": ""}


def test_the_admin_refuses_a_password_where_the_variable_name_goes(client, manager, desk):
    client.force_login(manager)
    form = {
        "queue": desk.pk,
        "host": "imap.shop.example",
        "port": 993,
        "security": "ssl",
        "ssl_verify": "on",
        "username": "support@shop.example",
        "folder": "INBOX",
        "active": "on",
    }

    refused = client.post("/admin/service/mailbox/add/", {**form, "password_variable": "Tr0ub4dor&3"})
    added = client.post("/admin/service/mailbox/add/", {**form, "password_variable": "SUPPORT_IMAP_PASSWORD"})

    assert refused.status_code == 200 and "not the password" in refused.content.decode()
    assert added.status_code == 302
    assert list(Mailbox.objects.values_list("password_variable", flat=True)) == ["SUPPORT_IMAP_PASSWORD"]
