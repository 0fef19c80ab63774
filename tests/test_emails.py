"""Email addresses: the project's check gives Django's verdict on every address, only faster."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.emails import DOMAINS_KEPT, EmailCheck, validate_email

django_check = EmailValidator()

# Pieces addresses are made of, valid and not: the search finds edges faster from them than from any text.
atoms = st.sampled_from(
    ["a", "Z", "0", ".", "-", "_", "+", "'", '"', " ", "\\", "@", "[", "]", ":", "é", "ñ", "xn--", "..", "\n"]
)
labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=0, max_size=70)
domains = st.one_of(
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.just("localhost"),
    st.sampled_from(["[127.0.0.1]", "[::1]", "[300.1.1.1]", "[IPv6:::1]", "ejemplo.españa", "example.com.", "-a.com"]),
)
addresses = st.one_of(
    st.builds(lambda user, domain: f"{user}@{domain}", st.lists(atoms, max_size=12).map("".join), domains),
    st.text(max_size=40),
    st.builds(lambda n: "a" * n + "@example.com", st.integers(300, 330)),
)


def verdict(check, address: str) -> bool:
    try:
        check(address)
    except ValidationError:
        return False
    return True


@settings(max_examples=1500, deadline=None)
@given(addresses)
def test_the_verdict_is_djangos(address):
    assert verdict(validate_email, address) == verdict(django_check, address)


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("lucia.fernandez@example.com", True),
        ("Lucia+facturas@Example.COM", True),
        ('"quoted.name"@example.com', True),
        ("root@localhost", True),
        ("a@[127.0.0.1]", True),
        ("a@[::1]", True),
        ("no-at-sign.example.com", False),
        ("two@@example.com", False),
        ("a@example", False),
        ("a@-example.com", False),
        ("", False),
        ('"quoted name"@example.com', False),  # Django refuses a space even quoted
    ],
)
def test_hand_checked_addresses(address, valid):
    assert verdict(validate_email, address) is valid
    assert verdict(django_check, address) is valid


def test_domains_answered_are_kept_but_bounded():
    check = EmailCheck()
    for number in range(DOMAINS_KEPT + 10):
        check(f"a@host{number}.example.com")
    assert 0 < len(check._domains) <= DOMAINS_KEPT
    # An answer kept is the right one on its next use, for a bad domain too.
    with pytest.raises(ValidationError):
        check("a@bad_domain.com")
    with pytest.raises(ValidationError):
        check("b@bad_domain.com")
