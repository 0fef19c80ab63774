"""The public page behind a personal link: first name only, consent recorded, CSRF, rate limit, views counted,
and no hint to a stranger of whose details are whose."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from aftersales.portal import views_referrals
from aftersales.referrals.models import Referral, ReferralLinkView, ReferralSource, ReferralStatus, RejectionReason
from aftersales.referrals.services import code_for, code_set_active

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link(programme, referrer):
    return f"/portal/r/{code_for(customer=referrer).code}/"


def friend(**values):
    data = {"name": "Pablo Ruiz", "email": "pablo@example.com", "phone": "", "language": "es", "consent": "on"}
    data.update(values)
    return data


def test_the_page_shows_the_referrers_first_name_only_and_counts_the_opening(client, link, referrer, today):
    response = client.get(link)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Lucía" in page
    for secret in ("Fernández", "lucia@example.com", "611000111", "Calle Mayor"):
        assert secret not in page
    client.get(link)
    assert ReferralLinkView.objects.get().count == 2


def test_a_friend_leaves_their_details_with_dated_consent(client, link, referrer, today):
    response = client.post(link, friend(phone="612 345 678"))

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    referral = Referral.objects.get()
    assert (referral.referrer, referral.source, referral.status) == (referrer, ReferralSource.LINK, ReferralStatus.PENDING)
    assert referral.phone == "+34612345678" and referral.language == "es"
    assert referral.consent and referral.consent_at is not None


def test_without_consent_nothing_is_recorded_and_the_field_says_why(client, link):
    response = client.post(link, friend(consent=""))

    assert response.status_code == 400
    assert "must agree to be contacted" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_self_referral_gets_the_same_thanks_and_staff_see_the_reason(client, link, referrer):
    response = client.post(link, friend(email="lucia@example.com"))

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Referral.objects.get().rejection_reason == RejectionReason.SELF_REFERRAL


def test_a_code_switched_off_takes_no_more_friends(client, link, referrer):
    code_set_active(actor=None, code=code_for(customer=referrer), active=False)

    response = client.post(link, friend())

    assert response.status_code == 410
    assert not Referral.objects.exists()


def test_an_unknown_code_is_not_found(client, programme):
    assert client.get("/portal/r/NOSUCHCD/").status_code == 404


def test_the_form_needs_the_csrf_token(link):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(link, friend())

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_submissions_from_one_address_are_limited(client, link, monkeypatch):
    monkeypatch.setattr(views_referrals, "SUBMISSIONS_PER_ADDRESS", 3)
    answers = [client.post(link, friend(email=f"friend{n}@example.com")).status_code for n in range(5)]

    assert answers == [200, 200, 200, 429, 429]
    assert Referral.objects.count() == 3
