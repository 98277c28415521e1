"""A learner's discussion journey in a real browser: open a stage 1 e-tivity, start a
conversation piece, reply to a peer, see the reply."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_steps import demo_cohort_id, log_in

pytestmark = pytest.mark.browser


def test_learner_starts_a_piece_and_replies_to_a_peer(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    log_in(page, base, "ana@example.org")

    page.goto(f"{base}/cohorts/{cohort_id}/e/introduce-yourself")
    expect(page.get_by_role("heading", level=1, name="Introduce yourself")).to_be_visible()
    expect(page).to_have_title(re.compile("Introduce yourself"))
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()

    # Start a conversation.
    page.get_by_label("Title").fill("Ana, second hello")
    page.get_by_label("Your post").fill("Still in the press office, now *braver* online.")
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.get_by_role("heading", level=1, name="Ana, second hello")).to_be_visible()
    expect(page.get_by_text("Your conversation is up.")).to_be_visible()
    expect(page.locator("article.post em", has_text="braver")).to_be_visible()

    # Back to the e-tivity, open a peer's piece and reply to it.
    page.get_by_role("link", name="Back to “Introduce yourself”").click()
    page.get_by_role("link", name="Ben: Introduce yourself").click()
    expect(page.get_by_role("heading", level=1, name="Ben: Introduce yourself")).to_be_visible()
    page.get_by_role("link", name="Reply to Ben Marsh").first.click()
    expect(page.get_by_text("Replying to Ben Marsh")).to_be_visible()
    page.get_by_label("Your reply").fill("Thanks Ben, this is **really** useful.")
    page.get_by_role("button", name="Send reply").click()

    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    reply = page.locator("article.post", has_text="Thanks Ben, this is")
    # The message is in the reply the page opens at (static/js/flash-here.js), on screen.
    expect(reply.get_by_role("status")).to_have_text("Your reply is posted.")
    expect(reply.get_by_role("status")).to_be_in_viewport()
    expect(page.locator("main > .flashes")).to_have_count(0)
    expect(reply.locator("strong", has_text="really")).to_be_visible()
    expect(reply.get_by_text("In reply to")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))


def test_choosing_a_piece_template_fills_the_post(page: Page, live_server):
    """The list changes nothing by itself (not even on the arrow keys); "Use this template"
    fills the post in place, "Undo" puts back what was there."""
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    log_in(page, base, "ben@example.org")
    page.goto(f"{base}/cohorts/{cohort_id}/e/time-and-help")
    post = page.get_by_label("Your post")
    post.fill("My own first thoughts")
    chooser = page.get_by_label("Start from a template (optional)")
    chooser.focus()
    page.keyboard.press("ArrowDown")
    expect(post).to_have_value("My own first thoughts")
    expect(chooser).to_be_focused()
    chooser.select_option("Tips")
    expect(post).to_have_value("My own first thoughts")

    page.get_by_role("button", name="Use this template").click()
    expect(post).to_have_value(re.compile(r"When I'll drop in"))
    expect(page.get_by_role("status").filter(
        has_text="“Tips” template is in your post now")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Undo")).click()
    expect(post).to_have_value("My own first thoughts")
    expect(page.get_by_role("button", name=re.compile("^Undo"))).to_be_hidden()
    expect(page.get_by_role("button", name="Use this template")).to_be_focused()

    page.get_by_role("button", name="Use this template").click()
    post.press("End")
    post.type(" Tuesdays at nine.")
    page.get_by_label("Title").fill("Ben's times")
    page.get_by_label("Title").press("Enter")  # Enter sends the form, never swaps the text
    expect(page.get_by_role("heading", level=1, name="Ben's times")).to_be_visible()
    expect(page.get_by_text("from the “Tips” template")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
