"""The toolkit's pages: who may read and change what, bad input, CSRF, sanitising, the
Markdown download, the printable and the public page."""

import re

import pytest
import toolkit_world
from sqlalchemy import select

from course_app.discussions.models import Post
from course_app.extensions import db
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.toolkit import services
from factories import PASSWORD
from learner_journey import text


@pytest.fixture
def world(factory):
    return toolkit_world.build(factory)


def url(world, rest=""):
    return f"/cohorts/{world.cohort.id}/toolkit{rest}"


def section_url(world, rest=""):
    return url(world, f"/e/{world.etivity.slug}{rest}")


def name_editor(client, world):
    return client.post(section_url(world, "/editor"), data={"editor": str(world.editor.id)})


def test_the_toolkit_page_shows_each_section_with_credits(client, world, login_as):
    login_as(world.peer)
    page = text(client.get(url(world)))
    assert "Phrase book" in page
    assert "No current version yet." in page
    assert "Contributors: Eddie Editor, Pam Peer." in page
    assert "Your name on the public page" in page
    assert "Publish for people outside the cohort" not in page  # the facilitator's only


def test_the_facilitator_names_an_editor_who_marks_the_current_version(client, world, login_as):
    login_as(world.facilitator)
    response = name_editor(client, world)
    assert response.status_code == 302
    login_as(world.editor)
    page = text(client.get(section_url(world)))
    assert "Eddie Editor is its editor" in page
    assert "Make this the current version" in page
    response = client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    assert response.status_code == 302
    page = text(client.get(url(world)))
    assert "Our phrase book" in page and "Current version by Eddie Editor" in page
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.TOOLKIT_CURRENT))
    assert entry.actor_id == world.editor.id and entry.target == f"post {world.compiled.id}"


def test_the_posts_to_choose_from_come_a_page_at_a_time(client, world, login_as):
    """A busy e-tivity's posts are paged (oldest first, 20 a page); a page past the end shows
    the last, and every post can still be chosen from its page."""
    from course_app.clock import utcnow
    from course_app.discussions import services as discussions
    from course_app.facilitate.weaving import CANDIDATES_PER_PAGE

    for n in range(CANDIDATES_PER_PAGE + 5):
        discussions.reply(world.thread, world.peer, f"Phrase number {n:02d}", utcnow())
    db.session.commit()
    login_as(world.facilitator)
    first = client.get(section_url(world)).get_data(as_text=True)
    assert first.count("Make this the current version") + ("is-current" in first) \
        == CANDIDATES_PER_PAGE
    assert "Page 1 of 2." in first and "Phrase number 00" in first  # oldest first
    assert "Phrase number 24" not in first
    later = re.search(r'href="([^"]*page=2[^"]*)" rel="next"', first).group(1)
    second = client.get(later.replace("&amp;", "&")).get_data(as_text=True)
    assert "Page 2 of 2." in second and "Phrase number 24" in second
    assert client.get(section_url(world, "?page=99")).get_data(as_text=True).count(
        "Phrase number") == second.count("Phrase number")
    last = db.session.scalar(select(Post).where(Post.body == "Phrase number 24"))
    assert client.post(section_url(world, "/current"),
                       data={"post_id": last.id}).status_code == 302


def test_other_learners_and_reviewers_cannot_mark_or_name(client, world, factory, login_as):
    reviewer = factory.reviewer_in(world.cohort)
    for who in (world.peer, reviewer):
        login_as(who)
        assert "Make this the current version" not in text(client.get(section_url(world)))
        assert client.post(section_url(world, "/current"),
                           data={"post_id": world.compiled.id}).status_code == 403
        assert name_editor(client, world).status_code == 403
        assert client.post(url(world, "/publish"), data={"publish": "yes"}).status_code == 403
    assert services.section_for(world.cohort, world.etivity).row is None
    assert services.publication(world.cohort) is None


@pytest.mark.parametrize("data, message, status", [
    ({}, "Choose the post that is the current version.", 400),
    ({"post_id": "abc"}, "This form was damaged", 400),
    ({"post_id": "99999999999999999999"}, "This form was damaged", 400),
])
def test_marking_with_bad_input_says_what_to_do(client, world, login_as, data, message, status):
    login_as(world.facilitator)
    response = client.post(section_url(world, "/current"), data=data)
    assert response.status_code == status
    page = text(response)
    assert "There is a problem" in page and message in page


