"""The demo company's pages in Spanish (the longer language): every console page fits a phone 360 px wide and a
1280 px screen, no label of the navigation is cut, and every portal page fits the phone."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

from aftersales.core.models import Department
from aftersales.customers.models import Customer
from aftersales.demo.builder import DEMO_PASSWORD, demo_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
WIDE = 1280
# Pages reached from the navigation, then one record of each list; by path shape, digits ignored.
MAX_PAGES = 60
# Panels whose content sticks out of them; a table in a .table-scroll box scrolls inside it instead.
PANELS_CUT = "() => [...document.querySelectorAll('main .panel')].filter(p => p.scrollWidth > p.clientWidth + 1).length"
SKIPPED = re.compile(r"^/(logout|admin|api|i18n|jsi18n|static|u|s|portal)/|\.(csv|ics)$|/export")
# Portal pages that change something when opened, or serve a file.
PORTAL_SKIPPED = re.compile(r"^(?!/portal/)|sign-out|unsubscribe|/files/|withdraw|confirm|quote|/link/")


def seeded_rows_ensure() -> None:
    """Write again what the project's data migrations write, when an earlier transactional test's flush removed it.

    The demo company stands on those rows (departments, calendar, templates, playbooks, queue, SLA policy…).
    """
    if Department.objects.exists():
        return
    loader = MigrationLoader(connection)
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("aftersales.")}
    done: set[tuple[str, str]] = set()
    editor = SimpleNamespace(connection=connection)
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node in done or node[0] not in ours:
                continue
            done.add(node)
            for operation in loader.graph.nodes[node].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [href.split("#")[0] for href in hrefs if href and href.startswith("/") and not href.startswith("//")]


def crawl(page, base: str, start: list[str], *, skipped: re.Pattern, follow, check=None) -> tuple[set[str], list]:
    """Open pages on the phone from ``start`` on, one per path shape; return the shapes seen and the pages too wide.

    ``follow(page, path)`` gives the links to open next; ``check(path)`` the extra problems of a page.
    """
    queue, seen, too_wide = list(start), set(), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if shape in seen or skipped.search(path):
            continue
        seen.add(shape)
        response = page.goto(base + path)
        page.wait_for_load_state("load")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            too_wide.append((path, width))
        if check is not None:
            too_wide += check(path)
        queue += follow(page, path)
    return seen, too_wide


def test_console_and_portal_pages_fit_a_phone_and_a_wide_screen_in_spanish(live_server, new_page):
    # given the demo company, whose service manager works in Spanish
    seeded_rows_ensure()
    demo_build(customers=6, seed=5)

    # on a wide screen, no label of the side navigation is cut
    wide = new_page(width=WIDE, height=800)
    sign_in(wide, live_server.url, "manager")
    assert wide.locator("html").get_attribute("lang") == "es"
    assert wide.locator("nav.sidenav a").count() > 15
    cut = wide.eval_on_selector_all(
        "nav.sidenav a", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"
    )
    assert cut == []
    # where the navigation has room, its groups stand under their headings and the menu's link is not needed
    assert wide.locator("nav.sidenav .navgroup-label").first.is_visible()
    assert not wide.locator("nav.sidenav a.sidenav-menu").is_visible()

    page = new_page(width=PHONE, height=800)
    sign_in(page, live_server.url, "manager")
    # on the phone the strip starts with the menu, then the links always at hand; other groups wait in the menu
    assert page.locator("nav.sidenav a").first.get_attribute("href") == "/menu/"
    assert page.locator("nav.sidenav a.sidenav-menu").is_visible()
    assert page.locator("nav.sidenav a[href='/inbox/']").is_visible()
    assert not page.locator("nav.sidenav a[href='/contests/']").is_visible()
    page.click("nav.sidenav a.sidenav-menu")
    page.wait_for_load_state("load")
    assert page.locator("main a[href='/contests/']").is_visible()
    first_records: list[str] = []

    def first_record(page, path: str) -> list[str]:
        if path in first_records:
            return []
        record = next(iter(links(page, "main table a[href], main .list a[href]")), None)
        first_records.extend([record] if record else [])
        return first_records[-1:] if record else []

    def wide_problems(path: str) -> list[tuple[str, int]]:
        wide.goto(live_server.url + path)
        wide.wait_for_load_state("load")
        too_wide = wide.evaluate("document.documentElement.scrollWidth") > WIDE or wide.evaluate(PANELS_CUT)
        return [(path, WIDE)] if too_wide else []

    # when every page of the navigation, and the first record each one lists, is opened on the phone and wide
    navigation = links(page, "nav.sidenav a")
    assert len(navigation) > 15
    seen, too_wide = crawl(page, live_server.url, navigation, skipped=SKIPPED, follow=first_record, check=wide_problems)

    # then none of them scrolls sideways on the phone (the navigation strip scrolls inside itself), nor on the
    # wide screen, where no panel's content sticks out of it
    assert len(seen) > 25
    assert too_wide == []

    # and a Spanish customer's portal, page by page, on the phone
    customer = Customer.objects.filter(language="es").exclude(email="").order_by("-id").first()
    portal = new_page(width=PHONE, height=800)
    portal.goto(f"{live_server.url}/portal/sign-in/")
    portal.fill("input[name=email]", customer.email)
    portal.click("form:has(input[name=email]) button[type=submit]")
    portal.wait_for_load_state("load")
    link = re.search(r"https?://\S+/portal/auth/\S+", mail.outbox[-1].body).group(0)
    portal.goto(link)
    portal.click("main form button[type=submit]")
    portal.wait_for_load_state("load")
    assert portal.locator("html").get_attribute("lang") == "es"
    # the phone's bar: the menu, products and requests; the other groups wait in the menu
    assert portal.locator("header nav a.nav-menu").is_visible()
    assert portal.locator("header nav a[href='/portal/requests/']").is_visible()
    assert not portal.locator("header nav a[href='/portal/contests/']").is_visible()
    seen, too_wide = crawl(
        portal,
        live_server.url,
        ["/portal/"],
        skipped=PORTAL_SKIPPED,
        follow=lambda page, path: links(page, "a[href^='/portal/']"),
    )
    assert len(seen) > 12
    assert too_wide == []
