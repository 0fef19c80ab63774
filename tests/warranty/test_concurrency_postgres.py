"""Claims submitted at the same moment on PostgreSQL: the duplicate check holds."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.warranty.models import ClaimStatus, DecisionReason, WarrantyClaim
from aftersales.warranty.services import claim_submit
from tests.concurrency import at_once
from tests.warranty.conftest import decision_template_ensure, madrid, sold_unit

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _decision_template():
    decision_template_ensure()


def test_six_claims_for_the_same_fault_at_once_approve_one_and_reject_the_others_as_duplicates():
    unit = sold_unit(delivered_at=madrid(2025, 3, 1))

    results = at_once(
        6, lambda n: claim_submit(actor=None, unit=unit, fault_code="leak", fault_description=f"Leak seen by {n}.").pk
    )

    assert all(isinstance(result, int) for result in results), results
    claims = WarrantyClaim.objects.filter(unit=unit)
    assert claims.filter(status=ClaimStatus.APPROVED).count() == 1
    assert claims.filter(status=ClaimStatus.REJECTED, decision_reason=DecisionReason.DUPLICATE).count() == 5
