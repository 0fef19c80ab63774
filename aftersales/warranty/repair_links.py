"""Signed links in a quote email: the token names one quote of one repair order, nothing else, and expires."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aftersales.warranty.models import RepairQuote

SALT = "aftersales.warranty.repair_quote"


@dataclass(frozen=True)
class QuoteLink:
    order_id: int
    number: int


class QuoteLinkExpired(Exception):
    """The link was genuine but is older than the settings allow."""


class QuoteLinkInvalid(Exception):
    """The link was altered, cut short or made up."""


def quote_token(quote: RepairQuote) -> str:
    """Return the signed token that lets whoever holds the email answer this one quote."""
    return signing.dumps({"o": quote.order_id, "q": quote.number}, salt=SALT, compress=False)


def quote_link(quote: RepairQuote) -> str:
    """Return the absolute link to answer a quote from its email."""
    return f"{settings.SITE_URL}{reverse('portal:repair_quote_link', kwargs={'token': quote_token(quote)})}"


def quote_link_read(token: str) -> QuoteLink:
    """Return which quote a token names; raise QuoteLinkExpired or QuoteLinkInvalid."""
    max_age = settings.REPAIR_QUOTE_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
        return QuoteLink(order_id=int(data["o"]), number=int(data["q"]))
    except signing.SignatureExpired as error:
        raise QuoteLinkExpired from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise QuoteLinkInvalid from error
