"""The public warranty check by serial number and proof, shared by the portal page and the API.

Nobody may learn which serials exist or whose they are: a wrong serial and a wrong proof get the
same answer, and attempts are counted per client address and per serial in the cache (the
database cache by default, so every web process shares the counts).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound, TooManyRequests
from aftersales.core.ratelimit import within_limits
from aftersales.sales.models import Unit
from aftersales.warranty.coverage import Coverage
from aftersales.warranty.selectors import public_check

NOT_FOUND = _("No product matches this serial number and proof of purchase.")
TOO_MANY = _("Too many warranty checks were asked for. Please wait a quarter of an hour and try again.")


@dataclass(frozen=True)
class PublicAnswer:
    unit: Unit
    coverage: Coverage


def warranty_check_public(*, serial: str, proof: str, address: str) -> PublicAnswer:
    """Return a unit's cover for a serial and proof; the same NotFound for any miss, TooManyRequests over the limit."""
    serial_key = hashlib.sha256(serial.strip().lower().encode("utf-8")).hexdigest()
    allowed = within_limits(
        (f"warranty-check:address:{address}", settings.WARRANTY_CHECKS_PER_ADDRESS),
        (f"warranty-check:serial:{serial_key}", settings.WARRANTY_CHECKS_PER_SERIAL),
        window_seconds=settings.WARRANTY_CHECK_WINDOW_SECONDS,
    )
    if not allowed:
        raise TooManyRequests(TOO_MANY)
    found = public_check(serial=serial, proof=proof)
    if found is None:
        raise NotFound(NOT_FOUND)
    return PublicAnswer(unit=found[0], coverage=found[1])
