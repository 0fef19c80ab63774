"""The mail sweep: ``aftersales tick`` polls the active mailboxes every minute."""

from __future__ import annotations

import datetime as dt

from aftersales.core.tick import sweep_register
from aftersales.service.mail_in import mailboxes_fetch


@sweep_register("service.mail_fetch", every=dt.timedelta(minutes=1))
def mail_fetch() -> dict[str, int]:
    """Take in the new mail of every active mailbox."""
    return mailboxes_fetch()
