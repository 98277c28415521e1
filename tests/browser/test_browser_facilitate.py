"""Issue 5's journey in a real browser, as far as the e-moderation pages go: the demo
facilitator opens stage 2 early for one learner, hides a post with a reason, weaves a summary
citing two posts and nudges the learners who have only read; a learner sees each effect, and
each action is in the audit log.

Each test acts on demo data no other test here touches, so they pass in any order on the
module's one live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_steps import demo_cohort_id, log_in, log_out

pytestmark = pytest.mark.browser

FACILITATOR = "facilitator@example.org"


def expect_in_audit_log(page: Page, base: str, cohort_id: int, summary: str) -> None:
    page.goto(f"{base}/facilitate/cohorts/{cohort_id}/audit")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.locator("table.audit tbody")).to_contain_text(summary)


def test_open_stage_2_early_for_one_learner(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/facilitate/cohorts/{cohort_id}/overrides")
    expect(page).to_have_title(re.compile("Open early, mark complete"))
    form = page.locator("#open-stage")
    form.get_by_label("Stage").select_option("2")
    form.get_by_label("Open it for").select_option(label="Lee Learner")
    form.get_by_role("button", name="Open the stage early").click()
    expect(page.get_by_text("Stage 2 is open for Lee Learner now.")).to_be_visible()
    expect(page.locator("table.data").first).to_contain_text("Lee Learner")
    expect_in_audit_log(page, base, cohort_id, "Opened stage 2 early for Lee Learner")
    log_out(page)

    log_in(page, base, "learner@example.org")
    page.goto(f"{base}/cohorts/{cohort_id}")
    stage_2 = page.locator("li.step-2")
    expect(stage_2.locator(".step-state")).to_contain_text("Open")
    expect(stage_2.locator(".step-state")).not_to_contain_text("Locked")
    expect(stage_2.locator("a.etivity-title").first).to_be_visible()
    log_out(page)

    log_in(page, base, "dev@example.org")  # another stage 1 learner: still locked for them
    page.goto(f"{base}/cohorts/{cohort_id}")
    expect(page.locator("li.step-2 .step-state")).to_contain_text("Locked")


def test_hide_a_post_with_a_reason(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    thread_title = "Gus: Your time, and where to ask for help"
    reason = "Please keep phone numbers out of posts; send them to me privately."
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/cohorts/{cohort_id}/e/time-and-help")
    page.get_by_role("link", name=thread_title).click()
    expect(page.get_by_role("heading", level=1, name=thread_title)).to_be_visible()
    post = page.locator("article.post").first
    post.get_by_role("link", name="Hide Gus Amankwah’s post").click()
    expect(page.get_by_role("heading", level=1, name="Hide Gus Amankwah’s post?")).to_be_visible()
    page.get_by_role("button", name="Hide the post").click()  # no reason yet
    expect(page.locator("#reason-error")).to_contain_text("Say why you are hiding it")
    page.get_by_label("Why are you hiding it?").fill(reason)
    page.get_by_role("button", name="Hide the post").click()
    expect(page.get_by_text("The post is hidden.")).to_be_visible()
    expect(post.get_by_role("button", name="Show again")).to_be_visible()
    expect_in_audit_log(page, base, cohort_id, "Hid a post by Gus Amankwah")
    log_out(page)

    log_in(page, base, "gus@example.org")
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.locator("p.notification-text", has_text=f"A facilitator hid your post in "
                                                         f"“{thread_title}”")).to_be_visible()
    page.goto(f"{base}/cohorts/{cohort_id}/e/time-and-help")
    page.get_by_role("link", name=thread_title).click()
    mine = page.locator("article.post").first
    expect(mine).to_contain_text(f"This post was hidden by a facilitator: {reason}")
    expect(mine).to_contain_text("Your text, which only you and the facilitators can see")
    log_out(page)

    log_in(page, base, "ana@example.org")
    page.goto(f"{base}/cohorts/{cohort_id}/e/time-and-help")
    page.get_by_role("link", name=thread_title).click()
    theirs = page.locator("article.post").first
    expect(theirs).to_contain_text("hidden by a facilitator")
    expect(theirs).not_to_contain_text("only you and the facilitators")


def test_weave_a_summary_citing_two_posts(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/cohorts/{cohort_id}/e/introduce-yourself")
    page.get_by_role("link", name="Weave a summary").click()
    expect(page.get_by_role("heading", level=1, name="Weave a summary")).to_be_visible()
    page.get_by_label("Title").fill("What we heard in our introductions")
    page.get_by_label("Your summary").fill("Most of us want to **listen first**, then talk.")
    def opening_post(thread_title):
        thread = page.locator("section.cite-thread").filter(
            has=page.get_by_role("heading", name=thread_title, exact=True))
        return thread.locator("fieldset.cite-post").first

    ana = opening_post("Ana: Introduce yourself")
    expect(ana.locator("legend")).to_contain_text("Ana Okafor")
    ana.get_by_label("Cite this post").check()
    ana.get_by_label("Short quote (optional)").fill("I'd like to try listening first")
    ben = opening_post("Ben: Introduce yourself")
    ben.get_by_label("Cite this post").check()
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_text("Your summary is up")).to_be_visible()
    expect_in_audit_log(page, base, cohort_id, "Wove a summary “What we heard in our "
                                               "introductions” citing 2 posts")
    log_out(page)

    log_in(page, base, "cara@example.org")
    page.goto(f"{base}/cohorts/{cohort_id}/e/introduce-yourself")
    weaves = page.locator("#weaves")
    expect(weaves.get_by_role("heading", name="What we heard in our introductions")).to_be_visible()
    expect(weaves.locator("strong", has_text="listen first")).to_be_visible()
    expect(weaves).to_contain_text("“I'd like to try listening first”")
    expect(weaves).to_contain_text("— Ana Okafor")
    expect(weaves).to_contain_text("— Ben Marsh")
    # On top: above the e-tivity's own text and the conversation pieces.
    top = weaves.bounding_box()["y"]
    assert top < page.get_by_role("heading", name="Why this matters").bounding_box()["y"]
    assert top < page.get_by_role("heading", name="Conversations", exact=True).bounding_box()["y"]
    expect(page.locator("#threads")).not_to_contain_text("What we heard in our introductions")
    weaves.get_by_role("link", name="in “Ana: Introduce yourself”").click()  # lands on it
    expect(page.get_by_role("heading", level=1, name="Ana: Introduce yourself")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))


def test_nudge_the_learners_who_only_observed(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/facilitate/cohorts/{cohort_id}/nudge")
    expect(page.get_by_role("heading", level=1, name="Nudge learners")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Send"))).to_have_count(0)
    page.get_by_label("Write to").select_option(label="Learners who have only read so far")
    page.get_by_role("button", name="Preview recipients").click()
    expect(page.locator("ul.recipients li")).to_have_text(["Dev Patel"])
    # Choosing a template changes nothing until "Use this template" (scripts fill it in place).
    page.get_by_label("Start from a template (optional)").select_option(
        label="From reading to replying")
    expect(page.get_by_label("Your message")).to_have_value("")
    page.get_by_role("button", name="Use this template").click()
    expect(page.get_by_label("Your message")).to_have_value(re.compile(r"^Hi \{name\}, thank you"))
    page.get_by_role("button", name="Send to Dev Patel").click()
    expect(page.get_by_text("Sent to 1 learner.")).to_be_visible()
    expect_in_audit_log(page, base, cohort_id, "Nudged 1 learner (learners who have only read "
                                               "so far): Dev Patel")
    expect(page.locator("table.audit tr.is-intervention").first).to_contain_text("Nudged")
    log_out(page)

    log_in(page, base, "dev@example.org")
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.locator("p.notification-text", has_text="Farah Facilitator wrote to you: Hi Dev "
                        "Patel, thank you for reading")).to_be_visible()


def test_create_a_paced_cohort_and_invite_people(page: Page, live_server):
    """The start of the journey: a paced cohort opened in the browser, people invited by a
    pasted list (a bad line reported by its number), an invitee following the link lands
    enrolled, and both actions are in the new cohort's audit log."""
    base, _app = live_server
    log_in(page, base, FACILITATOR)
    page.get_by_role("link", name="Facilitate").click()
    page.get_by_role("link", name="Open a new cohort").first.click()
    page.get_by_label("Name", exact=True).fill("Browser spring cohort")
    page.get_by_label("Start date").fill("2027-03-01")
    page.get_by_label("Paced: each stage opens on a date I set").check()
    for number, day in enumerate(("2027-03-01", "2027-03-08", "2027-03-15", "2027-03-29",
                                  "2027-04-12"), start=1):
        page.get_by_label(f"Stage {number} opens on").fill(day)
    page.get_by_role("button", name="Open the cohort").click()
    expect(page.get_by_role("heading", level=1, name="Browser spring cohort")).to_be_visible()
    expect(page.locator("main")).to_contain_text("12 April 2027")
    cohort_url = page.url

    page.get_by_role("link", name=re.compile("^Invitations")).first.click()
    page.get_by_label("Email addresses").fill("invitee@example.org\nnot an address\n")
    page.get_by_role("button", name="Invite these people").click()
    expect(page.get_by_role("heading", level=1, name="1 invitation made")).to_be_visible()
    expect(page.locator("main")).to_contain_text("2")  # the bad line's number
    link = page.locator("main").get_by_text(re.compile(r"/invite/")).first.inner_text()
    link = re.search(r"http\S+/invite/\S+", link).group(0)

    page.goto(cohort_url.rstrip("/") + "/audit")
    expect(page.locator("table.audit tbody")).to_contain_text("Invited 1 person by email")
    expect(page.locator("table.audit tbody")).to_contain_text("Opened")
    log_out(page)

    # The invitee follows the link, which opens "Create an account", and lands on the map.
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Create an account")).to_be_visible()
    page.get_by_label("Email").fill("invitee@example.org")
    page.get_by_label("Display name").fill("Ivy Invitee")
    page.get_by_label("Password", exact=True).fill("invited to listen first")
    page.get_by_label("Repeat password").fill("invited to listen first")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_text("Welcome to Browser spring cohort!")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Browser spring cohort")).to_be_visible()


