"""Targets offered by other capabilities: the one extension point of the SLA clocks.

A capability above the service desk (maintenance contracts promise a response time to their customers)
registers a provider with :func:`sla_target_provider_register`. When a clock starts or its targets are
read again, every provider is asked for the ticket, metric and tier; the clock counts towards the
shortest of the policy's target and the providers' offers. The service desk never imports the
capabilities that register here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aftersales.service.models import Ticket

# A provider answers for a ticket, metric and tier with a target in working minutes, or None.
SlaTargetProvider = Callable[["Ticket", str, int], "int | None"]
_PROVIDERS: list[SlaTargetProvider] = []


def sla_target_provider_register(provider: SlaTargetProvider) -> SlaTargetProvider:
    """Add a source of targets consulted whenever a clock starts; usable as a decorator, registering twice has no effect."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def sla_target_provider_unregister(provider: SlaTargetProvider) -> None:
    """Remove a source of targets (tests, a capability being switched off)."""
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def sla_target_offered(ticket: Ticket, metric: str, tier: int) -> int | None:
    """Return the shortest target the providers offer for a ticket's metric and tier, in working minutes, or None."""
    offers = [minutes for provider in _PROVIDERS if (minutes := provider(ticket, metric, tier))]
    return min(offers) if offers else None
