"""Navigation declared as data: groups of links, each shown to whom may use it, the current page's link marked.

The console (``console.navigation``) and the portal (``portal.navigation``) declare their own groups; both
draw them the same way: every group where the screen has room, and on a phone the pinned group, the group of
the page one is on and a link to a menu page that lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    """One entry of a navigation.

    ``perms``: the permissions it needs, all of them (none: whoever may see the navigation). ``unless``: a
    permission that hides it, for an entry that stands in for another one the user does not see.
    ``sections``: the pages' ``section`` values that make it current (the URL's name when not given).
    ``count``: the name of a figure shown beside it, which the navigation's owner reads.
    """

    label: Promise
    url_name: str
    perms: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    unless: str = ""
    count: str = ""

    def current_in(self, section: str) -> bool:
        return section in (self.sections or (self.url_name.rpartition(":")[2],))

    def shown_to(self, user: Any) -> bool:
        return all(user.has_perm(perm) for perm in self.perms) and not (self.unless and user.has_perm(self.unless))


@dataclass(frozen=True)
class Group:
    """Links of one area under a heading. The ``pinned`` group holds the links always at hand: no heading beside
    them in the navigation, and a phone shows them on every page."""

    label: Promise
    key: str
    links: tuple[Link, ...]
    pinned: bool = False


@dataclass
class ShownLink:
    label: Promise
    url: str
    current: bool
    count: int | None = None
    alert: bool = False
    count_title: Promise | None = None


@dataclass
class ShownGroup:
    label: Promise
    key: str
    pinned: bool
    links: list[ShownLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def navigation_shown(
    groups: Iterable[Group], user: Any, section: str, count: Callable[[Link, ShownLink], None] | None = None
) -> list[ShownGroup]:
    """Return the groups' links ``user`` may use, leaving out empty groups, with the current one marked.

    ``count(link, shown)`` fills in the figure of each link that names one.
    """
    shown_groups = []
    for group in groups:
        shown = ShownGroup(group.label, group.key, group.pinned)
        for link in group.links:
            if not link.shown_to(user):
                continue
            item = ShownLink(link.label, reverse(link.url_name), link.current_in(section))
            if link.count and count is not None:
                count(link, item)
            shown.links.append(item)
        if shown.links:
            shown_groups.append(shown)
    return shown_groups
