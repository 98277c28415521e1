"""Issue 14's journey in a real browser, as a new author would try it: create a course, add
an e-tivity to each stage from the storyboard, preview one as a learner, save the drafts,
publish, and a learner who joins a cohort of it sees them; then edit an e-tivity of the
course the demo cohort runs: the draft is not what a learner sees; publishing says first what
the raised rule will do to the running cohort; then the learner sees it, every completion
kept."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from browser_steps import demo_cohort_id, log_in, log_out
from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.services import create_cohort
from course_app.courses.models import Course, Etivity
from course_app.design.services import add_author
from course_app.extensions import db
from course_app.progress.models import Completion

pytestmark = pytest.mark.browser

AUTHOR = "facilitator@example.org"


def make_author(app) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == AUTHOR))
        course = db.session.scalar(select(Course).where(Course.slug == "engaging-online"))
        try:
            add_author(course, user, utcnow())
        except ValueError:
            db.session.rollback()  # already an author
        else:
            db.session.commit()


def add_etivity(page: Page, stage: int, title: str, preview: bool = False) -> None:
    page.get_by_role("link", name=f"Add an e-tivity to stage {stage}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"New e-tivity in stage {stage}")
    slug = title.lower().replace(" ", "-")
    for label, text in (("Slug", slug), ("Title", title), ("Purpose", "Why it matters."),
                        ("Brief summary", f"{title}, in 20 minutes."),
                        ("Spark", "**What would you do** if nobody answered?"),
                        ("Individual task", "Write a short post."),
                        ("Interaction", "Reply to one person."),
                        ("E-moderator interventions", "Welcome each post."),
                        ("Minutes", "20"), ("Days", "3"), ("Next", "The next step.")):
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Start", exact=True).fill("1")
    expect(page.locator("#rule-sentence")).to_have_text("Start 1 conversation")
    if preview:
        page.get_by_role("button", name="Preview", exact=True).click()
        expect(page.get_by_role("heading", name="Preview as a learner")).to_be_visible()
        expect(page.locator(".design-preview strong", has_text="What would you do")).to_be_visible()
    page.get_by_role("button", name="Save draft", exact=True).click()
    # The storyboard opens at the card, the message in it, on screen (flash-here.js).
    card = page.locator(f"#card-{slug}")
    expect(card.get_by_role("status")).to_contain_text(f"Saved {title} as a draft")
    expect(card.get_by_role("status")).to_be_in_viewport()
    expect(card).to_contain_text("Start 1 conversation")
    expect(card).to_contain_text("New: draft — not yet published")


def test_a_new_author_builds_a_course_a_learner_then_sees(page: Page, live_server):
    base, app = live_server
    make_author(app)
    log_in(page, base, AUTHOR)
    page.get_by_role("link", name="Design", exact=True).click()
    page.get_by_role("link", name="Start a new course", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Working in the open")
    page.get_by_label("Slug", exact=True).fill("working-in-the-open")
    page.get_by_label("Summary", exact=True).fill("Share your work as you go.")
    page.get_by_label("Audience", exact=True).fill("Public servants.")
    page.get_by_role("button", name="Create the course").click()
    expect(page).to_have_title(re.compile("Storyboard · Working in the open"))
    for stage in range(1, 6):
        add_etivity(page, stage, f"Step {stage} together", preview=stage == 1)
    expect(page.locator(".storyboard-card")).to_have_count(5)
    page.get_by_role("link", name="Review and publish").click()
    expect(page.get_by_role("heading", name="5 drafts to publish")).to_be_visible()
    expect(page.locator("#impact-heading")).to_have_count(0)  # no cohort runs it yet
    page.get_by_role("button", name="Publish 5 changes").click()
    expect(page.get_by_text("Published 5 changes")).to_be_visible()
    expect(page.locator(".draft-tag")).to_have_count(0)
    log_out(page)

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "working-in-the-open"))
        author = db.session.scalar(select(User).where(User.email == AUTHOR))
        key = create_cohort(course, "Open cohort", author, utcnow()).enrolment_key
        db.session.commit()
    log_in(page, base, "learner@example.org")
    page.goto(f"{base}/enrol")
    page.get_by_label("Enrolment key").fill(key)
    page.get_by_role("button", name="Join a cohort").click()
    expect(page.get_by_text("Step 1 together").first).to_be_visible()


def test_a_draft_reaches_learners_only_when_published_with_its_impact_first(page: Page,
                                                                          live_server):
    base, app = live_server
    make_author(app)
    cohort_id = demo_cohort_id(app)
    with app.app_context():
        welcome = db.session.scalar(select(Etivity).where(Etivity.slug == "welcome"))
        kept = db.session.scalar(select(func.count(Completion.id)).where(
            Completion.etivity_id == welcome.id, Completion.cohort_id == cohort_id))
        observe, title = welcome.observe, welcome.title
    assert kept > 0
    log_in(page, base, AUTHOR)
    page.goto(f"{base}/design/engaging-online")
    page.locator("#card-welcome").get_by_role("link").first.click()
    page.get_by_label("Title", exact=True).fill("Welcome, everyone")
    page.get_by_label("Read", exact=True).fill(str(observe + 1))
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(page.get_by_text("Saved Welcome, everyone as a draft")).to_be_visible()
    expect(page.locator("#card-welcome")).to_contain_text("Draft — not yet published")
    log_out(page)

    log_in(page, base, "eve@example.org")  # a learner of the demo cohort
    page.goto(f"{base}/cohorts/{cohort_id}/e/welcome")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_text("Welcome, everyone")).to_have_count(0)
    log_out(page)

    log_in(page, base, AUTHOR)
    page.goto(f"{base}/design/engaging-online/publish")
    # the demo cohort and the demo paced cohort
    expect(page.locator("#impact-heading")).to_contain_text(
        "2 cohorts open for enrolment use this course")
    expect(page.get_by_text("completions are never taken back")).to_be_visible()
    expect(page.get_by_text("will need 1 more read")).to_be_visible()
    page.get_by_role("button", name="Publish 1 change").click()
    expect(page.get_by_text("Published 1 change")).to_be_visible()
    log_out(page)

    log_in(page, base, "eve@example.org")
    page.goto(f"{base}/cohorts/{cohort_id}/e/welcome")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, everyone")
    with app.app_context():
        assert db.session.scalar(select(func.count(Completion.id)).where(
            Completion.etivity_id == welcome.id, Completion.cohort_id == cohort_id)) == kept
        assert db.session.scalar(select(Etivity.observe).where(
            Etivity.slug == "welcome")) == observe + 1
