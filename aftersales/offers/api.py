"""REST endpoints of vouchers and offers."""

from ninja import Router

router = Router(tags=["offers"])
