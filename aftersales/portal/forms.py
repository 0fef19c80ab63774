"""Forms of the customer portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, widget=forms.RadioSelect)
