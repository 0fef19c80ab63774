"""Who is on a list: computed now from language, email consent, segments and the outbox's unsubscribes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.core.errors import ValidationFailed
from aftersales.customers.services import customer_set_consent, segment_get_or_create
from aftersales.messaging.models import Unsubscribe
from aftersales.messaging.services import marketing_unsubscribe
from aftersales.newsletter import selectors, services
from tests.factories import CustomerFactory
from tests.newsletter.conftest import agreed

pytestmark = pytest.mark.django_db


def names(newsletter_list) -> list[str]:
    return sorted(selectors.list_members(newsletter_list).values_list("name", flat=True))


def test_members_read_the_list_language_and_agreed_to_email(english_list, spanish_list):
    agreed(name="Ann", language="en")
    agreed(name="Bea", language="es")
    CustomerFactory(name="Carl", language="en")  # never agreed to email
    agreed(name="Dan", language="en", email="")  # nowhere to send it

    assert names(english_list) == ["Ann"]
    assert names(spanish_list) == ["Bea"]
    assert selectors.list_member_count(english_list) == 1


def test_an_unsubscribe_removes_the_customer_until_they_agree_again(english_list):
    ann = agreed(name="Ann")
    agreed(name="Ben")

    marketing_unsubscribe(actor=None, customer=ann)
    assert names(english_list) == ["Ben"]

    ann.refresh_from_db()
    customer_set_consent(actor=None, customer=ann, channel="email", given=True)
    assert names(english_list) == ["Ann", "Ben"]


def test_an_opt_out_recorded_after_the_consent_counts_even_if_the_consent_stayed(english_list):
    # A provider's complaint or an import may leave a later opt-out beside an old consent: the opt-out wins.
    ann = agreed(name="Ann")
    Unsubscribe.objects.create(customer=ann, channel="email", created_at=timezone.now())
    Unsubscribe.objects.create(
        customer=agreed(name="Old opt-out"), channel="email", created_at=timezone.now() - dt.timedelta(days=400)
    )
    Unsubscribe.objects.create(customer=agreed(name="Texts only"), channel="sms", created_at=timezone.now())

    assert names(english_list) == ["Old opt-out", "Texts only"]


def test_segments_narrow_a_list_and_changes_apply_at_once(english_list):
    vip = segment_get_or_create(slug="vip", name="VIP")
    ann, _ben = agreed(name="Ann"), agreed(name="Ben")
    ann.segments.add(vip)

    services.list_update(actor=None, newsletter_list=english_list, data={"segment_ids": [vip.pk]})
    assert names(english_list) == ["Ann"]
    services.list_update(actor=None, newsletter_list=english_list, data={"segment_ids": []})
    assert names(english_list) == ["Ann", "Ben"]


def test_list_rules_are_checked_and_the_field_named(english_list):
    with pytest.raises(ValidationFailed) as refused:
        services.list_create(actor=None, data={"name": "news", "language": "fr", "segment_ids": [999]})
    assert {error.field for error in refused.value.errors} == {"name", "language", "segment_ids"}
