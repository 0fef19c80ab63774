"""Forms of the customer portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language
from aftersales.customers.models import Channel, Customer


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
