"""Take the README's screenshot of the staff console: a demo customer's page at 1280×800.

    .venv/bin/python scripts/screenshot.py [--out docs/images/console.png]

Builds a small demo company in a throw-away database, serves it with gunicorn on a free local port,
signs in as the English-speaking demo administrator with Debian's Chromium, opens the page of the
customer who owns the most units and saves the screenshot. Nothing outside the temporary folder
and the output file is touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
AFTERSALES = str(Path(sys.executable).with_name("aftersales"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local http URL we built
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def demo_facts(env: dict[str, str]) -> tuple[int, str]:
    """Return the id of the English-speaking customer with the most units, and the demo password."""
    query = (
        "from django.db.models import Count;"
        "from aftersales.customers.models import Customer;"
        "from aftersales.demo.builder import DEMO_PASSWORD;"
        "customer = Customer.objects.filter(language='en').annotate(n=Count('units')).order_by('-n', 'id').first();"
        "print(customer.pk, DEMO_PASSWORD)"
    )
    output = subprocess.run([AFTERSALES, "shell", "-c", query], env=env, check=True, capture_output=True, text=True)  # noqa: S603
    customer_id, password = output.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(customer_id), password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(PROJECT / "docs" / "images" / "console.png"))
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as var_dir:
        env = {**os.environ, "AFTERSALES_VAR_DIR": var_dir, "AFTERSALES_ALLOW_INSECURE_KEY": "1", "DEBUG": "0"}
        env.pop("DATABASE_URL", None)
        subprocess.run([AFTERSALES, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
        demo = [AFTERSALES, "demo", "--customers", str(options.customers), "--seed", str(options.seed)]
        subprocess.run(demo, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        customer_id, password = demo_facts(env)
        base = f"http://127.0.0.1:{free_port()}"
        server = subprocess.Popen(  # noqa: S603
            [AFTERSALES, "serve", "--bind", base.removeprefix("http://"), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"{base}/login/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-GB")
                page.goto(f"{base}/login/")
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/")
                page.goto(f"{base}/customers/{customer_id}/")
                Path(options.out).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=options.out)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(f"Saved {options.out} ({Path(options.out).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
