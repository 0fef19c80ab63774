"""Forms of the customer portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import MultipleFileField, MultipleFileInput
from aftersales.core.models import Language
from aftersales.customers.models import Channel, Customer
from aftersales.sales.models import Unit
from aftersales.service.models import TicketKind


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class PreferencesForm(forms.Form):
    """How the customer may be contacted and in which language; the rules are the services'."""

    consents = forms.MultipleChoiceField(
        label=_("You may contact me by"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, widget=forms.RadioSelect)

    @classmethod
    def for_customer(cls, customer: Customer) -> PreferencesForm:
        given = [code for code in Channel.values if customer.has_consent(code)]
        return cls(initial={"consents": given, "language": customer.language})


def photos_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Photos or documents"),
        help_text=_("Photos (JPEG, PNG, GIF, WebP), PDF or text files, up to 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf,text/plain"}),
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.product.name_es if self.language == Language.SPANISH and obj.product.name_es else obj.product.name
        return f"{name} · {obj.serial}"

    language = Language.ENGLISH


class RequestForm(forms.Form):
    """A new request from the customer: about one of their products or none."""

    unit = UnitChoiceField(
        label=_("Which product is it about?"), required=False, queryset=Unit.objects.none(), empty_label=_("None in particular")
    )
    kind = forms.ChoiceField(label=_("What do you need?"), choices=TicketKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Tell us more"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = photos_field()

    def __init__(self, *args: Any, units: QuerySet[Unit], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units.select_related("product")  # type: ignore[attr-defined]
        field.language = language  # type: ignore[attr-defined]


class RequestReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = photos_field()
