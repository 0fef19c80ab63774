"""The customer's communication preferences: consent per channel, preferred language, unsubscribing from marketing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_consents
from aftersales.customers.services import customer_set_preferences
from aftersales.messaging.selectors import customer_unsubscribed_on
from aftersales.messaging.services import marketing_unsubscribe
from aftersales.portal.access import portal_view
from aftersales.portal.forms import PreferencesForm


def _page(request: HttpRequest, customer: Customer, form: PreferencesForm) -> HttpResponse:
    opted_out = customer_unsubscribed_on(customer)
    ticked = set(form["consents"].value() or ())
    channels = [
        {
            "code": consent.code,
            "label": consent.label,
            "given_at": consent.given_at,
            "unsubscribed_at": opted_out.get(consent.code),
            "checked": consent.code in ticked,
        }
        for consent in customer_consents(customer)
    ]
    context = {"section": "preferences", "customer": customer, "form": form, "channels": channels}
    return render(request, "portal/preferences.html", context)


@portal_view
def preferences(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Show and save how the customer may be contacted and in which language."""
    if request.method != "POST":
        return _page(request, customer, PreferencesForm.for_customer(customer))
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            customer_set_preferences(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                language=form.cleaned_data["language"],
                consents=form.cleaned_data["consents"],
            )
        except ValidationFailed as failure:
            for error in failure.errors:
                form.add_error(error.field if error.field in form.fields else None, error.reason)
        else:
            # The next page already speaks the language just chosen.
            translation.activate(customer.language)
            messages.success(request, _("Your preferences were saved."))
            return redirect("portal:preferences")
    return _page(request, customer, form)


@portal_view
@require_POST
def unsubscribe(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Stop every marketing message on every channel at once."""
    marketing_unsubscribe(actor=request.user, customer=customer)  # type: ignore[arg-type]
    messages.success(request, _("You will no longer receive marketing from us. Messages about your products still reach you."))
    return redirect("portal:preferences")
