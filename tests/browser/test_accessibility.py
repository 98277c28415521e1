"""Every page of the learner's, the facilitator's and the reviewer's journeys, and the error
pages, checked at 320, 375 and 1280 px (issue 12):

- axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules finds nothing;
- nothing scrolls sideways, except a data table inside a labelled, focusable box;
- the Nu HTML checker finds no errors in the HTML the server sent.

Each journey logs in once and visits its pages in one browser context, resizing rather than
reloading; the pages' HTML goes to vnu.jar's web service (one per test worker).
KNOWN_FAILURES would list what is still to fix; it is empty, and strict: a new problem
anywhere fails, and a problem listed there that is fixed must leave the list.

UPDATE_SCREENSHOTS=1 also saves the main pages at 1280 and 375 px to docs/screenshots/;
A11Y_FINDINGS=<folder> writes every finding, known or not, there as JSON (one file a journey).
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from a11y_checks import (
    AXE_JS,
    HEIGHT,
    Findings,
    NuChecker,
    State,
    check_states,
    compare,
    require_tools,
    run_axe,
    sideways,
)
from browser_steps import log_in
from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole, Membership
from course_app.cohorts.services import add_member, create_cohort, create_invite
from course_app.demo import DEMO_COHORT
from course_app.design.services import add_author
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from course_app.jobs.queue import run_pending
from course_app.mailings.preferences import unsubscribe_token
from course_app.progress.overrides import mark_complete_by_hand, open_early
from course_app.toolkit.services import toolkit_etivities

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module", autouse=True)
def _tools():
    """Module-wide and autouse, so it runs before the demo data is loaded for nothing."""
    require_tools()


@pytest.fixture(scope="session")
def nu():
    """The Nu HTML checker, one per test worker."""
    checker = NuChecker()
    yield checker
    checker.stop()


@pytest.fixture(scope="module")
def ids(live_server) -> dict:
    """The demo's ids the page paths name, and an invite link for the visitor's journey."""
    _base, app = live_server
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))
        people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
        stage_1, stage_2 = cohort.course.etivities_in(1)[0], cohort.course.etivities_in(2)[0]
        thread = db.session.scalar(
            select(Thread).where(Thread.cohort_id == cohort.id, Thread.etivity_id == stage_1.id)
            .order_by(Thread.id))
        own_post = db.session.scalar(
            select(Post).where(Post.author_id == people["eve"].id).order_by(Post.id))
        ana = db.session.scalar(select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id == people["ana"].id))
        invite = create_invite(cohort, people["facilitator"], utcnow(),
                               expires_at=utcnow() + timedelta(days=7))
        add_author(cohort.course, people["facilitator"], utcnow())  # for the AUTHOR journey
        # A paced cohort that opened four days ago, for the facilitator's calendar (the demo
        # cohort is self-paced).
        paced = create_cohort(cohort.course, "Paced cohort", people["facilitator"], utcnow(),
                              starts_on=utcnow().date() - timedelta(days=3), paced=True)
        # Pat there too, with a stage opened early and an e-tivity marked complete by hand,
        # for the tables of changes by hand.
        add_member(paced, people["pat"], MemberRole.LEARNER, utcnow())
        open_early(paced, people["facilitator"].id, utcnow(), stage_number=2,
                   user_id=people["pat"].id)
        mark_complete_by_hand(paced, people["pat"].id, stage_1.id, people["facilitator"].id,
                              utcnow())
        toolkit_etivity = toolkit_etivities(cohort.course)[0]
        db.session.commit()
        # The demo's emails, in the development mailbox (the admin's journey shows it).
        run_pending()
        unsubscribe = unsubscribe_token(people["eve"].id, "digest")
        return {
            "cohort": cohort.id, "course": cohort.course.slug, "etivity": stage_1.slug,
            "etivity2": stage_2.slug, "thread": thread.id, "post": thread.posts[0].id,
            "own_post": own_post.id, "membership": ana.id, "invite": invite.token,
            "eve": people["eve"].id, "finn": people["finn"].id, "paced": paced.id,
            "toolkit_etivity": toolkit_etivity.slug, "unsubscribe": unsubscribe,
        }


# ---- the journeys ------------------------------------------------------------------------

TEMPLATE_LIST = "Start from a template (optional)"
C = "/cohorts/{cohort}"
F = "/facilitate/cohorts/{cohort}"
R = "/reports/cohorts/{cohort}"

VISITOR = [
    State("visitor/home", "/", screenshot=True),
    State("visitor/login", "/account/login", screenshot=True),
    State("visitor/login-errors", "/account/login", submit="Log in",
          fill=(("Email", "nobody@example.org"), ("Password", "not the password")), status=401),
    State("visitor/register", "/account/register"),
    State("visitor/register-errors", "/account/register", submit="Create an account",
          screenshot=True,
          fill=(("Email", "not an address"), ("Password", "short")), status=400),
    State("visitor/course", "/courses/{course}"),
    State("visitor/glossary", "/glossary"),
    State("visitor/invite-create-account", "/invite/{invite}"),  # opens "Create an account"
    State("visitor/not-found", "/no-such-page", status=404),
    State("visitor/unsubscribe", "/email/unsubscribe/{unsubscribe}"),
    State("visitor/unsubscribe-bad-link", "/email/unsubscribe/not-a-token", status=404),
    State("visitor/public-toolkit", "/toolkits/{cohort}"),
]

LEARNER = [  # Eve, in stage 3: a learner with a history
    State("learner/home", "/"),
    State("learner/enrol", "/enrol"),
    State("learner/enrol-errors", "/enrol", submit="Join a cohort",
          fill=(("Enrolment key", "nope"),), status=400),
    State("learner/map", C, screenshot=True),
    State("learner/etivity", C + "/e/{etivity2}", screenshot=True),
    State("learner/etivity-errors", C + "/e/{etivity2}", submit="Start the conversation",
          status=400),
    State("learner/template-chosen", C + "/e/{etivity2}", actions=(
        ("choose", TEMPLATE_LIST, "Imagine"), ("press", "Use this template"))),
    State("learner/template-not-chosen", C + "/e/{etivity2}", submit="Use this template",
          status=400),  # nothing chosen: the server says so beside the list
    State("learner/untouched-template", C + "/e/{etivity2}", submit="Start the conversation",
          status=400, actions=(("choose", TEMPLATE_LIST, "Imagine"),
                               ("press", "Use this template"), ("fill", "Title", "My idea"))),
    State("learner/thread", C + "/threads/{thread}", screenshot=True),
    State("learner/thread-errors", C + "/threads/{thread}", submit="Send reply", status=400),
    State("learner/help", C + "/help"),
    State("learner/edit-post", C + "/posts/{own_post}/edit"),
    State("learner/withdraw-post", C + "/posts/{own_post}/withdraw"),
    State("learner/progress", C + "/progress", screenshot=True),
    State("learner/toolkit", C + "/toolkit", screenshot=True),
    State("learner/toolkit-section", C + "/toolkit/e/{toolkit_etivity}"),
    State("learner/toolkit-print", C + "/toolkit/print"),
    State("learner/toolkit-consent-saved", C + "/toolkit", submit="Save my choice"),
    State("learner/own-report", R + "/learners/{eve}"),
    State("learner/notifications", "/notifications"),
    State("learner/email-choices", "/email"),
    State("learner/calendar-link", C + "/calendar"),
    State("learner/email-choices-saved", "/email", submit="Save my choices"),
    State("learner/profile", "/account/profile"),
    State("learner/profile-errors", "/account/profile", submit="Save profile",
          fill=(("Display name", ""),), status=400),
    State("learner/password", "/account/password"),
    State("learner/password-errors", "/account/password", submit="Change password", status=400),
    State("learner/delete-account", "/account/delete"),
    State("learner/delete-account-errors", "/account/delete", submit="Delete my account",
          status=400),
    State("learner/forbidden", R, status=403),
    State("learner/not-staff", "/facilitate/", status=403),
    State("learner/tokens", "/reports/tokens", status=403),
]

NEWCOMER = [  # Lee, who has just arrived: the empty states
    State("newcomer/home", "/"),
    State("newcomer/map", C),
    State("newcomer/progress", C + "/progress"),
    State("newcomer/etivity", C + "/e/{etivity}"),
]

FACILITATOR = [
    State("facilitator/home", "/facilitate/"),
    State("facilitator/finished", "/facilitate/cohorts/finished"),  # none yet: what to do
    State("facilitator/cohort", F, screenshot=True),
    State("facilitator/waiting", F + "/waiting/unanswered"),  # one list in full, paged
    State("facilitator/new-cohort", "/facilitate/cohorts/new"),
    State("facilitator/new-cohort-errors", "/facilitate/cohorts/new", submit="Open the cohort",
          status=400),
    State("facilitator/settings", F + "/settings"),
    State("facilitator/invites", F + "/invites"),
    State("facilitator/invites-errors", F + "/invites", submit="Invite these people", status=400),
    State("facilitator/link-made", F + "/invites", submit="Make a link"),
    State("facilitator/people", F + "/people"),
    State("facilitator/people-errors", F + "/people", submit="Add them", status=400),
    State("facilitator/remove-member", F + "/people/{membership}/remove"),
    State("facilitator/member-removed", F + "/people/{membership}/remove",
          submit="Yes, remove Ana Okafor"),  # the people page lists her, to bring back
    State("facilitator/removed", F + "/people/removed"),
    State("facilitator/member-brought-back", F + "/people", submit="Bring back Ana Okafor"),
    State("facilitator/nobody-removed", F + "/people/removed"),
    State("facilitator/overrides", F + "/overrides"),
    State("facilitator/overrides-made", "/facilitate/cohorts/{paced}/overrides"),
    State("facilitator/overrides-opened", "/facilitate/cohorts/{paced}/overrides/opened"),
    State("facilitator/nothing-by-hand", F + "/overrides/by-hand"),
    State("facilitator/nudge", F + "/nudge"),
    State("facilitator/nudge-template", F + "/nudge?learner={finn}", actions=(
        ("choose", TEMPLATE_LIST, "Stuck in a stage"), ("press", "Use this template"))),
    State("facilitator/weave", F + "/e/{etivity}/weave"),
    State("facilitator/weave-errors", F + "/e/{etivity}/weave", submit="Publish the summary",
          status=400),
    State("facilitator/reading", F + "/e/{etivity}/reading"),
    State("facilitator/audit", F + "/audit"),
    State("facilitator/calendar", "/facilitate/cohorts/{paced}/calendar", screenshot=True),
    State("facilitator/calendar-self-paced", F + "/calendar"),
    State("facilitator/toolkit", C + "/toolkit"),
    State("facilitator/toolkit-section", C + "/toolkit/e/{toolkit_etivity}", screenshot=True),
    State("facilitator/hide-post", F + "/posts/{post}/hide"),
    State("facilitator/hide-post-errors", F + "/posts/{post}/hide", submit="Hide the post",
          status=400),
    State("facilitator/map", C),
    State("facilitator/etivity", C + "/e/{etivity}"),
    State("facilitator/thread", C + "/threads/{thread}"),
    State("facilitator/progress", C + "/progress"),
    State("facilitator/calendar-link", C + "/calendar"),  # self-paced: nothing to subscribe to
    State("facilitator/calendar-link-paced", "/cohorts/{paced}/calendar"),
    State("facilitator/calendar-link-made", "/cohorts/{paced}/calendar",
          submit="Make my calendar link"),
]

REVIEWER = [
    State("reviewer/home", "/"),
    State("reviewer/reports", "/reports/"),
    State("reviewer/dashboard", R, screenshot=True),
    State("reviewer/dashboard-filtered", R + "?status=stuck"),
    State("reviewer/dashboard-one-stage", R + "?show=3"),
    State("reviewer/dashboard-errors", R + "?inactive=-1"),
    State("reviewer/learner", R + "/learners/{finn}"),
    State("reviewer/etivity", R + "/e/{etivity}"),
    State("reviewer/compare", "/reports/courses/{course}/compare"),
    State("reviewer/print", R + "/print"),
    State("reviewer/tokens", "/reports/tokens"),
    State("reviewer/tokens-errors", "/reports/tokens", submit="Make the token", status=400),
    State("reviewer/token-made", "/reports/tokens", submit="Make the token",
          fill=(("Token name", "Spreadsheet"),)),
    State("reviewer/map", C),
]

D = "/design/{course}"
AUTHOR = [  # Farah, also an author of the demo's course: the designer
    State("author/design", "/design/", screenshot=True),
    State("author/new-course", "/design/new"),
    State("author/new-course-errors", "/design/new", submit="Create the course", status=400),
    State("author/storyboard", D, screenshot=True),
    State("author/etivity", D + "/etivities/{etivity2}", screenshot=True),
    State("author/etivity-preview", D + "/etivities/{etivity2}", submit="Preview"),
    State("author/etivity-errors", D + "/etivities/{etivity2}", submit="Save draft",
          fill=(("Title", ""), ("Minutes", "lots")), status=400),
    State("author/etivity-conflict", D + "/etivities/{etivity2}", submit="Save draft",
          status=409, actions=(("hidden", "version", "0"), ("fill", "Title", "Mine"))),
    State("author/new-etivity", D + "/stages/4/new"),
    State("author/new-etivity-errors", D + "/stages/4/new", submit="Save draft", status=400),
    State("author/course-texts", D + "/course"),
    State("author/course-texts-preview", D + "/course", submit="Preview"),
    State("author/course-texts-errors", D + "/course", submit="Save draft",
          fill=(("Course title", ""),), status=400),
    # Someone else saved since the form was opened: asked before saving over it.
    State("author/course-texts-conflict", D + "/course", submit="Save draft", status=409,
          actions=(("hidden", "version", "0"), ("fill", "Course title", "Mine"))),
    State("author/authors", D + "/authors"),
    State("author/history", D + "/history"),
    State("author/etivity-history", D + "/etivities/{etivity2}/history"),
    State("author/duplicate", D + "/duplicate"),
    State("author/upload", D + "/upload"),
    State("author/upload-errors", D + "/upload", submit="Upload", status=400),
    # Drafts last: an upload waits for them.
    State("author/publish-empty", D + "/publish"),
    State("author/etivity-draft-saved", D + "/etivities/{etivity2}", submit="Save draft",
          fill=(("Title", "A drafted title"), ("Read", "9"))),  # the storyboard, marked
    State("author/etivity-draft", D + "/etivities/{etivity2}"),
    State("author/duplicate-with-a-draft", D + "/duplicate"),  # says the draft is not copied
    State("author/discard-draft", D + "/publish",  # asks first; nothing is discarded
          submit="Discard this draft of A drafted title"),
    State("author/publish", D + "/publish", screenshot=True),
]

ADMIN = [
    State("admin/mailbox", "/admin/mailbox"),
    State("admin/mailbox-page-2", "/admin/mailbox?page=2"),
    State("admin/email-choices", "/email"),
]

JOURNEYS = {
    "visitor": (None, VISITOR),
    "learner": ("eve@example.org", LEARNER),
    "newcomer": ("learner@example.org", NEWCOMER),
    "facilitator": ("facilitator@example.org", FACILITATOR),
    "reviewer": ("reviewer@example.org", REVIEWER),
    "author": ("facilitator@example.org", AUTHOR),
    "admin": ("admin@example.org", ADMIN),
}

# What is still to fix: page state -> the checks that fail there ("axe <rule> @<width>",
# "sideways @<width>", "nu"). Empty: every page passes. Keep it that way; if something must
# wait, list it here with the template to change, and the test holds you to removing it.
KNOWN_FAILURES: dict[str, set[str]] = {}


@pytest.mark.parametrize("journey", JOURNEYS)
def test_every_page_passes_axe_nu_and_fits_the_screen(journey, browser: Browser, live_server,
                                                      ids, nu):
    base, _app = live_server
    email, states = JOURNEYS[journey]
    context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    try:
        if email:
            log_in(page, base, email)
        findings = Findings()
        check_states(page, base, ids, states, findings, screenshots=SCREENSHOTS)
    finally:
        context.close()
    for name, errors in nu.errors(findings.html).items():
        findings.add(name, "nu", errors)
    if os.environ.get("A11Y_FINDINGS"):
        findings.save(Path(os.environ["A11Y_FINDINGS"]) / f"{journey}.json")
    report = compare(findings, KNOWN_FAILURES, [s.name for s in states])
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)


# ---- each checker catches what it should (so a broken set-up cannot pass) --------------------

BROKEN = """<!doctype html><html><head><title>x</title></head><body>
  <img src="x.png"><input name="q"><a href="/a" style="color:#ddd">faint</a>
  <div style="width:2000px">wide</div>
  <div style="overflow-x:auto;width:100px"><p style="width:500px">sideways</p></div>
</body></html>"""


def test_axe_finds_problems_on_a_broken_page(page: Page):
    page.set_content(BROKEN)
    page.add_script_tag(path=str(AXE_JS))
    violations = run_axe(page)
    found = {v["id"] for v in violations}
    assert {"image-alt", "label", "html-has-lang", "color-contrast"} <= found
    assert all(v["targets"] for v in violations)  # each names where, for the report


def test_sideways_check_finds_a_wide_page_and_an_unreachable_scroll_box(page: Page):
    page.set_viewport_size({"width": 320, "height": HEIGHT})
    page.set_content(BROKEN)
    problems = sideways(page)
    assert problems[0].startswith("the page is") and "scrolls sideways" in problems[1]


def test_nu_checker_finds_errors(nu):
    found = nu.errors({"broken": BROKEN.replace("<!doctype html>", ""),
                       "fine": "<!doctype html><html lang=en><title>x</title><p>ok"})
    assert any("doctype" in e.lower() for e in found["broken"])
    assert any("alt" in e for e in found["broken"])
    assert found["fine"] == []
