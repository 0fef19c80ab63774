"""Plain newsletter text shown as HTML on a page: every character escaped, paragraphs, lists and bare links only."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_URL = re.compile(r"(https?://[^\s<>\"']+)")


def _links(escaped: str) -> str:
    # The text is escaped first, so a link can only be made of characters that are already harmless.
    return _URL.sub(lambda match: f'<a href="{match.group(1)}" rel="noopener nofollow">{match.group(1)}</a>', escaped)


def text_html(text: str) -> SafeString:
    """Return text as safe HTML: blank lines separate paragraphs, "- " lines make a list, "===" underlines a heading."""
    blocks = [block for block in re.split(r"\n\s*\n", (text or "").strip()) if block.strip()]
    html: list[str] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.strip().splitlines()]
        if len(lines) == 2 and lines[1] and set(lines[1]) == {"="}:
            html.append(f"<h3>{escape(lines[0])}</h3>")
            continue
        if lines and lines[0] and set(lines[1:2] or ["x"]) == {"="} and len(lines) > 2:
            html.append(f"<h3>{escape(lines[0])}</h3>")
            lines = lines[2:]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_links(escape(line[2:]))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(_links(escape(line)) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - built above from escaped text only
