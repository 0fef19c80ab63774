"""The survey form: one field per question not answered yet, and the comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.feedback.models import SCALES, Question, QuestionKind
from aftersales.feedback.services.surveys import COMMENT_MAX, value_label


class SurveyForm(forms.Form):
    def __init__(self, *args: Any, questions: list[Question], given: dict[str, int], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: list[str] = []
        for question in questions:
            if question.kind == QuestionKind.TEXT:
                self.fields["comment"] = forms.CharField(
                    label=question.display_text(language),
                    required=False,
                    max_length=COMMENT_MAX,
                    widget=forms.Textarea(attrs={"rows": 5}),
                )
            elif question.kind not in given:
                values = [1, 0] if question.kind == QuestionKind.BUY_AGAIN else list(SCALES[question.kind])
                self.fields[question.kind] = forms.TypedChoiceField(
                    label=question.display_text(language),
                    choices=[(value, value_label(question.kind, value)) for value in values],
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect,
                )
                self.kinds.append(question.kind)
        if "comment" not in self.fields:
            self.fields["comment"] = forms.CharField(
                label=_("Comment"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 5})
            )

    def scores(self) -> dict[str, int]:
        return {kind: self.cleaned_data[kind] for kind in self.kinds if self.cleaned_data.get(kind) not in (None, "")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(kind) not in (None, "") for kind in self.kinds) and not (cleaned.get("comment") or "").strip():
            raise forms.ValidationError(_("Answer a question or write a comment."))
        return cleaned

    def errors_from(self, failed: ValidationFailed) -> None:
        for error in failed.errors:
            self.add_error(error.field if error.field in self.fields else None, str(error.reason))
