"""Portal screens of referrals: "Refer a friend" for a signed-in customer, and the public page behind a
personal link (/portal/r/<code>/) where a friend leaves their details.

The public page shows the referrer's first name only, counts each opening for the funnel, and counts
submissions per client address and per code (fixed windows in the cache) against guessing and spam. A
friend refused by a fraud guard sees the same thanks as anyone else, so the page never reveals whether
someone is a customer or whose details the referrer has; staff see the reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.core.models import Language
from aftersales.core.ratelimit import within_limits
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view
from aftersales.referrals.models import Referral, ReferralCode, ReferralSource, ReferralStatus, RejectionReason
from aftersales.referrals.services import (
    code_for,
    code_normalize,
    link_view_count,
    programme_settings,
    referral_link,
    referral_record,
    referrer_is_active,
)

SUBMISSIONS_PER_ADDRESS = 10
SUBMISSIONS_PER_CODE = 30
SUBMISSION_WINDOW_SECONDS = 60 * 60
# Refusals the friend may be told about: they reveal nothing about anyone's details.
SAFE_REFUSALS = (RejectionReason.PROGRAMME_INACTIVE, RejectionReason.REFERRER_INACTIVE)


class FriendForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=40)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    consent = forms.BooleanField(
        label=gettext_lazy("I agree to be contacted by email or phone about your products and this invitation"),
        required=False,
    )


def _first_name(customer: Customer) -> str:
    words = customer.name.split()
    return words[0] if words else ""


@portal_view
def refer_a_friend(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Show the customer's personal link and code, a text to share, and the friends they referred."""
    programme = programme_settings()
    active = programme.active and referrer_is_active(customer)
    code = code_for(customer=customer) if active else ReferralCode.objects.filter(customer=customer).first()
    link = referral_link(code) if code else ""
    share = _("I am happy with them and I think you would be too. Have a look: %(link)s") % {"link": link}
    referrals = Referral.objects.filter(referrer=customer).order_by("-created_at")[:100]
    context = {
        "section": "referrals",
        "programme": programme,
        "active": active and code is not None and code.active,
        "code": code,
        "link": link,
        "share": share,
        "referrals": referrals,
    }
    return render(request, "portal/referrals.html", context)


def referral_link_page(request: HttpRequest, code: str) -> HttpResponse:
    """The public page behind a personal link: who invited you, and a form for your details."""
    found = ReferralCode.objects.filter(code=code_normalize(code)).select_related("customer").first()
    if found is None:
        raise Http404(_("This referral link does not exist."))
    referrer = found.customer
    programme = programme_settings()
    open_for_friends = programme.active and found.active and referrer_is_active(referrer)
    language = translation.get_language() or Language.ENGLISH
    form = FriendForm(request.POST or None, initial={"language": language[:2] if language[:2] in Language.values else "en"})
    context: dict[str, Any] = {"first_name": _first_name(referrer), "form": form, "open": open_for_friends, "code": found.code}
    status = 200
    if request.method != "POST":
        link_view_count(code=found)
    elif not open_for_friends:
        status = 410
    elif not within_limits(
        (f"referral-link:address:{request.META.get('REMOTE_ADDR', '')}", SUBMISSIONS_PER_ADDRESS),
        (f"referral-link:code:{found.code}", SUBMISSIONS_PER_CODE),
        window_seconds=SUBMISSION_WINDOW_SECONDS,
    ):
        form.add_error(None, _("Too many friends were sent from here. Please wait an hour and try again."))
        status = 429
    elif form.is_valid():
        try:
            referral = referral_record(actor=None, referrer=referrer, source=ReferralSource.LINK, **form.cleaned_data)
        except ValidationFailed as failure:
            errors_attach(form, failure)
            status = 400
        else:
            if referral.status == ReferralStatus.REJECTED and referral.rejection_reason in SAFE_REFUSALS:
                context["open"] = False
                status = 410
            else:
                context["thanks"] = True
    else:
        status = 400
    return render(request, "portal/referral_link.html", context, status=status)
