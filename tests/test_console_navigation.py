"""The console's navigation: grouped links shown by permission, the current page marked, counts, the menu page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.console.navigation import NAVIGATION, navigation_for
from aftersales.console.selectors import ticket_counts
from aftersales.core.models import Notification
from aftersales.core.roles import Role
from aftersales.customers.services import customer_portal_user
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

# The console's own pages; an entry that stands in for another is checked for whoever sees it (below).
CONSOLE_LINKS = [link for group in NAVIGATION for link in group.links if link.url_name.startswith("console:") and not link.unless]


def nav_of(response) -> str:
    page = response.content.decode()
    return page[page.index('<nav class="sidenav"') : page.index("</nav>")]


def current_links(nav: str) -> list[str]:
    return re.findall(r'<a (?:class="[^"]*" )?href="([^"]+)" aria-current="page"', nav)


def labels(groups) -> dict[str, list[str]]:
    return {str(group.label): [str(link.label) for link in group.links] for group in groups}


def test_each_link_and_group_is_declared_once():
    names = [link.url_name for group in NAVIGATION for link in group.links]
    keys = [group.key for group in NAVIGATION]

    assert len(names) == len(set(names))
    assert len(keys) == len(set(keys))
    assert [group.pinned for group in NAVIGATION].count(True) == 1


@pytest.mark.parametrize("link", CONSOLE_LINKS, ids=[link.url_name for link in CONSOLE_LINKS])
def test_every_page_of_the_navigation_opens_with_its_own_link_marked_current(signed_in, link):
    administrator = staff(Role.ADMINISTRATOR)
    url = reverse(link.url_name)

    response = signed_in(administrator).get(url)

    assert response.status_code == 200
    assert current_links(nav_of(response)) == [url]


def test_a_technician_sees_their_visits_and_not_the_areas_of_other_roles():
    groups = labels(navigation_for(staff(Role.TECHNICIAN)))

    assert "My visits" in groups["Your work"]
    assert "Field service" in groups
    assert "Import" not in groups["Customers and sales"]
    assert "Contests" not in groups["Loyalty and marketing"] and "Special offers" not in groups["Loyalty and marketing"]
    assert "Service desk setup" not in groups["Settings"] and "Master data" not in groups["Settings"]


def test_a_staff_member_without_permissions_sees_only_what_every_staff_member_may_use():
    groups = labels(navigation_for(UserFactory()))

    assert groups == {"Your work": ["Home", "Inbox"], "Settings": ["API tokens"]}


def test_no_navigation_for_a_customer_or_an_anonymous_visitor(customer):
    from django.contrib.auth.models import AnonymousUser

    assert navigation_for(customer_portal_user(customer=customer)) == []
    assert navigation_for(AnonymousUser()) == []


def test_recovery_cases_stand_in_for_feedback_for_whoever_may_not_see_the_scores():
    worker = UserFactory()
    worker.user_permissions.add(Permission.objects.get(codename="view_recoverycase"))
    manager = staff(Role.SERVICE_MANAGER)

    worker_links = labels(navigation_for(worker))["Follow-up and feedback"]
    manager_links = labels(navigation_for(manager))["Follow-up and feedback"]

    assert worker_links == ["Recovery cases"]
    assert "Feedback" in manager_links and "Recovery cases" not in manager_links


def test_the_recovery_cases_link_is_current_on_the_feedback_pages():
    worker = UserFactory()
    worker.user_permissions.add(Permission.objects.get(codename="view_recoverycase"))

    groups = navigation_for(worker, "feedback")

    current = [(str(group.label), str(link.label)) for group in groups for link in group.links if link.current]
    assert current == [("Follow-up and feedback", "Recovery cases")]
    assert [group.current for group in groups] == [False, True, False]


def test_unread_notifications_are_counted_beside_the_inbox_as_an_alert(signed_in):
    member = UserFactory()
    Notification.objects.create(user=member, verb="test", data={})
    Notification.objects.create(user=staff(), verb="test", data={})

    nav = nav_of(signed_in(member).get(reverse("console:home")))

    assert re.search(r'Inbox <span class="count count-alert" title="Unread">1</span>', nav)


def test_the_ticket_counts_are_read_once_for_the_three_links_that_show_them():
    agent = staff(Role.SUPPORT_AGENT)
    navigation_for(agent)  # the permissions are now cached on the user, as on any page after the first check
    with CaptureQueriesContext(connection) as counts_alone:
        ticket_counts(agent)

    with CaptureQueriesContext(connection) as navigation:
        groups = navigation_for(agent)

    shown = {str(link.label): link.count for group in groups for link in group.links}
    assert shown["Tickets"] == shown["Unanswered"] == shown["My work"] == shown["Inbox"] == 0
    # The ticket counts once, and the inbox's unread count.
    assert len(navigation.captured_queries) == len(counts_alone.captured_queries) + 1


def test_the_menu_page_lists_every_group_in_the_staff_members_language(signed_in):
    manager = staff(Role.SERVICE_MANAGER, language="es")

    response = signed_in(manager).get(reverse("console:menu"))

    page = response.content.decode()
    assert response.status_code == 200
    for heading in ("Su trabajo", "Servicio de atención", "Clientes y ventas", "Garantía y devoluciones", "Ajustes"):
        assert f">{heading}</h2>" in page
    assert current_links(nav_of(response)) == [reverse("console:menu")]


def test_the_menu_page_is_for_staff_only(client, customer):
    url = reverse("console:menu")

    anonymous = client.get(url)
    client.force_login(customer_portal_user(customer=customer))
    as_customer = client.get(url)

    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("console:login"))
    assert as_customer.status_code in (302, 403)
