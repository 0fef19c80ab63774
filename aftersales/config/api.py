"""The one NinjaAPI: every capability mounts its router here."""

from ninja import NinjaAPI

from aftersales.core.api import API_AUTH, errors_install
from aftersales.core.api import router as tokens_router

api = NinjaAPI(
    title="Aftersales API",
    version="1",
    description="After-sales service management. Authenticate with a personal API token "
    "(`Authorization: Bearer as_…` or `X-API-Key`) or a browser session.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors_install(api)

api.add_router("/v1/", tokens_router)


def _mount() -> None:
    # Routers are imported lazily so that an app's api module can import models freely.
    from aftersales.catalog.api import router as catalog_router
    from aftersales.contests.api import router as contests_router
    from aftersales.contracts.api import router as contracts_router
    from aftersales.customers.api import router as customers_router
    from aftersales.feedback.api import router as feedback_router
    from aftersales.fieldwork.api import router as fieldwork_router
    from aftersales.fieldwork.api_visits import router as visits_router
    from aftersales.followup.api import router as followup_router
    from aftersales.loyalty.api import router as loyalty_router
    from aftersales.messaging.api import router as messaging_router
    from aftersales.newsletter.api import router as newsletter_router
    from aftersales.offers.api import router as offers_router
    from aftersales.referrals.api import router as referrals_router
    from aftersales.sales.api import router as sales_router
    from aftersales.sales.api_imports import router as imports_router
    from aftersales.service.api import router as tickets_router
    from aftersales.service.api_mail import router as service_mail_router
    from aftersales.service.api_setup import router as service_setup_router
    from aftersales.service.api_sla import router as service_levels_router
    from aftersales.warranty.api import router as warranty_router
    from aftersales.warranty.api_costs import router as costs_router
    from aftersales.warranty.api_repairs import router as repairs_router
    from aftersales.warranty.api_returns import router as returns_router

    api.add_router("/v1/", customers_router)
    api.add_router("/v1/", catalog_router)
    api.add_router("/v1/", sales_router)
    api.add_router("/v1/", imports_router)
    api.add_router("/v1/", messaging_router)
    api.add_router("/v1/", tickets_router)
    api.add_router("/v1/", service_setup_router)
    api.add_router("/v1/", followup_router)
    api.add_router("/v1/", service_levels_router)
    api.add_router("/v1/", service_mail_router)
    api.add_router("/v1/", warranty_router)
    api.add_router("/v1/", repairs_router)
    api.add_router("/v1/", returns_router)
    api.add_router("/v1/", costs_router)
    api.add_router("/v1/fieldwork/", fieldwork_router)
    api.add_router("/v1/", visits_router)
    api.add_router("/v1/", contracts_router)
    api.add_router("/v1/loyalty/", loyalty_router)
    api.add_router("/v1/offers/", offers_router)
    api.add_router("/v1/referrals/", referrals_router)
    api.add_router("/v1/contests/", contests_router)
    api.add_router("/v1/newsletter/", newsletter_router)
    api.add_router("/v1/", feedback_router)


_mount()
