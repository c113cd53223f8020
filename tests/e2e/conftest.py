"""Headless Chromium (Debian's package) driven by Playwright, against pytest-django's live
server."""

import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / ".pytest-artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's event loop must be gone before the tests of
    other modules use the ORM."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls here; the tests' own calls around it are plain synchronous ones, so allow them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # What the browser showed when the test failed, for whoever reads the CI log.
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content())
        print(f"Browser state saved in {ARTIFACTS}/{name}.png and .html; page: {page.url}")
        print(re.sub(r"\s+", " ", page.inner_text("body"))[:2000])
    context.close()
    # A CSP violation or a script error is a bug a person would hit.
    assert errors == [], errors


def sign_in(page, live_server, username: str, password: str):
    """Sign in to the admin through its login form, as a person does."""
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Site administration").wait_for()
    return page


@pytest.fixture
def organiser_page(page, live_server):
    """The admin in the browser, signed in as a superuser."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("organiser", "o@example.org", "a-long-password-1")
    return sign_in(page, live_server, "organiser", "a-long-password-1")