def test_marking_a_post_of_another_etivity_or_cohort(client, world, factory, login_as):
    from course_app.clock import utcnow
    from course_app.discussions import services as discussions
    other = factory.cohort(course=world.cohort.course)
    theirs = discussions.start_thread(other, world.etivity, other.memberships[0].user, "B's",
                                      "Theirs.", utcnow())
    voice = next(e for e in world.cohort.course.etivities if e.slug == "voice-guide")
    elsewhere = discussions.start_thread(world.cohort, voice, world.peer, "Voice", "Ours.",
                                         utcnow())
    db.session.commit()
    login_as(world.facilitator)
    assert client.post(section_url(world, "/current"),
                       data={"post_id": theirs.posts[0].id}).status_code == 404
    response = client.post(section_url(world, "/current"),
                           data={"post_id": elsewhere.posts[0].id})
    assert response.status_code == 400
    assert "conversations" in text(response)


def test_an_etivity_that_builds_no_section_is_not_found(client, world, login_as):
    login_as(world.facilitator)
    assert client.get(url(world, "/e/introduce-yourself")).status_code == 404
    assert client.get(url(world, "/e/no-such-etivity")).status_code == 404


def test_choosing_a_learner_outside_the_cohort_as_editor(client, world, factory, login_as):
    outsider = factory.learner_in(factory.cohort())
    login_as(world.facilitator)
    for value in (str(outsider.id), "not-a-number", ""):
        response = client.post(section_url(world, "/editor"), data={"editor": value})
        assert response.status_code == 400
        page = text(response)
        assert "There is a problem" in page
        assert "Choose one of the cohort's learners" in page or "Choose a learner" in page


def test_publishing_and_the_public_page_names_only_who_agreed(client, world, login_as):
    login_as(world.facilitator)
    client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    public = f"/toolkits/{world.cohort.id}"
    assert client.get(public).status_code == 404  # off by default
    assert client.get(f"{public}.md").status_code == 404
    assert client.post(url(world, "/publish"), data={"publish": "maybe"}).status_code == 400
    assert client.post(url(world, "/publish"), data={"publish": "yes"}).status_code == 302
    login_as(world.peer)
    assert client.post(url(world, "/consent"), data={"consent": "yes"}).status_code == 302
    client.post("/account/logout")
    client.get("/")
    page = text(client.get(public))
    assert "Our phrase book" in page
    assert "Contributors: Pam Peer and 1 other." in page
    assert "Eddie Editor" not in page
    assert "Make this the current version" not in page and "Publish" not in page
    download = client.get(f"{public}.md")  # the same, as a file anyone may take away
    assert download.status_code == 200 and download.mimetype == "text/markdown"
    assert f'href="{public}.md"' in client.get(public).get_data(as_text=True)
    words = download.get_data(as_text=True)
    assert "Our phrase book" in words and "Pam Peer" in words and "Eddie Editor" not in words
    login_as(world.peer)
    client.post(url(world, "/consent"), data={"consent": "no"})
    client.post("/account/logout")
    client.get("/")  # the flashes ("Welcome back, Pam Peer") go there
    assert "Pam Peer" not in text(client.get(public))
    assert "Pam Peer" not in client.get(f"{public}.md").get_data(as_text=True)


def test_consent_with_bad_input_and_for_reviewers(client, world, factory, login_as):
    login_as(world.peer)
    response = client.post(url(world, "/consent"), data={"consent": "perhaps"})
    assert response.status_code == 400
    assert "Choose whether to be named." in text(response)
    login_as(factory.reviewer_in(world.cohort))
    assert client.post(url(world, "/consent"), data={"consent": "yes"}).status_code == 403


def test_markdown_download_and_printable(client, world, login_as):
    login_as(world.facilitator)
    client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    response = client.get(url(world, ".md"))
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("# ") and "## Our phrase book" in body
    printable = client.get(url(world, "/print"))
    assert printable.status_code == 200 and "Print command" in text(printable)


def test_post_text_is_sanitised_on_every_toolkit_page(client, world, factory, login_as):
    world.compiled.body = ("<script>alert(1)</script><img src=x onerror=alert(2)> "
                           "[x](javascript:alert(3)) **kept**")
    db.session.commit()
    login_as(world.facilitator)
    client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    client.post(url(world, "/publish"), data={"publish": "yes"})
    for path in (url(world), url(world, "/print"), section_url(world),
                 f"/toolkits/{world.cohort.id}"):
        body = client.get(path).get_data(as_text=True)
        assert "<strong>kept</strong>" in body, path
        assert not re.search(r"<script>alert|<[^>]*\bonerror|href=\"javascript", body), path


