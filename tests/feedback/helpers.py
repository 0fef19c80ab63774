"""Building blocks for feedback tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aftersales.feedback.models import Invitation, Trigger
from aftersales.feedback.services import invitation_send, survey_for
from aftersales.messaging.models import Message


def invite(customer, trigger: str = Trigger.TICKET_RESOLVED, subject_key: str = "ticket:1", **kwargs) -> Invitation:
    """Send the default survey of a trigger to a customer."""
    survey = survey_for(trigger)
    assert survey is not None
    return invitation_send(actor=None, survey=survey, customer=customer, subject_key=subject_key, **kwargs)


def links_in(message: Message) -> dict[str, str]:
    """Return the one-click links of a survey email by their label, and the survey page as "survey"."""
    links = {}
    for line in message.body.splitlines():
        match = re.match(r"^(.+?): (https?://\S+/s/a/\S+/)$", line.strip())
        if match:
            links[match.group(1)] = match.group(2)
    survey = re.search(r"(https?://\S+/s/f/\S+/)", message.body)
    if survey:
        links["survey"] = survey.group(1)
    return links


def path_of(url: str) -> str:
    return urlsplit(url).path
