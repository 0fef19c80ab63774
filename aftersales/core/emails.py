"""Email addresses checked exactly as Django checks them, fast enough for imports of many customers."""

from __future__ import annotations

import re
from typing import Any

from django.core.validators import EmailValidator

# Domains whose answer is kept; an import meets a handful of domains across many addresses.
DOMAINS_KEPT = 4096


class EmailCheck(EmailValidator):
    """Django's ``EmailValidator`` with its patterns compiled up front and each domain's answer remembered.

    Django compiles the patterns lazily behind a proxy object, and reaching through the proxy cost more than
    the match itself on every address; the domain's pattern is the slowest part and the same few domains
    come back address after address. The patterns are Django's own, so the answers are too (a property test
    holds the two to the same verdict).
    """

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)  # type: ignore[assignment]
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)  # type: ignore[assignment]
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._domains: dict[str, bool] = {}

    def validate_domain_part(self, domain_part: str) -> bool:
        answer = self._domains.get(domain_part)
        if answer is None:
            if len(self._domains) >= DOMAINS_KEPT:
                self._domains.clear()
            answer = self._domains[domain_part] = super().validate_domain_part(domain_part)
        return answer


validate_email = EmailCheck()