def test_posts_need_the_csrf_token(make_app, world):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      client.get("/account/login").get_data(as_text=True)).group(1)
    client.post("/account/login", data={"email": world.facilitator.email,
                                        "password": PASSWORD, "csrf_token": token})
    for path, data in ((section_url(world, "/current"), {"post_id": world.compiled.id}),
                       (section_url(world, "/editor"), {"editor": str(world.editor.id)}),
                       (url(world, "/publish"), {"publish": "yes"})):
        assert client.post(path, data=data).status_code == 400, path
    page = client.get(section_url(world)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    assert client.post(url(world, "/publish"),
                       data={"publish": "yes", "csrf_token": token}).status_code == 302


def test_the_etivity_page_links_its_section_and_the_map_the_toolkit(client, world, login_as):
    login_as(world.facilitator)  # stage 4 is open to staff
    page = client.get(f"/cohorts/{world.cohort.id}/e/{world.etivity.slug}")
    assert section_url(world) in page.get_data(as_text=True)
    login_as(world.peer)
    assert url(world) in client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)


def test_an_earlier_cohorts_published_section_is_offered_as_a_spark(client, world, factory,
                                                                     login_as):
    """Once the section is open for the learner: while it is locked for them, earlier
    cohorts' versions of it would show what their stages keep for later."""
    from course_app.clock import utcnow
    from course_app.progress import overrides

    login_as(world.facilitator)
    client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    client.post(url(world, "/publish"), data={"publish": "yes"})
    later = factory.cohort(course=world.cohort.course, name="Autumn cohort")
    learner = factory.learner_in(later)
    spark = f"/toolkits/{world.cohort.id}#section-phrase-book"
    login_as(learner)
    page = client.get(f"/cohorts/{later.id}/toolkit/e/{world.etivity.slug}")
    assert LOCK in text(page)
    assert spark not in page.get_data(as_text=True) and "From earlier cohorts" not in text(page)
    overrides.open_early(later, later.memberships[0].user_id, utcnow(),
                         stage_number=world.etivity.stage_number)
    db.session.commit()
    page = client.get(f"/cohorts/{later.id}/toolkit/e/{world.etivity.slug}")
    assert spark in page.get_data(as_text=True) and "From earlier cohorts" in text(page)


def test_earlier_cohorts_post_first_section_waits_for_your_own_conversation(
        client, world, factory, login_as):
    from course_app.clock import utcnow
    from course_app.discussions import services as discussions
    from course_app.progress import overrides
    from learner_journey import etivity

    letting_go = etivity(world.cohort.course, "letting-go")
    assert letting_go.post_first and letting_go.toolkit_slug
    theirs = discussions.start_thread(world.cohort, letting_go, world.peer, "Rules of thumb",
                                      "Agree in advance what you may answer.", utcnow())
    services.mark_current(world.cohort, letting_go, theirs.posts[0], world.facilitator, utcnow())
    services.set_published(world.cohort, True, world.facilitator, utcnow())
    later = factory.cohort(course=world.cohort.course, name="Autumn cohort")
    learner = factory.learner_in(later)
    overrides.open_early(later, later.memberships[0].user_id, utcnow(),
                         stage_number=letting_go.stage_number)
    db.session.commit()
    spark = f"/toolkits/{world.cohort.id}#section-{letting_go.toolkit_slug}"
    section = f"/cohorts/{later.id}/toolkit/e/letting-go"
    login_as(learner)
    page = client.get(section)
    assert "Its current version appears once you have started your own conversation" in text(
        page)
    assert spark not in page.get_data(as_text=True)
    discussions.start_thread(later, letting_go, learner, "Mine", "Say when you will answer.",
                             utcnow())
    db.session.commit()
    assert spark in client.get(section).get_data(as_text=True)


# ---- a learner sees what the section's e-tivity shows them --------------------------

LOCK = "Built in stage 4, which opens when you finish stage 3."


def test_a_section_locked_for_a_learner_shows_only_when_it_opens(client, factory, login_as):
    world = toolkit_world.build(factory, open_stage=False)
    login_as(world.facilitator)
    name_editor(client, world)
    client.post(section_url(world, "/current"), data={"post_id": world.compiled.id})
    login_as(world.peer)
    for path in (url(world), url(world, "/print"), section_url(world)):
        page = text(client.get(path))
        assert LOCK in page, path
        assert "Our phrase book" not in page and "Thanks for asking" not in page, path
        assert "Current version by" not in page and "Contributors: Eddie" not in page, path
    markdown = client.get(url(world, ".md")).get_data(as_text=True)
    assert f"_{LOCK}_" in markdown
    assert "Our phrase book" not in markdown and "Contributors" not in markdown
    # Its editor can't choose from posts they can't read yet, and is told so.
    login_as(world.editor)
    page = text(client.get(section_url(world)))
    assert "Make this the current version" not in page and "Phrases we use" not in page
    assert "You can choose its current version once stage 4 opens for you" in page
    assert client.post(section_url(world, "/current"),
                       data={"post_id": world.thread.posts[0].id}).status_code == 403
    # Staff and reviewers see it all, as before.
    for who in (world.facilitator, factory.reviewer_in(world.cohort)):
        login_as(who)
        page = text(client.get(url(world)))
        assert "Our phrase book" in page and LOCK not in page
        assert "Our phrase book" in client.get(url(world, ".md")).get_data(as_text=True)
    login_as(world.facilitator)
    assert "Make this the current version" in text(client.get(section_url(world)))


