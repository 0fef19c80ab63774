"""Warranty claims: automatic validation, staff decisions, receipts, audit trail, notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.customers.services import customer_portal_user
from aftersales.messaging.models import Message
from aftersales.sales.models import UnitStatus
from aftersales.sales.services import unit_set_status
from aftersales.service.models import TicketMessage
from aftersales.service.services import ticket_open
from aftersales.warranty.models import ClaimEvent, ClaimStatus, DecisionReason
from aftersales.warranty.services import claim_cancel, claim_decide, claim_submit, claim_verify_receipt, exclusion_add
from aftersales.warranty.signals import claim_approved
from tests.factories import CustomerFactory, ProductFactory, UnitFactory
from tests.warranty.conftest import madrid, sold_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("ticket.png", PNG, content_type="image/png")


def unsold_unit(language: str = "en"):
    customer = CustomerFactory(language=language)
    return UnitFactory(sale_line=None, customer=customer, product=ProductFactory(), delivered_at=madrid(2025, 6, 1))


def submit(unit, actor=None, **kwargs):
    values = {"fault_code": "no_power", "fault_description": "It does not switch on any more."} | kwargs
    return claim_submit(actor=actor, unit=unit, **values)


def test_a_covered_sold_unit_is_approved_and_the_customer_told_in_their_language(django_capture_on_commit_callbacks):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1), language="es")
    approved = []
    claim_approved.connect(lambda sender, claim, **kw: approved.append(claim.pk), weak=False, dispatch_uid="test-approved")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            claim = submit(unit)
    finally:
        claim_approved.disconnect(dispatch_uid="test-approved")

    assert claim.status == ClaimStatus.APPROVED and claim.decision_reason == DecisionReason.COVERED
    assert claim.decided_at is not None and claim.decided_by is None
    assert approved == [claim.pk]
    message = Message.objects.get(customer=unit.customer, template_code="warranty_claim_decision")
    assert message.language == "es" and claim.reference in message.subject
    assert "ha sido aprobada" in message.body
    kinds = set(TimelineEvent.objects.filter(unit=unit).values_list("kind", flat=True))
    assert {"warranty_claim_submitted", "warranty_claim_decided"} <= kinds


def test_a_claim_after_the_warranty_is_rejected_with_the_reason():
    unit = sold_unit(months=6, delivered_at=madrid(2025, 3, 1))

    claim = submit(unit)

    assert claim.status == ClaimStatus.REJECTED and claim.decision_reason == DecisionReason.NOT_COVERED
    message = Message.objects.get(customer=unit.customer, template_code="warranty_claim_decision")
    assert "Not covered on the claim date" in message.body
    assert "Not covered: the warranty ended on 31 August 2025" in message.body


def test_a_replaced_unit_is_rejected(manager):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    unit_set_status(actor=manager, unit=unit, status=UnitStatus.REPLACED)

    claim = submit(unit)

    assert (claim.status, claim.decision_reason) == (ClaimStatus.REJECTED, DecisionReason.UNIT_NOT_IN_SERVICE)


def test_a_second_open_claim_for_the_same_fault_is_rejected_but_another_fault_is_not():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    submit(unit)

    again = submit(unit)
    other = submit(unit, fault_code="leak", fault_description="Water on the floor.")

    assert (again.status, again.decision_reason) == (ClaimStatus.REJECTED, DecisionReason.DUPLICATE)
    assert other.status == ClaimStatus.APPROVED


def test_without_a_sale_or_receipt_the_claim_is_rejected():
    claim = submit(unsold_unit())

    assert (claim.status, claim.decision_reason) == (ClaimStatus.REJECTED, DecisionReason.NO_PROOF)


def test_an_uploaded_receipt_waits_for_staff_and_approves_once_verified(agent):
    claim = submit(unsold_unit(), receipt=receipt())
    assert (claim.status, claim.decision_reason) == (ClaimStatus.NEEDS_INSPECTION, DecisionReason.RECEIPT_UNVERIFIED)
    assert claim.receipt_content_type == "image/png"

    claim = claim_verify_receipt(actor=agent, claim=claim, valid=True)

    assert claim.status == ClaimStatus.APPROVED and claim.receipt_verified_by == agent
    assert Message.objects.filter(template_code="warranty_claim_decision", customer=claim.customer).count() == 2


def test_a_receipt_found_invalid_rejects_the_claim(agent):
    claim = submit(unsold_unit(), receipt=receipt())

    claim = claim_verify_receipt(actor=agent, claim=claim, valid=False, text="The receipt is for another model.")

    assert (claim.status, claim.decision_reason, claim.decided_by) == (
        ClaimStatus.REJECTED,
        DecisionReason.RECEIPT_INVALID,
        agent,
    )


def test_a_receipt_that_is_not_an_image_or_pdf_is_refused():
    with pytest.raises(ValidationFailed) as failure:
        submit(unsold_unit(), receipt=SimpleUploadedFile("r.png", b"MZ\x90\x00\x03" + b"\x00" * 40))

    assert [error.field for error in failure.value.errors] == ["receipt"]


def test_an_exclusion_sends_the_claim_to_inspection_and_staff_decide_with_an_audit_trail(technician, agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    exclusion_add(actor=technician, unit=unit, note="Opened by a third party", effective_on=dt.date(2025, 10, 1))

    claim = submit(unit)
    assert (claim.status, claim.decision_reason) == (ClaimStatus.NEEDS_INSPECTION, DecisionReason.EXCLUSION)

    claim = claim_decide(actor=agent, claim=claim, decision="rejected", reason="misuse", text="Seal broken.")

    assert claim.decided_by == agent and claim.decision_text == "Seal broken."
    trail = [(event.kind, event.actor_id, event.data.get("to")) for event in ClaimEvent.objects.filter(claim=claim)]
    assert trail == [("submitted", None, None), ("checked", None, "needs_inspection"), ("decided", agent.pk, "rejected")]


def test_an_approved_claim_cannot_be_decided_again(agent):
    claim = submit(sold_unit(delivered_at=madrid(2025, 3, 1)))

    with pytest.raises(Conflict):
        claim_decide(actor=agent, claim=claim, decision="rejected", reason="misuse")


def test_staff_decisions_need_a_fitting_reason_and_text_for_other(agent):
    claim = submit(unsold_unit(), receipt=receipt())

    with pytest.raises(ValidationFailed) as failure:
        claim_decide(actor=agent, claim=claim, decision="approved", reason="misuse")
    assert [error.field for error in failure.value.errors] == ["reason"]
    with pytest.raises(ValidationFailed) as failure:
        claim_decide(actor=agent, claim=claim, decision="rejected", reason="other")
    assert [error.field for error in failure.value.errors] == ["text"]


def test_a_rejected_claim_may_be_reconsidered(agent):
    claim = submit(sold_unit(months=6, delivered_at=madrid(2025, 3, 1)))

    claim = claim_decide(actor=agent, claim=claim, decision="approved", reason="other", text="Goodwill: one week late.")

    assert claim.status == ClaimStatus.APPROVED


def test_an_undecided_claim_can_be_cancelled():
    claim = submit(unsold_unit(), receipt=receipt())

    customer_user = customer_portal_user(customer=claim.customer)

    claim = claim_cancel(actor=customer_user, claim=claim)

    assert claim.status == ClaimStatus.CANCELLED and claim.decided_by == customer_user
    assert ClaimEvent.objects.filter(claim=claim, kind="cancelled").exists()


def test_a_claim_from_a_ticket_adds_an_internal_note(agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    ticket = ticket_open(
        actor=agent, customer=unit.customer, subject="Broken", body="It stopped.", kind="claim", channel="phone", unit=unit
    )

    claim = submit(unit, actor=agent, ticket=ticket)

    note = TicketMessage.objects.filter(ticket=ticket, visibility="internal").last()
    assert note is not None and claim.reference in note.body and "Approved" in note.body


def test_a_claim_cannot_use_another_customers_ticket(agent):
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))
    ticket = ticket_open(actor=agent, customer=CustomerFactory(), subject="Other", body="…", kind="claim", channel="phone")

    with pytest.raises(ValidationFailed) as failure:
        submit(unit, actor=agent, ticket=ticket)

    assert [error.field for error in failure.value.errors] == ["ticket"]


def test_bad_input_names_each_field():
    with pytest.raises(ValidationFailed) as failure:
        submit(sold_unit(), fault_code="exploded", fault_description=" ", claimed_on=dt.date(2026, 2, 1))

    assert {error.field for error in failure.value.errors} == {"fault_code", "fault_description", "claimed_on"}
