"""Foundation journeys walked in a real browser (Debian's Chromium through Playwright)."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_steps import log_in

pytestmark = pytest.mark.browser


def test_demo_learner_logs_in_and_sees_the_course(page: Page, live_server):
    base, _app = live_server
    log_in(page, base, "learner@example.org")
    expect(page.get_by_text("Welcome back, Lee Learner.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your cohorts")).to_be_visible()
    expect(page.get_by_text("Demo cohort")).to_be_visible()
    page.get_by_role("link", name="Engaging online").click()
    expect(page).to_have_title(re.compile("Engaging online"))
    for n in range(1, 6):
        expect(page.get_by_role("heading", name=re.compile(f"^Stage {n}"))).to_be_visible()


def test_demo_facilitator_logs_in(page: Page, live_server):
    base, _app = live_server
    log_in(page, base, "facilitator@example.org")
    expect(page.get_by_text("Welcome back, Farah Facilitator.")).to_be_visible()


def test_wrong_password_keeps_email_and_explains(page: Page, live_server):
    base, _app = live_server
    log_in(page, base, "learner@example.org", "not the password", expect_welcome=False)
    # Beside the field, and in the error summary at the top as a link to it.
    expect(page.locator("#password-error")).to_contain_text("don't match an account")
    expect(page.locator(".error-summary").get_by_role("link")).to_contain_text("don't match")
    expect(page.get_by_label("Email")).to_have_value("learner@example.org")


def test_register_then_log_out(page: Page, live_server):
    base, _app = live_server
    page.goto(base + "/account/register")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Display name").fill("New Comer")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create an account").click()
    expect(page.locator("#password-error")).to_contain_text("at least 8 characters")
    expect(page.get_by_label("Display name")).to_have_value("New Comer")
    page.get_by_label("Password", exact=True).fill("a garden full of herbs")
    page.get_by_label("Repeat password").fill("a garden full of herbs")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_text("Welcome, New Comer.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out")).to_be_visible()