def test_weave_from_a_busy_etivity_a_page_of_posts_at_a_time(page: Page, live_server):
    """More posts than one page holds: tick one, go to the next page (what was typed and
    ticked comes along, listed above), tick another there, publish; the page with the ticked
    list passes axe and does not scroll sideways at 320 px."""
    from sqlalchemy import select

    from a11y_checks import AXE_JS, require_tools, run_axe, sideways
    from course_app.auth.models import User
    from course_app.clock import utcnow
    from course_app.cohorts.models import Cohort
    from course_app.discussions import services as discussions
    from course_app.extensions import db
    from course_app.facilitate.weaving import CANDIDATES_PER_PAGE

    require_tools()
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        look_back = next(e for e in cohort.course.etivities if e.slug == "look-back")
        ana, ben = (db.session.scalar(select(User).where(User.email == f"{who}@example.org"))
                    for who in ("ana", "ben"))
        thread = discussions.start_thread(cohort, look_back, ana, "Looking back together",
                                          "What stayed with me: listening first.", utcnow())
        for n in range(CANDIDATES_PER_PAGE):
            discussions.reply(thread, ben if n % 2 else ana, f"Looking back, note {n:02d}.",
                              utcnow())
        db.session.commit()
    page.context.add_init_script(path=str(AXE_JS))  # as the accessibility walk loads it
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/facilitate/cohorts/{cohort_id}/e/look-back/weave")
    page.get_by_label("Title").fill("Looking back, together")
    page.get_by_label("Your summary").fill("What we carry forward.")
    first = page.locator("fieldset.cite-post").first
    first.get_by_label("Cite this post").check()
    first.get_by_label("Short quote (optional)").fill("listening first")
    pages = page.get_by_role("navigation", name="Pages of posts to cite")
    expect(pages).to_contain_text("Page 1 of 2.")
    pages.get_by_role("button", name="More posts").click()
    expect(pages).to_contain_text("Page 2 of 2.")
    expect(page.get_by_label("Title")).to_have_value("Looking back, together")
    chosen = page.locator("section.cite-thread").filter(
        has=page.get_by_role("heading", name="Ticked on other pages (1)"))
    expect(chosen.get_by_label("Cite this post")).to_be_checked()
    expect(chosen.get_by_label("Short quote (optional)")).to_have_value("listening first")
    page.set_viewport_size({"width": 320, "height": 800})
    assert run_axe(page) == [] and sideways(page) == []
    page.locator("fieldset.cite-post").last.get_by_label("Cite this post").check()
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_text("Your summary is up")).to_be_visible()
    weaves = page.locator("#weaves")
    expect(weaves).to_contain_text("“listening first”")
    expect(weaves).to_contain_text(f"“Looking back, note {CANDIDATES_PER_PAGE - 1:02d}.”")
