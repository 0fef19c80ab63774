"""Recording a friend, and the fraud guards: each rejection is kept with its reason, bad input stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.referrals.models import Referral, ReferralStatus, RejectionReason
from aftersales.referrals.services import address_key, code_for, code_set_active, referral_reject
from tests.factories import CustomerFactory, SaleFactory
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db


def test_a_friend_is_recorded_pending_with_normalised_details_consent_and_window(programme, referrer, today):
    referral = refer(referrer, email="  Pablo@Example.COM ", phone="612 345 678", address="Avenida  del Sol 3")

    assert referral.status == ReferralStatus.PENDING
    assert (referral.email, referral.phone) == ("pablo@example.com", "+34612345678")
    assert referral.address_key == "avenidadelsol3"
    assert referral.consent and referral.consent_at is not None
    assert referral.referred_on == today and referral.expires_on == today + dt.timedelta(days=180)
    assert TimelineEvent.objects.filter(customer=referrer, kind="referral_recorded").count() == 1


@pytest.mark.parametrize(
    "details",
    [
        {"email": "LUCIA@example.com"},
        {"email": "", "phone": "611 000 111"},
        {"email": "other@example.com", "address": "calle mayor 5, 28013"},
        {"email": "other@example.com", "address": "CALLE MAYOR 5"},
    ],
    ids=["email", "phone", "address-with-postcode", "street"],
)
def test_self_referral_is_rejected_whatever_the_case_spaces_or_punctuation(programme, referrer, details):
    referral = refer(referrer, **details)

    assert referral.status == ReferralStatus.REJECTED
    assert referral.rejection_reason == RejectionReason.SELF_REFERRAL
    assert TimelineEvent.objects.filter(customer=referrer, kind="referral_rejected").exists()


@pytest.mark.parametrize(
    "second",
    [
        {"email": "PABLO@example.com"},
        {"email": "", "phone": "+34 612 345 678"},
        {"email": "pablo.other@example.com", "address": "avenida del sol, 3"},
    ],
    ids=["same-email", "same-phone", "same-address"],
)
def test_the_same_person_referred_again_by_anyone_is_a_duplicate(programme, referrer, second):
    refer(referrer, phone="+34612345678", address="Avenida del Sol 3")
    another = CustomerFactory()
    SaleFactory(customer=another)

    referral = refer(another, **second)

    assert referral.rejection_reason == RejectionReason.DUPLICATE


def test_a_rejected_or_expired_referral_does_not_hold_the_email(programme, referrer):
    first = refer(referrer)
    referral_reject(actor=None, referral=first, note="Wrong person")
    second = refer(referrer)
    Referral.objects.filter(pk=second.pk).update(status=ReferralStatus.EXPIRED)

    third = refer(referrer)

    assert third.status == ReferralStatus.PENDING


def test_the_database_refuses_two_open_referrals_of_one_email(programme, referrer):
    first = refer(referrer)
    clone = Referral(**{f.attname: getattr(first, f.attname) for f in Referral._meta.concrete_fields if f.attname != "id"})

    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_someone_who_already_bought_is_not_a_referral(programme, referrer):
    SaleFactory(customer=CustomerFactory(email="pablo@example.com"))

    referral = refer(referrer)

    assert referral.rejection_reason == RejectionReason.ALREADY_CUSTOMER


def test_a_customer_on_file_who_never_bought_may_be_referred(programme, referrer):
    CustomerFactory(email="pablo@example.com")

    assert refer(referrer).status == ReferralStatus.PENDING


def test_a_referrer_who_never_bought_or_whose_code_is_off_cannot_refer(programme, referrer):
    newcomer = CustomerFactory()
    assert refer(newcomer).rejection_reason == RejectionReason.REFERRER_INACTIVE

    code_set_active(actor=None, code=code_for(customer=referrer), active=False)
    assert refer(referrer, email="x@example.com").rejection_reason == RejectionReason.REFERRER_INACTIVE


def test_nothing_is_accepted_while_the_programme_is_off(programme, referrer):
    programme.active = False
    programme.save()

    assert refer(referrer).rejection_reason == RejectionReason.PROGRAMME_INACTIVE


def test_bad_input_names_each_field_and_stores_nothing(programme, referrer):
    with pytest.raises(ValidationFailed) as refused:
        refer(referrer, name=" ", email="not-an-email", phone="12", consent=False, language="fr", source="fax")

    fields = {error.field for error in refused.value.errors}
    assert fields == {"name", "email", "phone", "consent", "language", "source"}
    assert not Referral.objects.exists()


def test_a_friend_needs_an_email_or_a_phone(programme, referrer):
    with pytest.raises(ValidationFailed) as refused:
        refer(referrer, email="", phone="")

    assert [error.field for error in refused.value.errors] == ["email"]


def test_staff_reject_a_pending_referral_with_a_note_only_once(programme, referrer):
    referral = refer(referrer)

    with pytest.raises(ValidationFailed):
        referral_reject(actor=None, referral=referral, note=" ")
    referral_reject(actor=None, referral=referral, note="Asked not to be contacted")

    referral.refresh_from_db()
    assert (referral.status, referral.rejection_reason, referral.rejection_note) == (
        ReferralStatus.REJECTED,
        RejectionReason.STAFF,
        "Asked not to be contacted",
    )
    with pytest.raises(Conflict):
        referral_reject(actor=None, referral=referral, note="again")


def test_codes_are_unique_unguessable_and_stable(programme, referrer):
    code = code_for(customer=referrer)
    others = {code_for(customer=CustomerFactory()).code for _ in range(30)}

    assert code_for(customer=referrer) == code
    assert len(code.code) == 8 and code.code not in others and len(others) == 30
    assert address_key("C/ Mayor, nº 5 – 2ºB") == "cmayornº52ºb"
