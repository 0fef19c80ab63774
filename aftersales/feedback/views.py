"""The public survey pages at ``/s/``: no sign-in, the signed token is the authority and names one invitation.

``/s/a/<token>/`` records the one-click answer of the email (the first click wins) and shows the survey page;
``/s/f/<token>/`` is the survey page itself, where the customer adds a comment or answers the other questions.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.feedback.forms import SurveyForm
from aftersales.feedback.models import Invitation, InvitationStatus, ResponseChannel
from aftersales.feedback.services import first_question, response_record, value_label
from aftersales.feedback.signing import answer_read, form_read, form_token


def _invitation(invitation_id: int | None) -> Invitation | None:
    if invitation_id is None:
        return None
    return Invitation.objects.select_related("survey", "customer").filter(pk=invitation_id).first()


def _page(
    request: HttpRequest, template: str, invitation: Invitation | None, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    language = invitation.language if invitation is not None else translation.get_language() or "en"
    # The page speaks the customer's language, whatever the browser says.
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    response = render(request, template, {"language": language, **context}, status=status)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex"
    # The token is in the address: never send it to another site (same-origin keeps the Origin header CSRF checks).
    response["Referrer-Policy"] = "same-origin"
    return response


def _invalid(request: HttpRequest, invitation: Invitation | None = None) -> HttpResponse:
    return _page(request, "feedback/link_invalid.html", invitation, {}, status=404)


@require_http_methods(["GET"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    wanted = answer_read(token)
    invitation = _invitation(wanted.invitation_id if wanted else None)
    if wanted is None or invitation is None or invitation.status in (InvitationStatus.FATIGUE, InvitationStatus.SUPPRESSED):
        return _invalid(request)
    question = first_question(invitation.survey)
    if question is None:
        return _invalid(request, invitation)
    try:
        response_record(invitation=invitation, channel=ResponseChannel.EMAIL_LINK, scores={question.kind: wanted.value})
    except (Conflict, ValidationFailed):
        return _invalid(request, invitation)
    return redirect("feedback:form", token=form_token(invitation_id=invitation.pk))


@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(form_read(token))
    if invitation is None or not invitation.is_open:
        return _invalid(request, invitation)
    translation.activate(invitation.language)
    response = getattr(invitation, "response", None)
    given = {answer.kind: answer.value for answer in response.answers.all()} if response is not None else {}
    questions = list(invitation.survey.questions.all())
    form = SurveyForm(request.POST or None, questions=questions, given=given, language=invitation.language)
    if request.method == "POST" and form.is_valid():
        try:
            response_record(
                invitation=invitation,
                channel=ResponseChannel.FORM,
                scores=form.scores(),
                comment=form.cleaned_data.get("comment", ""),
            )
        except ValidationFailed as failed:
            form.errors_from(failed)
        except Conflict:
            return _invalid(request, invitation)
        else:
            return _page(request, "feedback/thanks.html", invitation, {"invitation": invitation})
    answered = [
        {"question": question.display_text(invitation.language), "answer": value_label(question.kind, given[question.kind])}
        for question in questions
        if question.kind in given
    ]
    context = {
        "invitation": invitation,
        "form": form,
        "answered": answered,
        "survey_name": invitation.survey.display_name(invitation.language),
    }
    return _page(request, "feedback/survey.html", invitation, context)
