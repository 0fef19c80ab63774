"""REST endpoints of contests."""

from ninja import Router

router = Router(tags=["contests"])
