"""The portal's "Refer a friend": my link and code, my referrals masked, nobody else's."""

from __future__ import annotations

import pytest

from aftersales.referrals.models import Referral
from tests.factories import CustomerFactory, SaleFactory
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db


def test_refer_a_friend_shows_my_link_code_and_masked_referrals(programme, referrer, portal_as, today):
    refer(referrer, name="Pablo Ruiz Soto")
    client = portal_as(referrer)

    page = client.get("/portal/referrals/").content.decode()

    code = referrer.referral_code.code
    assert f"/portal/r/{code}/" in page and code in page
    assert "Pablo R. S." in page and "Ruiz" not in page and "pablo@example.com" not in page


def test_i_see_only_my_own_referrals_on_the_page_and_in_the_api(programme, referrer, portal_as, today):
    other = CustomerFactory()
    SaleFactory(customer=other)
    theirs = refer(other, name="Marta Secreta", email="marta@example.com")
    mine = refer(referrer)
    client = portal_as(referrer)

    page = client.get("/portal/referrals/").content.decode()
    listing = client.get("/api/v1/referrals/referrals").json()

    assert "Marta" not in page
    assert [item["id"] for item in listing["items"]] == [mine.pk]
    assert client.get(f"/api/v1/referrals/referrals/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/referrals/referrals/{mine.pk}").status_code == 200


def test_a_customer_who_never_bought_is_told_when_referrals_open(programme, portal_as):
    newcomer = CustomerFactory()

    page = portal_as(newcomer).get("/portal/referrals/").content.decode()

    assert "Referrals open once you have made a purchase" in page
    assert not Referral.objects.exists()


def test_the_portal_customer_cannot_record_or_reject_through_the_api(programme, referrer, portal_as):
    referral = refer(referrer)
    client = portal_as(referrer)

    assert (
        client.post(
            "/api/v1/referrals/referrals", {"referrer_id": referrer.pk, "name": "X", "email": "x@example.com", "consent": True}
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/referrals/referrals/{referral.pk}/reject", {"note": "no"}).status_code == 403
