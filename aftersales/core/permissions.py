"""Permission checks shared by the API and the screens."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import PermissionDenied


def is_staff_member(user: Any) -> bool:
    """Return whether the user is an active, signed-in staff member."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def require_perm(user: Any, *perms: str) -> None:
    """Raise PermissionDenied unless a staff user holds every permission."""
    if not is_staff_member(user) or not user.has_perms(perms):
        raise PermissionDenied(_("Your role does not allow this."))


def require_staff(user: Any) -> None:
    """Raise PermissionDenied unless the user is staff."""
    if not is_staff_member(user):
        raise PermissionDenied(_("Only staff can do this."))
