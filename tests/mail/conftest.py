"""Fixtures for service desk email: a real Dovecot server, an IMAP account and a mailbox polling it."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from aftersales.service.models import Mailbox, MailSecurity
from tests.mail.dovecot import Dovecot, dovecot_start
from tests.service.conftest import desk, desk_agent, service_department  # noqa: F401 - fixtures shared with the ticket tests


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server of our own for this test session (one per xdist worker)."""
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    server = dovecot_start(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Account:
    username: str
    password: str


@pytest.fixture
def imap_account(dovecot: Dovecot) -> Account:
    """A fresh IMAP user with an empty INBOX."""
    username, password = dovecot.account_take()
    return Account(username=username, password=password)


@pytest.fixture
def mailbox(desk, dovecot: Dovecot, imap_account: Account, settings) -> Mailbox:  # noqa: F811
    """The desk queue's mailbox on the test server; its password only in settings, never in the row."""
    settings.SERVICE_MAILBOX_PASSWORDS = {"DESK_MAILBOX_PASSWORD": imap_account.password}
    desk.email_address = "support@shop.example"
    desk.save(update_fields=["email_address"])
    return Mailbox.objects.create(
        queue=desk,
        host=dovecot.host,
        port=dovecot.imaps_port,
        security=MailSecurity.SSL,
        ssl_verify=False,
        username=imap_account.username,
        password_variable="DESK_MAILBOX_PASSWORD",
    )


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"
    settings.MESSAGING_QUIET_HOURS = None
