"""Portal screen of the customer's surveys: what we asked them, whether they answered, and a link to the open ones."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersales.customers.models import Customer
from aftersales.feedback.models import Invitation
from aftersales.feedback.selectors import invitations_of_customer
from aftersales.feedback.signing import form_url
from aftersales.portal.access import portal_view


@dataclass(frozen=True)
class SurveyRow:
    invitation: Invitation
    survey_name: str
    # The signed survey page, for a survey that can still be answered (None once it expired or was imported).
    answer_url: str | None


@portal_view
def survey_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    rows = [
        SurveyRow(
            invitation=invitation,
            survey_name=invitation.survey.display_name(customer.language),
            answer_url=form_url(invitation_id=invitation.pk) if invitation.is_open else None,
        )
        for invitation in invitations_of_customer(customer.pk)
    ]
    return render(request, "portal/surveys.html", {"section": "surveys", "rows": rows})
