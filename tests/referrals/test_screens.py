"""Console screens of referrals: the funnel, the list and a referral, recording by hand, a customer's referrals,
the programme's settings, and who may open what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.referrals.models import Referral, ReferralSettings, ReferralStatus, RejectionReason
from aftersales.referrals.services import code_for, link_view_count
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db


def test_the_funnel_shows_each_step_and_rejections_by_reason(programme, referrer, agent, signed_in, today):
    link_view_count(code=code_for(customer=referrer))
    refer(referrer)
    refer(referrer, email="lucia@example.com")

    response = signed_in(agent).get("/referrals/", {"since": "2026-03-01", "until": "2026-03-31"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Links opened" in page and "Self-referral" in page
    assert 'href="/referrals/list/?status=rejected&amp;reason=self_referral"' in page


def test_the_list_filters_by_status_and_opens_a_referral(programme, referrer, agent, signed_in):
    kept = refer(referrer)
    refer(referrer, name="Self Myself", email="lucia@example.com")
    client = signed_in(agent)

    pending = client.get("/referrals/list/", {"status": "pending"}).content.decode()
    detail = client.get(f"/referrals/{kept.pk}/").content.decode()

    assert "Pablo Ruiz Soto" in pending and "Self Myself" not in pending
    assert "pablo@example.com" in detail and "Lucía Fernández Gil" in detail
    assert "Reject the referral" not in detail  # agents may not reject


def test_a_rep_records_a_referral_by_hand_and_sees_a_rejection_explained(programme, referrer, rep, signed_in, today):
    client = signed_in(rep)
    url = f"/referrals/new/?customer={referrer.pk}"
    base = {"name": "Pablo Ruiz", "email": "pablo@example.com", "phone": "", "address": "", "language": "es", "source": "store"}

    missing_consent = client.post(url, base)
    recorded = client.post(url, {**base, "consent": "on"}, follow=True)
    rejected = client.post(url, {**base, "email": "lucia@example.com", "consent": "on"}, follow=True)

    assert "must agree to be contacted" in missing_consent.content.decode()
    assert "Referral of Pablo Ruiz recorded" in recorded.content.decode()
    assert "Recorded as rejected: Self-referral" in rejected.content.decode()
    assert list(Referral.objects.order_by("pk").values_list("source", "status")) == [
        ("store", ReferralStatus.PENDING),
        ("store", ReferralStatus.REJECTED),
    ]


def test_choosing_the_referrer_searches_customers(programme, referrer, rep, signed_in):
    page = signed_in(rep).get("/referrals/new/", {"q": "Lucía"}).content.decode()

    assert f"?customer={referrer.pk}" in page


def test_a_manager_rejects_a_pending_referral(programme, referrer, manager, signed_in):
    referral = refer(referrer)

    response = signed_in(manager).post(f"/referrals/{referral.pk}/reject/", {"note": "Asked us not to call"}, follow=True)

    referral.refresh_from_db()
    assert referral.rejection_reason == RejectionReason.STAFF
    assert "Asked us not to call" in response.content.decode()


def test_the_customer_page_shows_the_code_and_managers_switch_it_off(programme, referrer, manager, signed_in):
    client = signed_in(manager)
    client.post(f"/referrals/customers/{referrer.pk}/code/", {"action": "create"})
    code = referrer.referral_code.code

    page = client.get(f"/referrals/customers/{referrer.pk}/").content.decode()
    client.post(f"/referrals/customers/{referrer.pk}/code/", {"action": "off"})

    assert code in page and f"/portal/r/{code}/" in page and "Invite to refer" in page
    assert code_for(customer=referrer).active is False


def test_the_console_customer_page_links_to_the_customers_referrals(programme, referrer, rep, signed_in):
    page = signed_in(rep).get(f"/customers/{referrer.pk}/").content.decode()

    assert f"/referrals/customers/{referrer.pk}/" in page


def test_managers_change_the_programme_and_others_may_not_open_it(programme, manager, rep, signed_in):
    values = {
        "active": "on",
        "referrer_points": "300",
        "referrer_voucher_value": "10.00",
        "referred_points": "0",
        "referred_voucher_value": "15.00",
        "voucher_valid_days": "60",
        "attribution_days": "120",
        "min_first_purchase": "100.00",
        "invitation_cooldown_days": "30",
    }

    assert signed_in(rep).get("/referrals/settings/").status_code == 403
    response = signed_in(manager).post("/referrals/settings/", values)

    assert response.status_code == 302
    saved = ReferralSettings.objects.get()
    assert (saved.referrer_points, saved.referred_voucher_value, saved.attribution_days) == (300, Decimal("15.00"), 120)
    assert saved.updated_by == manager


def test_the_navigation_links_follow_permissions(programme, manager, technician, signed_in):
    manager_page = signed_in(manager).get("/referrals/").content.decode()
    technician_page = signed_in(technician).get("/referrals/").content.decode()

    assert 'href="/referrals/settings/"' in manager_page
    assert 'href="/referrals/settings/"' not in technician_page and 'href="/referrals/list/"' in technician_page


def test_a_portal_customer_cannot_open_the_console_screens(programme, referrer, portal_as):
    response = portal_as(referrer).get("/referrals/list/")

    assert response.status_code == 403