def test_a_post_first_section_shows_its_current_version_once_you_have_started(
        client, world, login_as):
    from course_app.clock import utcnow
    from course_app.discussions import services as discussions
    from learner_journey import etivity

    letting_go = etivity(world.cohort.course, "letting-go")
    assert letting_go.post_first and letting_go.toolkit_slug
    peers = discussions.start_thread(world.cohort, letting_go, world.peer, "Rules of thumb",
                                     "Agree in advance what you may answer.", utcnow())
    db.session.commit()
    login_as(world.facilitator)
    section = url(world, "/e/letting-go")
    client.post(f"{section}/editor", data={"editor": str(world.editor.id)})
    client.post(f"{section}/current", data={"post_id": peers.posts[0].id})
    login_as(world.editor)
    waiting = ("Its current version appears once you have started your own conversation in "
               "Letting go of control")
    for path in (url(world), url(world, "/print"), section):
        response = client.get(path)
        page = text(response)
        assert waiting in page and "Agree in advance" not in page, path
        assert f"/cohorts/{world.cohort.id}/e/letting-go#start" in response.get_data(as_text=True)
    assert "Agree in advance" not in client.get(url(world, ".md")).get_data(as_text=True)
    page = text(client.get(section))
    assert "Make this the current version" not in page
    assert ("You can choose its current version once you have started your own conversation"
            in page)
    assert client.post(f"{section}/current",
                       data={"post_id": peers.posts[0].id}).status_code == 403
    # Once they have started their own, it shows, and its editor chooses as before.
    mine = discussions.start_thread(world.cohort, letting_go, world.editor, "Mine",
                                    "Say when you will answer.", utcnow())
    db.session.commit()
    for path in (url(world), section):
        page = text(client.get(path))
        assert "Agree in advance" in page and waiting not in page, path
    assert "Agree in advance" in client.get(url(world, ".md")).get_data(as_text=True)
    assert "Make this the current version" in text(client.get(section))
    assert client.post(f"{section}/current",
                       data={"post_id": mine.posts[0].id}).status_code == 302


def test_the_public_page_is_offered_only_to_those_who_see_every_section(factory, client,
                                                                        login_as):
    """The published page shows every section to anyone; a learner whose stages keep one for
    later is not pointed there from their own toolkit page."""
    from course_app.clock import utcnow

    locked = toolkit_world.build(factory, open_stage=False)
    services.set_published(locked.cohort, True, locked.facilitator, utcnow())
    db.session.commit()
    public = f'href="/toolkits/{locked.cohort.id}"'

    def offered(who) -> bool:
        login_as(who)
        return public in client.get(f"/cohorts/{locked.cohort.id}/toolkit").get_data(
            as_text=True).split('<section class="panel">')[0]

    assert not offered(locked.peer)
    assert offered(locked.facilitator)
    # Every stage opened for everyone (the course's other sections are in other stages), and
    # the peer's own conversation started in the "post first" one: every section shown.
    from course_app.progress import overrides
    from learner_journey import start

    for stage in range(2, 6):
        overrides.open_early(locked.cohort, locked.facilitator.id, utcnow(), stage_number=stage)
    start(locked.cohort, locked.peer, "letting-go")
    db.session.commit()
    assert all(s.access.full for s in services.sections(locked.cohort, reader=locked.peer))
    assert offered(locked.peer)


def test_the_toolkit_page_costs_the_same_with_one_post_first_section_or_three(
        client, world, login_as):
    """Whether a learner still waits to post first is asked once for every section (it had
    cost two queries more for each open "post first" section)."""
    from database import counted_get
    from learner_journey import etivity

    login_as(world.editor)
    cohort_id, course_id = world.cohort.id, world.cohort.course_id
    page, one = counted_get(client, url(world))
    assert text(page).count("once you have started your own conversation") == 1
    from course_app.courses.models import Course

    course = db.session.get(Course, course_id)
    for slug in ("rough-guide-together", "voice-guide"):
        etivity(course, slug).post_first = True
    db.session.commit()
    page, three = counted_get(client, f"/cohorts/{cohort_id}/toolkit")
    assert text(page).count("once you have started your own conversation") == 3
    assert three == one
