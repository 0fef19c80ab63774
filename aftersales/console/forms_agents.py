"""Forms of the agents screen: the languages an agent speaks, whether they take tickets, and their weekly shifts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, Weekday

# Blank shift rows offered below an agent's shifts.
EXTRA_SHIFT_ROWS = 3


class AgentForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the language they read the screens in."),
    )
    available = forms.BooleanField(
        label=_("Takes new tickets"), required=False, help_text=_("Off while away: no tickets are assigned automatically.")
    )


class ShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *Weekday.choices], coerce=int, required=False, empty_value=None
    )
    starts_at = forms.TimeField(label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_at = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [data.get(name) not in (None, "") for name in ("weekday", "starts_at", "ends_at")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the day, the start and the end, or leave the row empty."))
        return data

    def shift(self) -> tuple[int, dt.time, dt.time] | None:
        """Return the row as (weekday, from, until), or None for an empty row."""
        data = self.cleaned_data
        if data.get("weekday") in (None, "") or data.get("starts_at") is None or data.get("ends_at") is None:
            return None
        return int(data["weekday"]), data["starts_at"], data["ends_at"]


ShiftFormSet = forms.formset_factory(ShiftForm, extra=EXTRA_SHIFT_ROWS)
