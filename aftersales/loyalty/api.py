"""REST endpoints of loyalty programme."""

from ninja import Router

router = Router(tags=["loyalty"])
