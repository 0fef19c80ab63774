"""The referrals API: settings, codes, referrals with field errors, rejection, invitations, the funnel."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.referrals.models import Referral, ReferralStatus, RejectionReason
from aftersales.referrals.services import code_for, link_view_count
from tests.factories import CustomerFactory
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals"


def payload(referrer, **values):
    data = {"referrer_id": referrer.pk, "name": "Pablo Ruiz", "email": "pablo@example.com", "consent": True}
    data.update(values)
    return data


def test_a_rep_records_a_referral_with_the_api_source(api_as, rep, programme, referrer, today):
    response = api_as(rep).post(f"{URL}/referrals", payload(referrer, phone="612345678"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["status"], body["phone"], body["referrer_name"]) == (
        "api",
        "pending",
        "+34612345678",
        referrer.name,
    )


def test_bad_input_answers_400_naming_each_field(api_as, rep, programme, referrer):
    response = api_as(rep).post(f"{URL}/referrals", payload(referrer, email="nope", phone="1", consent=False, language="fr"))

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"email", "phone", "consent", "language"}
    assert not Referral.objects.exists()


def test_an_unknown_referrer_is_a_field_error(api_as, rep, programme):
    response = api_as(rep).post(
        f"{URL}/referrals", {"referrer_id": 999999, "name": "X", "email": "x@example.com", "consent": True}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "referrer_id"


def test_a_fraud_guard_answers_400_with_its_code_and_staff_keep_the_rejection(api_as, rep, programme, referrer):
    response = api_as(rep).post(f"{URL}/referrals", payload(referrer, email="lucia@example.com"))

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("email", "self_referral")
    assert Referral.objects.get().rejection_reason == RejectionReason.SELF_REFERRAL


def test_list_filters_and_get(api_as, agent, programme, referrer):
    kept = refer(referrer)
    refer(referrer, email="lucia@example.com")
    client = api_as(agent)

    pending = client.get(f"{URL}/referrals", {"status": "pending"}).json()
    rejected = client.get(f"{URL}/referrals", {"reason": "self_referral"}).json()

    assert [item["id"] for item in pending["items"]] == [kept.pk]
    assert rejected["count"] == 1
    assert client.get(f"{URL}/referrals/{kept.pk}").json()["name"] == "Pablo Ruiz Soto"
    assert client.get(f"{URL}/referrals/999999").status_code == 404


def test_managers_reject_reps_may_not(api_as, rep, manager, programme, referrer):
    referral = refer(referrer)

    assert api_as(rep).post(f"{URL}/referrals/{referral.pk}/reject", {"note": "x"}).status_code == 403
    missing_note = api_as(manager).post(f"{URL}/referrals/{referral.pk}/reject", {"note": ""})
    done = api_as(manager).post(f"{URL}/referrals/{referral.pk}/reject", {"note": "Duplicate by phone call"})
    again = api_as(manager).post(f"{URL}/referrals/{referral.pk}/reject", {"note": "again"})

    assert missing_note.status_code == 400 and missing_note.json()["errors"][0]["field"] == "note"
    assert done.status_code == 200 and done.json()["status"] == ReferralStatus.REJECTED
    assert again.status_code == 409


def test_settings_read_by_staff_changed_by_managers_with_field_errors(api_as, rep, manager, programme):
    assert api_as(rep).get(f"{URL}/settings").json()["attribution_days"] == 180
    assert api_as(rep).patch(f"{URL}/settings", {"attribution_days": 30}).status_code == 403

    bad = api_as(manager).patch(f"{URL}/settings", {"attribution_days": 0, "referred_voucher_value": "-1"})
    good = api_as(manager).patch(f"{URL}/settings", {"attribution_days": 30, "active": False})

    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"attribution_days", "referred_voucher_value"}
    assert good.status_code == 200 and good.json()["attribution_days"] == 30 and good.json()["active"] is False


def test_codes_are_created_once_and_switched_off_by_managers(api_as, rep, manager, programme, referrer):
    first = api_as(rep).post(f"{URL}/codes", {"customer_id": referrer.pk}).json()
    second = api_as(rep).post(f"{URL}/codes", {"customer_id": referrer.pk}).json()
    assert first == second and first["link"].endswith(f"/portal/r/{first['code']}/")

    assert api_as(rep).patch(f"{URL}/codes/{first['code']}", {"active": False}).status_code == 403
    assert api_as(manager).patch(f"{URL}/codes/{first['code'].lower()}", {"active": False}).json()["active"] is False


def test_invitations_through_the_api_keep_the_cool_down(api_as, rep, programme, referrer, today):
    referrer.consent_email_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    referrer.save()
    client = api_as(rep)

    first = client.post(f"{URL}/invitations", {"customer_id": referrer.pk, "idempotency_key": "crm-1"})
    retry = client.post(f"{URL}/invitations", {"customer_id": referrer.pk, "idempotency_key": "crm-1"})
    another = client.post(f"{URL}/invitations", {"customer_id": referrer.pk, "idempotency_key": "crm-2"})

    assert first.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert another.status_code == 409


def test_the_funnel_counts_each_step_of_the_period(api_as, agent, programme, referrer, today):
    link_view_count(code=code_for(customer=referrer))
    link_view_count(code=code_for(customer=referrer))
    refer(referrer)
    refer(referrer, email="lucia@example.com")
    other = CustomerFactory()
    refer(other, email="z@example.com")  # never bought: referrer not active

    funnel = api_as(agent).get(f"{URL}/funnel", {"since": "2026-03-01", "until": "2026-03-31"}).json()
    earlier = api_as(agent).get(f"{URL}/funnel", {"since": "2026-01-01", "until": "2026-01-31"}).json()
    backwards = api_as(agent).get(f"{URL}/funnel", {"since": "2026-03-31", "until": "2026-03-01"})

    assert (funnel["links_opened"], funnel["prospects"], funnel["rejected"]) == (2, 1, 2)
    assert funnel["rejected_by_reason"]["self_referral"] == 1 and funnel["rejected_by_reason"]["referrer_inactive"] == 1
    assert (earlier["links_opened"], earlier["prospects"]) == (0, 0)
    assert backwards.status_code == 400


def test_a_technician_reads_but_may_not_record(api_as, technician, programme, referrer):
    assert api_as(technician).get(f"{URL}/referrals").status_code == 200
    assert api_as(technician).post(f"{URL}/referrals", payload(referrer)).status_code == 403
