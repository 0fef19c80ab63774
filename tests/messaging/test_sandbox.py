"""Templates are written by staff: the engine renders text, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.messaging.models import MessageTemplate
from aftersales.messaging.sandbox import render
from aftersales.messaging.services import template_create

pytestmark = pytest.mark.django_db


def create(body, subject="Hello", channel="email"):
    return template_create(actor=None, data={"code": "t", "channel": channel, "subject": subject, "body": body})


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}{% static 'x' %}",
        '{% include "admin/base.html" %}',
        '{% extends "admin/base.html" %}',
        "{% debug %}",
        "{% url 'admin:index' %}",
        "{% csrf_token %}",
        "{{ customer._meta }}",
        "{{ customer.__class__ }}",
        "{% if x %}unclosed",
    ],
)
def test_dangerous_or_broken_templates_are_refused_with_the_field_named(body):
    with pytest.raises(ValidationFailed) as refused:
        create(body)
    assert refused.value.errors[0].field == "body"
    assert refused.value.errors[0].reason
    assert not MessageTemplate.objects.filter(code="t").exists()


def test_the_subject_is_checked_too():
    with pytest.raises(ValidationFailed) as refused:
        create("fine", subject="{% include 'x.html' %}")
    assert [error.field for error in refused.value.errors] == ["subject"]


def test_formatting_tags_and_filters_work():
    template = create(
        "{% for item in items %}{{ item|upper }}{% if not forloop.last %}, {% endif %}{% endfor %}"
        " — {{ missing|default:'none' }} — {{ total|floatformat:2 }}"
    )
    rendered = render(subject=template.subject, body=template.body, context={"items": ["a", "b"], "total": 3}, language="en")
    assert rendered.body == "A, B — none — 3.00\n"


def test_dates_follow_the_message_language():
    context = {"warranty_end": dt.date(2026, 12, 31)}
    assert render(subject="", body="{{ warranty_end|date }}", context=context, language="es").body == "31 de diciembre de 2026\n"
    assert render(subject="", body="{{ warranty_end|date }}", context=context, language="en").body == "Dec. 31, 2026\n"


def test_a_subject_cannot_smuggle_in_extra_mail_headers():
    rendered = render(subject="Hi {{ name }}", body="x", context={"name": "Ann\nBcc: all@example.com"}, language="en")
    assert "\n" not in rendered.subject
    assert rendered.subject == "Hi Ann Bcc: all@example.com"


def test_text_is_not_html_escaped():
    rendered = render(subject="", body="{{ name }}", context={"name": "Tom & Jerry <ltd>"}, language="en")
    assert rendered.body == "Tom & Jerry <ltd>\n"


def test_an_email_template_needs_a_subject_and_the_combination_must_be_new():
    with pytest.raises(ValidationFailed) as refused:
        create("Body", subject="")
    assert refused.value.errors[0].field == "subject"
    create("Body")
    with pytest.raises(ValidationFailed) as duplicate:
        create("Other body")
    assert duplicate.value.errors[0].field == "code"
    assert duplicate.value.errors[0].code == "duplicate"
