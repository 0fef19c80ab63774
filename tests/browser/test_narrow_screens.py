"""Every console page of the demo company fits a phone 360 px wide, in Spanish (the longer language); no label is cut."""

from __future__ import annotations

import re

import pytest

from aftersales.demo.builder import DEMO_PASSWORD, demo_build

# The demo company needs the departments and calendar the migrations write: keep them across the flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = 360
# Pages reached from the navigation, then one record of each list; by path shape, digits ignored.
MAX_PAGES = 60
SKIPPED = re.compile(r"^/(logout|admin|api|i18n|jsi18n|static|u|s|portal)/|\.(csv|ics)$|/export")


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [href.split("#")[0] for href in hrefs if href and href.startswith("/") and not href.startswith("//")]


def test_console_pages_fit_a_phone_in_spanish_and_the_navigation_shows_whole_labels(live_server, new_page):
    # given the demo company, whose service manager works in Spanish
    demo_build(customers=6, seed=5)

    # on a wide screen, no label of the side navigation is cut
    wide = new_page(width=1280, height=800)
    sign_in(wide, live_server.url, "manager")
    assert wide.locator("html").get_attribute("lang") == "es"
    assert wide.locator("nav.sidenav a").count() > 15
    cut = wide.eval_on_selector_all(
        "nav.sidenav a", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"
    )
    assert cut == []

    page = new_page(width=PHONE, height=800)
    sign_in(page, live_server.url, "manager")

    # when every page of the navigation, and the first record each one lists, is opened on the phone
    queue = links(page, "nav.sidenav a")
    assert len(queue) > 15
    seen: set[str] = set()
    too_wide: list[tuple[str, int]] = []
    first_records: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if shape in seen or SKIPPED.search(path):
            continue
        seen.add(shape)
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            too_wide.append((path, width))
        if path in first_records:
            continue
        record = next(iter(links(page, "main table a[href], main .list a[href]")), None)
        if record:
            first_records.append(record)
            queue.append(record)

    # then none of them scrolls sideways (the navigation strip scrolls inside itself)
    assert len(seen) > 25
    assert too_wide == []
