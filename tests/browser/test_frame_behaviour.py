"""The shared frame, used the way people use it (issue 12): the menu on a phone with no
JavaScript, focus you can see, the error summary taking focus, and a wide table scrolled with
the keyboard. tests/browser/test_accessibility.py runs the automatic checks on every page."""

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_steps import demo_cohort_id, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_menu_opens_and_closes_on_a_phone_without_javascript(browser: Browser, live_server):
    base, _app = live_server
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/")
        menu = page.locator(".site-header").get_by_text("Menu")
        log_in_link = page.locator(".site-header").get_by_role("link", name="Log in")
        expect(log_in_link).to_be_hidden()
        menu.click()
        expect(log_in_link).to_be_visible()
        log_in_link.click()
        expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
        expect(log_in_link).to_be_hidden()  # a new page starts with the menu closed
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_wide_screens_show_the_links_without_a_menu_button(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base + "/")
    header = page.locator(".site-header")
    expect(header.get_by_text("Menu")).to_be_hidden()
    expect(header.get_by_role("link", name="Create an account")).to_be_visible()


def test_keyboard_focus_is_yellow_with_a_dark_edge(page: Page, live_server):
    base, _app = live_server
    page.goto(base + "/account/login")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the app's name, home
    focused = page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return [document.activeElement.className, s.backgroundColor, s.color, s.boxShadow];
    }""")
    assert focused[0] == "brand"
    assert focused[1] == "rgb(255, 221, 0)" and focused[2] == "rgb(11, 12, 12)"
    assert "rgb(11, 12, 12)" in focused[3]  # the dark underline


def test_error_summary_takes_focus_and_its_links_focus_the_field(page: Page, live_server):
    base, _app = live_server
    page.goto(base + "/account/register")
    page.get_by_label("Display name").fill("Ann Typed")
    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_title("Error: Create an account – Staircase")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name="Enter your email address.").click()
    expect(page.get_by_label("Email")).to_be_focused()
    expect(page.get_by_label("Display name")).to_have_value("Ann Typed")


def test_a_wide_table_scrolls_with_the_arrow_keys(browser: Browser, live_server):
    base, app = live_server
    context = browser.new_context(viewport={"width": 320, "height": 740})
    page = context.new_page()
    try:
        log_in(page, base, "eve@example.org")
        page.goto(f"{base}/cohorts/{demo_cohort_id(app)}/progress")
        box = page.get_by_role("group", name="Stage 5: what you have done in each e-tivity")
        expect(page.locator(".scroll-hint").first).to_be_visible()
        box.focus()
        expect(box).to_be_focused()
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
    finally:
        context.close()
