"""REST endpoints of referrals."""

from ninja import Router

router = Router(tags=["referrals"])
