"""Forms of the staff console; business rules stay in the services, forms only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The console's screens import it from here; the portal shares it through core.
from aftersales.core.forms import errors_attach as errors_attach
from aftersales.core.models import Language, User
from aftersales.customers.models import AgeBand, Customer, EducationLevel
from aftersales.customers.services import EDITABLE_FIELDS
from aftersales.sales.models import SaleChannel


class StaffAuthenticationForm(AuthenticationForm):
    """Sign-in with username and password, for staff only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _("This sign-in is for staff. Customers sign in to the customer portal with a link sent by email."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class CustomerForm(forms.Form):
    """The customer's details as staff edit them; validation is the service's."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("Email"), required=False, widget=forms.EmailInput)
    phone = forms.CharField(label=_("Phone"), required=False, help_text=_("With country code, e.g. +34 911 234 567"))
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time_zone = forms.CharField(label=_("Time zone"), required=False, max_length=64)
    address_line1 = forms.CharField(label=_("Address"), required=False, max_length=200)
    address_line2 = forms.CharField(label=_("Address (continued)"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two letters, e.g. ES"))
    age_band = forms.ChoiceField(label=_("Age band"), required=False, choices=AgeBand.choices)
    education_level = forms.ChoiceField(label=_("Education level"), required=False, choices=EducationLevel.choices)
    external_ref = forms.CharField(label=_("External reference"), required=False, max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    segments = forms.CharField(label=_("Segments"), required=False, help_text=_("Codes separated by commas, e.g. vip, business"))

    @classmethod
    def for_customer(cls, customer: Customer, data: Any = None) -> CustomerForm:
        initial = {name: getattr(customer, name) for name in EDITABLE_FIELDS}
        initial["segments"] = ", ".join(segment.slug for segment in customer.segments.all())
        return cls(data=data, initial=initial)

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    def segment_codes(self) -> list[str]:
        return [code.strip() for code in self.cleaned_data["segments"].split(",") if code.strip()]


class MomentForm(forms.Form):
    """When a unit was delivered or installed; empty means now."""

    at = forms.DateTimeField(label=_("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class SaleFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or customer"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel")), *SaleChannel.choices])
    rep = forms.ModelChoiceField(label=_("Sales rep"), required=False, queryset=User.objects.none(), empty_label=_("Any rep"))

    def __init__(self, *args: Any, reps: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Return the valid filters; an invalid one is shown as an error and ignored."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value not in (None, "")}


class UnitFilterForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, statuses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *statuses]  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. ERP sync"))
