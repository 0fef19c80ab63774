"""The only tags and filters message templates may use: text formatting, no file or code access.

``{% load %}``, ``{% include %}``, ``{% extends %}``, ``{% url %}``, ``{% debug %}``, ``{% csrf_token %}``
and friends are absent on purpose, so a template cannot reach files, other templates or the request.
"""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

register = Library()

SAFE_TAGS = ("if", "for", "with", "comment", "firstof", "now", "spaceless")
SAFE_FILTERS = (
    "add",
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "first",
    "floatformat",
    "join",
    "last",
    "length",
    "linebreaksbr",
    "lower",
    "pluralize",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "urlencode",
    "yesno",
)

for _name in SAFE_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in SAFE_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]
