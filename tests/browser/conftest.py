"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server on the real database.

Chromium is the system one (``apt-get install chromium``, done by .ci/run when missing): no browser is downloaded.
Each page's console errors, uncaught exceptions and requests are recorded, so a test can assert that a page logged
no error and asked no host but the live server. Screenshots go to var/screenshots/ (git-ignored).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "pass-word-123"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session. Playwright's sync API keeps an event loop in this thread, so Django's
    guard against ORM calls from async code is lifted while it runs (the test body's ORM calls are synchronous)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Recorder:
    """What a page did: console errors, uncaught exceptions and every URL it requested."""

    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def outside_requests(self) -> list[str]:
        """Requests to any host other than the live server (data: and blob: URLs stay in the page)."""
        host = urlsplit(self.origin).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != host]


@pytest.fixture
def browser_page(chromium, live_server, settings):
    """A fresh browser context on the live server, recording console errors and requests (``page.recorder``)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # throttles and the claimable-leads candidates of earlier tests
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorder = Recorder(origin=live_server.url)
    page.on("console", lambda message: recorder.errors.append(f"console: {message.text} ({message.location})")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: recorder.errors.append(f"exception: {error}"))
    page.on("request", lambda request: recorder.requests.append(request.url))
    page.recorder = recorder
    yield page
    context.close()
    cache.clear()


def log_in(page, username: str, password: str = PASSWORD, next_path: str = "/admin/") -> None:
    """Log in through the admin's login form, then land on ``next_path``."""
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + r"$"))


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def staff_user(role: str, username: str):
    """A staff user (may log in to the admin) holding ``role``."""
    from tests.api.factories import role_user

    return role_user(role, username=username, is_staff=True)
