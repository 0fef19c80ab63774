"""Console screens of the outbox: message templates with a live preview, and the message log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.access import forbidden, staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.views.common import page_of
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import SPANISH_HELP, Language
from aftersales.customers.selectors import customers_visible_to
from aftersales.messaging import selectors, services
from aftersales.messaging.models import Message, MessageChannel, MessageStatus, MessageTemplate, Purpose


class TemplateForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=60, help_text=gettext_lazy("e.g. warranty_ending"))
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=MessageChannel.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"),
        choices=Purpose.choices,
        help_text=gettext_lazy("Marketing needs consent, carries an unsubscribe link and counts toward the cap."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    description_es = forms.CharField(
        label=gettext_lazy("Description in Spanish"), max_length=200, required=False, help_text=SPANISH_HELP
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject"), max_length=200, required=False, help_text=gettext_lazy("Email and letters only.")
    )
    body = forms.CharField(label=gettext_lazy("Body"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}))
    preview_customer = forms.IntegerField(
        label=gettext_lazy("Preview for customer number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: a sample customer with a sample unit."),
    )

    def template_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "preview_customer"}


class MessageFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), required=False)
    customer = forms.IntegerField(label=gettext_lazy("Customer number"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["status"].choices = anything + list(MessageStatus.choices)
        self.fields["channel"].choices = anything + list(MessageChannel.choices)
        self.fields["purpose"].choices = anything + list(Purpose.choices)


@staff_view("messaging.view_messagetemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    templates = selectors.templates_filtered(channel=request.GET.get("channel", ""), text=text)
    return render(
        request,
        "console/messaging/templates.html",
        {"section": "messaging", "templates": templates, "q": text, "channels": MessageChannel.choices},
    )


def _template(template_id: int) -> MessageTemplate:
    template = MessageTemplate.objects.select_related("updated_by").filter(pk=template_id).first()
    if template is None:
        raise Http404(_("No such template."))
    return template


@staff_view("messaging.view_messagetemplate")
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    template = _template(template_id) if template_id else None
    needed = "messaging.change_messagetemplate" if template else "messaging.add_messagetemplate"
    may_edit = request.user.has_perm(needed)
    if template is None and not may_edit:
        return forbidden(request, _("Your role does not allow you to create templates."))
    initial = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS} if template else {"language": "en"}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            return forbidden(request, _("Your role does not allow you to change templates."))
        if form.is_valid():
            try:
                if template:
                    saved = services.template_update(actor=request.user, template=template, data=form.template_data())  # type: ignore[arg-type]
                else:
                    saved = services.template_create(actor=request.user, data=form.template_data())  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(
                    request,
                    _("Template “%(code)s” saved (version %(version)s).") % {"code": saved.code, "version": saved.version},
                )
                return redirect("console:messaging_template", saved.pk)
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "section": "messaging",
        "template": template,
        "form": form,
        "may_edit": may_edit,
        "may_delete": template is not None and request.user.has_perm("messaging.delete_messagetemplate"),
        "variables": selectors.TEMPLATE_VARIABLES,
    }
    return render(request, "console/messaging/template_edit.html", context)


@staff_view("messaging.view_messagetemplate")
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """Render the form's text for a sample or chosen customer (the editor's live preview)."""
    data = request.POST
    language = data.get("language") if data.get("language") in Language.values else Language.ENGLISH
    purpose = data.get("purpose") if data.get("purpose") in Purpose.values else Purpose.TRANSACTIONAL
    customer = None
    context: dict[str, Any] = {"channel": data.get("channel", "")}
    raw_customer = data.get("preview_customer", "").strip()
    if raw_customer:
        customer = customers_visible_to(request.user).filter(pk=int(raw_customer) if raw_customer.isdigit() else 0).first()
        if customer is None:
            context["errors"] = [_("There is no customer number %(number)s.") % {"number": raw_customer}]
            return render(request, "console/messaging/_preview.html", context)
    try:
        context["rendered"] = selectors.template_preview(
            subject=data.get("subject", ""), body=data.get("body", ""), language=language, purpose=purpose, customer=customer
        )
    except ValidationFailed as failure:
        context["errors"] = [f"{error.field}: {error.reason}" for error in failure.errors]
    context["customer"] = customer
    return render(request, "console/messaging/_preview.html", context)


@staff_view("messaging.delete_messagetemplate")
@require_POST
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template(template_id)
    services.template_delete(actor=request.user, template=template)  # type: ignore[arg-type]
    messages.success(request, _("Template “%(code)s” deleted.") % {"code": template.code})
    return redirect("console:messaging_templates")


@staff_view("messaging.view_message")
def message_list(request: HttpRequest) -> HttpResponse:
    form = MessageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.messages_filtered(
        queryset=selectors.messages_visible_to(request.user),
        customer_id=filters.get("customer"),
        status=filters.get("status", ""),
        channel=filters.get("channel", ""),
        purpose=filters.get("purpose", ""),
        text=filters.get("q", ""),
    )
    context = {"section": "messages", "form": form, "page": page_of(request, found)}
    return render(request, "console/messaging/messages.html", context)


@staff_view("messaging.view_message")
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message: Message | None = selectors.message_with_events(
        queryset=selectors.messages_visible_to(request.user), message_id=message_id
    )
    if message is None:
        raise Http404(_("No such message."))
    return render(request, "console/messaging/message.html", {"section": "messages", "message": message})
