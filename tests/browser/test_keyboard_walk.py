"""The learner's journey with the keyboard alone (issue 12): register, enrol, read a peer's
conversation and reply, start a conversation from a template, see progress; Tab, Shift+Tab,
Enter and Space only, never a click. Then a facilitator's work the same way: log in, hide a
post with a reason and filter the progress dashboard (each after its error), and scroll the
grid of learners; and an author's: move e-tivities on the storyboard, save a draft after its
error. Each journey again at 320 px, where the header's links fold into its menu
and the dashboard's filters under their toggle.

At every stop the focused control must show GOV.UK's focus style and be on screen, and Tab
must move forward through the page (document order; down the page, or up only into a column
to the right, as people read side-by-side boxes): no positive tabindex, nothing invisible in
the way."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from conftest import demo_again
from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort
from course_app.courses.models import Course
from course_app.demo import DEMO_COHORT, PASSWORD
from course_app.design.services import add_author
from course_app.extensions import db

pytestmark = pytest.mark.browser

# Where the focus is and whether people can see it: the focus colours of static/css/app.css
# (yellow, with a dark underline or ring), and the element on screen.
_FOCUS = """() => {
  const el = document.activeElement;
  if (el === document.body) return {what: 'body '};
  const s = getComputedStyle(el);
  const yellow = 'rgb(255, 221, 0)', dark = 'rgb(11, 12, 12)';
  const styled = s.backgroundColor === yellow || s.boxShadow.includes(dark)
    || (s.outlineStyle !== 'none' && s.outlineColor === yellow && parseFloat(s.outlineWidth) >= 2);
  const r = el.getBoundingClientRect();
  // Where the previous stop is now: focusing this one may have scrolled a box (or a smooth
  // scroll may still be moving it), so both are measured at the same moment.
  const before = window.__keyboardPrevious;
  window.__keyboardPrevious = el;
  const b = before && before.isConnected ? before.getBoundingClientRect() : null;
  return {
    previousNow: b && {top: b.top + scrollY, right: b.right + scrollX},
    what: `${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || el.id || '')
      .trim().slice(0, 40)}"`,
    styled, focusVisible: el.matches(':focus-visible'),
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
      && r.right > 0 && r.left < innerWidth,
    order: [...document.querySelectorAll('*')].indexOf(el),
    top: r.top + scrollY, left: r.left + scrollX, right: r.right + scrollX,
    inMain: !!el.closest('main'),
  };
}"""


class Keyboard:
    """Tab through a page as a keyboard user does, checking every stop on the way."""

    def __init__(self, page: Page):
        self.page = page
        self.stops: list[str] = []

    def _check_stop(self, previous: dict | None, backwards: bool = False) -> dict | None:
        """Check where Tab went; None past the end of the page (the browser's own controls:
        the next Tab starts again at the top, as it does for people)."""
        here = self.page.evaluate(_FOCUS)
        if here["what"].startswith("body "):
            return None
        self.stops.append(here["what"])
        assert here["focusVisible"] and here["styled"], f"focus not visible on {here['what']}"
        assert here["onScreen"], f"focus went off screen, to {here['what']}"
        if previous is not None:
            forward = here["order"] > previous["order"]
            assert forward != backwards, (
                f"Tab went {'forward' if backwards else 'back'}: "
                f"{previous['what']} → {here['what']}")
            if here["inMain"] and previous["inMain"] and not backwards:
                was = here["previousNow"] or previous
                next_column = here["left"] >= was["right"]
                assert here["top"] >= was["top"] - 2 or next_column, (
                    f"Tab went up the page: {previous['what']} → {here['what']}")
        return here

    def tab_to(self, target: Locator, limit: int = 120) -> None:
        """Press Tab until one of `target`'s elements has the focus."""
        assert self.page.evaluate(
            "() => [...document.querySelectorAll('[tabindex]')].every(e => e.tabIndex <= 0)"), \
            "a positive tabindex changes the order"
        previous = None
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            previous = self._check_stop(previous)
            if target.evaluate_all("(els) => els.includes(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {target}; it went: {self.stops[-limit:]}")

    def tab(self, backwards: bool = False) -> None:
        previous = self.page.evaluate(_FOCUS)
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        self._check_stop(None if previous["what"].startswith("body ") else previous, backwards)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def to_the_field_in_error(self, field: Locator) -> None:
        """A form came back with errors: the summary has the focus, and its first link takes
        the focus to `field` (GOV.UK's pattern, static/js/error-summary.js)."""
        summary = self.page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        self.tab_to(summary.get_by_role("link").first)
        self.press("Enter")
        expect(field).to_be_focused()

    def to_header_link(self, name: str) -> None:
        """Tab to a link in the site's header: on a phone's width through "Menu" first, which
        folds them away (Enter opens it)."""
        header = self.page.locator(".site-header")
        self.to_folded(header.locator("summary", has_text="Menu"),
                       header.get_by_role("link", name=name))

    def to_folded(self, toggle, target) -> None:
        """Tab to `target`, opening the <details> it folds away in first where its toggle
        shows (on a phone's width: the site's menu, the dashboard's filters)."""
        if toggle.is_visible():
            expect(target).to_be_hidden()
            self.tab_to(toggle)
            self.press("Enter")
        self.tab_to(target)

    def follow(self, key: str = "Enter") -> None:
        """Press a key that opens another page, and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)


def demo_cohort_key(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Cohort.enrolment_key).where(Cohort.name == DEMO_COHORT))


@pytest.mark.parametrize("width", [1280, 320])
def test_the_learner_journey_with_the_keyboard_alone(page: Page, live_server, width):
    """On a wide screen, and on a phone's (the header's links folded into its menu)."""
    base, app = live_server
    key = demo_cohort_key(app)
    page.set_viewport_size({"width": width, "height": 900})
    keys = Keyboard(page)
    main = page.locator("main")

    # The home page: the skip link first, then on to "create an account".
    page.goto(base + "/")
    keys.tab_to(page.get_by_role("link", name="Skip to content"))
    keys.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    keys.tab_to(main.get_by_role("link", name="create an account"))
    keys.follow()

    # Register: each field in turn, one step back with Shift+Tab, the button with Space.
    expect(page.get_by_role("heading", level=1, name="Create an account")).to_be_visible()
    keys.tab_to(page.get_by_label("Email"))
    keys.type(f"keys-{width}@example.org")
    keys.tab()
    expect(page.get_by_label("Display name")).to_be_focused()
    keys.type("Kim Keys")
    keys.tab()
    keys.type("tab enter and space")
    keys.tab()
    expect(page.get_by_label("Repeat password")).to_be_focused()
    keys.tab(backwards=True)
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    keys.tab()
    keys.type("tab enter and space")
    keys.tab()
    expect(page.get_by_role("button", name="Create an account")).to_be_focused()
    keys.follow("Space")
    expect(page.get_by_text("Welcome, Kim Keys.")).to_be_visible()

    # Enrol with the key.
    keys.tab_to(main.get_by_role("link", name="Join with an enrolment key"))
    keys.follow()
    keys.tab_to(page.get_by_label("Enrolment key"))
    keys.type(key)
    keys.follow()
    expect(page.get_by_role("heading", level=1, name=DEMO_COHORT)).to_be_visible()

    # Read a peer's conversation and reply to it.
    keys.tab_to(page.locator("li.step-1").get_by_role("link", name="Introduce yourself"))
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Introduce yourself")).to_be_visible()
    keys.tab_to(main.get_by_role("link", name="Ana: Introduce yourself"))
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Ana: Introduce yourself")).to_be_visible()
    keys.tab_to(main.get_by_role("link", name="Reply to Ana Okafor").first)
    keys.follow()
    keys.tab_to(page.get_by_label("Your reply"))
    keys.type("Hello Ana, I'm finding my way round with the keyboard.")
    keys.tab()
    expect(page.get_by_role("button", name="Send reply")).to_be_focused()
    keys.follow()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()

    # Start a conversation from a template: the list changes nothing until the button.
    keys.tab_to(page.locator("nav.breadcrumbs").get_by_role("link", name=DEMO_COHORT))
    keys.follow()
    keys.tab_to(page.locator("li.step-1").get_by_role("link", name=re.compile("time")))
    keys.follow()
    keys.tab_to(page.get_by_label("Title"))
    keys.type("When Kim drops in")
    keys.tab()
    chooser = page.get_by_label("Start from a template (optional)")
    expect(chooser).to_be_focused()
    keys.press("ArrowDown")  # moves through the list; the post stays as it was
    expect(page.get_by_label("Your post")).to_have_value("")
    keys.tab()
    expect(page.get_by_role("button", name="Use this template")).to_be_focused()
    keys.press("Enter")
    expect(page.get_by_label("Your post")).to_have_value(re.compile("When I'll drop in"))
    keys.tab_to(page.get_by_label("Your post"))
    keys.press("Control+End")
    keys.type("\nMondays at eight, before the inbox fills up.")
    for _ in range(4):  # back past the buttons and the list to the title
        keys.tab(backwards=True)
        if page.get_by_label("Title").evaluate("el => el === document.activeElement"):
            break
    expect(page.get_by_label("Title")).to_be_focused()
    keys.follow()  # Enter in the title sends the form
    expect(page.get_by_text("Your conversation is up.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="When Kim drops in")).to_be_visible()

    # See progress.
    keys.tab_to(page.locator("nav.breadcrumbs").get_by_role("link", name=DEMO_COHORT))
    keys.follow()
    keys.tab_to(main.get_by_role("link", name="Your progress"))
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Your progress")).to_be_visible()
    expect(main).to_contain_text("replied to 1 peer")
    expect(main).to_contain_text("started 1 conversation")


FACILITATOR = "facilitator@example.org"


def log_in_with_keys(page: Page, base: str, keys: Keyboard, email: str) -> None:
    """From the home page's "Log in"; Enter in the password field sends the form. Staff land
    on their own page."""
    page.goto(base + "/")
    keys.to_header_link("Log in")
    keys.follow()
    keys.tab_to(page.get_by_label("Email"))
    keys.type(email)
    keys.tab()
    keys.type(PASSWORD)
    keys.follow()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_facilitators_work_with_the_keyboard_alone(page: Page, live_server, width):
    base, app = live_server
    demo_again(app)  # the post it hides is shown again, at each width
    page.set_viewport_size({"width": width, "height": 900})
    keys = Keyboard(page)
    main = page.locator("main")

    log_in_with_keys(page, base, keys, FACILITATOR)
    expect(page.get_by_role("heading", level=1, name="Facilitate")).to_be_visible()

    # From the cohort's page to a first post nobody has answered, and hide it: sent without a
    # reason first, the error summary's link takes the focus to the field.
    keys.tab_to(main.get_by_role("link", name=DEMO_COHORT, exact=True))
    keys.follow()
    keys.tab_to(main.get_by_role("link", name="“Cara: Introduce yourself”"))
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Cara: Introduce yourself")).to_be_visible()
    keys.tab_to(main.get_by_role("link", name="Hide Cara Lindqvist’s post"))
    keys.follow()
    keys.tab_to(page.get_by_role("button", name="Hide the post"))
    keys.follow()
    keys.to_the_field_in_error(page.get_by_label("Why are you hiding it?"))
    keys.type("A phone number: please send those to me privately.")
    keys.tab()
    expect(page.get_by_role("button", name="Hide the post")).to_be_focused()
    keys.follow()
    expect(page.get_by_text("The post is hidden.")).to_be_visible()

    # The progress dashboard: a status chosen by typing its first letters, a bad number of
    # days sent and mended from the error summary, then the grid of learners, scrolled with
    # the arrow keys.
    keys.to_header_link("Reports")
    keys.follow()
    keys.tab_to(main.get_by_role("link", name=DEMO_COHORT, exact=True))
    keys.follow()
    keys.to_folded(main.locator("summary", has_text="Filter and sort"),
                   page.get_by_label("Status"))
    keys.type("Stuck")
    expect(page.get_by_label("Status")).to_have_value("stuck")
    keys.tab_to(page.get_by_label("Inactive for at least (days)"))
    keys.type("-1")
    keys.tab_to(page.get_by_role("button", name="Show learners"))
    keys.follow()  # the server's message, not the browser's bubble (the form is novalidate)
    days = page.get_by_label("Inactive for at least (days)")
    keys.to_the_field_in_error(days)
    expect(days).to_have_value("-1")  # what was typed is kept
    assert days.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(166, 27, 27)"
    expect(page.get_by_label("Status")).to_have_value("stuck")
    keys.press("Backspace")
    keys.press("Backspace")
    keys.tab_to(page.get_by_role("button", name="Show learners"))
    keys.follow()
    expect(page).to_have_url(re.compile(r"status=stuck"))
    grid = main.locator("[role=group][tabindex='0']").filter(has=page.locator("table")).first
    keys.tab_to(grid)
    before = grid.evaluate("box => box.scrollLeft")
    keys.press("ArrowRight")
    page.wait_for_function("([box, before]) => box.scrollLeft > before",  # scrolls smoothly
                           arg=[grid.element_handle(), before])
    keys.tab_to(grid.locator("a[href*='/learners/']").first)
    keys.follow()
    expect(page.get_by_role("heading", level=1, name=re.compile(": progress report$"))
           ).to_be_visible()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_authors_storyboard_and_editor_with_the_keyboard_alone(page: Page, live_server, width):
    """Move e-tivities with the storyboard's buttons and lists, then save a draft in the
    editor after its error."""
    base, app = live_server
    demo_again(app)  # the storyboard as the demo made it, at each width
    with app.app_context():  # the demo facilitator also writes the course
        course = db.session.scalar(select(Course))
        add_author(course, db.session.scalar(select(User).where(User.email == FACILITATOR)),
                   utcnow())
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    keys = Keyboard(page)
    main = page.locator("main")
    log_in_with_keys(page, base, keys, FACILITATOR)

    keys.to_header_link("Design")
    keys.follow()
    keys.tab_to(main.get_by_role("link", name="Engaging online", exact=True))
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Engaging online")).to_be_visible()
    stage_1 = page.locator(".storyboard-stage").filter(has=page.locator("#stage-1"))
    first_titles = stage_1.locator(".storyboard-card h3")
    expect(first_titles.nth(1)).to_have_text("Introduce yourself")

    # Down one place with its button; then to stage 3 with its list and button.
    keys.tab_to(main.get_by_role("button", name="Down one place: Introduce yourself", exact=True))
    keys.follow()
    expect(page.get_by_text("Moved Introduce yourself.")).to_be_visible()
    expect(first_titles.nth(2)).to_have_text("Introduce yourself")
    keys.tab_to(main.get_by_label("Move Share something of your own to"))
    keys.type("Stage 3")
    keys.tab()
    expect(main.get_by_role("button", name="Move Share something of your own")).to_be_focused()
    keys.follow()
    stage_3 = page.locator(".storyboard-stage").filter(has=page.locator("#stage-3"))
    expect(stage_3.locator(".storyboard-card h3").last).to_have_text("Share something of your own")

    # The editor: a title taken away is an error; its summary's link leads back to the field.
    keys.tab_to(main.get_by_role("link", name="Listen first", exact=True))
    keys.follow()
    title = page.get_by_label("Title", exact=True)
    keys.tab_to(title)
    keys.press("Control+A")
    keys.press("Backspace")
    keys.tab_to(page.get_by_role("button", name="Save draft"))
    keys.follow()
    keys.to_the_field_in_error(title)
    keys.type("Listen first, then speak")
    keys.tab_to(page.get_by_role("button", name="Save draft"))
    keys.follow()
    expect(page.get_by_text("Saved Listen first, then speak as a draft")).to_be_visible()


def test_the_phone_menu_with_the_keyboard_alone(page: Page, live_server):
    """At 320 px the header's links sit behind "Menu": Enter opens it, Tab reaches them."""
    base, _app = live_server
    page.set_viewport_size({"width": 320, "height": 700})
    keys = Keyboard(page)
    header = page.locator(".site-header")
    page.goto(base + "/")
    menu = header.locator("summary", has_text="Menu")
    log_in = header.get_by_role("link", name="Log in")
    expect(log_in).to_be_hidden()
    keys.tab_to(menu)
    keys.press("Enter")
    expect(log_in).to_be_visible()
    keys.tab_to(log_in)
    keys.follow()
    keys.tab_to(page.get_by_label("Email"))
    keys.type(FACILITATOR)
    keys.tab()
    keys.type(PASSWORD)
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Facilitate")).to_be_visible()
    reports = header.get_by_role("link", name="Reports")
    expect(reports).to_be_hidden()  # each page starts with the menu closed
    keys.tab_to(menu)
    keys.press("Space")
    keys.tab_to(reports)
    keys.follow()
    expect(page.get_by_role("heading", level=1, name="Reports")).to_be_visible()
