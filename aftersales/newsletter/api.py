"""REST endpoints of newsletter."""

from ninja import Router

router = Router(tags=["newsletter"])
