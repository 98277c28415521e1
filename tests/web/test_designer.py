"""The designer in the browser's place: who may use it, the storyboard's buttons, Salmon's
template as a form checked by the same code as `course validate`, the course's texts, two
authors at once, and copies. Running cohorts, drafts and history, and the zip have files of
their own (test_designer_*.py); the steps they share are in tests/designing.py."""

import html

import pytest
from sqlalchemy import select

from conftest import login
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.courses.models import Course, CourseAuthor
from course_app.design import drafts, services
from course_app.design.models import CourseChange
from course_app.extensions import db
from designing import course_texts_form, etivity, form_of, publish


def test_design_link_only_for_authors_and_admins(client, factory, course, author):
    learner = factory.user(Role.LEARNER, name="Lee Learner")
    login(client, learner)
    assert "Design</a>" not in client.get("/").get_data(as_text=True)
    assert client.get("/design/").status_code == 403
    client.post("/account/logout")
    login(client, author)
    page = client.get("/design/")
    assert page.status_code == 200 and "Engaging online" in page.get_data(as_text=True)
    assert "Design</a>" in page.get_data(as_text=True)


def test_an_author_of_one_course_cannot_change_another(client, factory, course, author):
    other = services.duplicate(course, "other-course", "Other", factory.user(Role.ADMIN),
                               utcnow())
    db.session.commit()
    login(client, author)
    refused = client.get(f"/design/{other.slug}")
    assert refused.status_code == 403
    assert "a course or a role you are not part of" in refused.get_data(as_text=True)
    assert client.post(f"/design/{other.slug}/course", data={}).status_code == 403
    assert client.get("/design/no-such-course").status_code == 404


def test_storyboard_shows_cards_rules_and_time(client, course, author):
    login(client, author)
    page = client.get(f"/design/{course.slug}").get_data(as_text=True)
    assert "Listen first" in page and "Read 3 peers’ posts, start 1 conversation" in page
    assert page.count('class="storyboard-stage"') == 5
    assert "minutes over" in page and "a week" in page


def test_new_course_then_an_etivity_in_each_stage(client, author):
    login(client, author)
    response = client.post("/design/new", data={
        "slug": "working-openly", "title": "Working openly", "summary": "Share as you go.",
        "audience": "Civil servants."})
    assert response.status_code == 302, response.get_data(as_text=True)
    course = db.session.scalar(select(Course).where(Course.slug == "working-openly"))
    owner = db.session.scalar(select(CourseAuthor).where(CourseAuthor.course_id == course.id))
    assert owner.user_id == author.id and owner.owner
    for stage in range(1, 6):
        response = client.post(f"/design/working-openly/stages/{stage}/new", data={
            "slug": f"step-{stage}", "title": f"Step {stage}", "purpose": "Why.",
            "summary": "What.", "spark": "What would you do?", "task": "Post.",
            "interaction": "Reply to one.", "emoderator": "Welcome them.", "minutes": "20",
            "days": "3", "next": "More.", "required": "y", "initiate": "1", "interact": "1"})
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert course.active_etivities == []  # drafts: no learner sees them yet
    board = client.get("/design/working-openly").get_data(as_text=True)
    assert board.count("New: draft — not yet published") == 5
    assert "5 changes are not yet published" in board
    edit = client.get("/design/working-openly/etivities/step-2").get_data(as_text=True)
    assert 'value="Step 2"' in edit and "Draft — not yet published" in edit
    publish(client, course, expect="A new e-tivity in stage 3")
    assert [e.slug for e in course.active_etivities] == [f"step-{n}" for n in range(1, 6)]
    assert etivity(course, "step-3").rule.initiate == 1


def test_form_errors_come_from_the_content_validator(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    response = client.post(f"/design/{course.slug}/etivities/listen-first", data=form_of(
        listen, title="", minutes="lots", first_post_day="4", replies_day="2",
        **{"pieces-0-name": "", "pieces-0-body": "No name"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter title." in page
    assert "Minutes must be a whole number such as 2, not &#39;lots&#39;" in page
    assert "Replies by day (2) comes before First post by day (4); make it 4 or later." in page
    assert 'href="#pieces-0-name"' in page
    assert "Some people worry" in page  # what was typed is kept
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen first"


def test_a_day_or_a_count_too_big_is_refused_beside_its_field(client, course, author):
    """Days and counts have a most: a 9-digit day once saved gave learners' pages a 500
    (no date that far off exists)."""
    login(client, author)
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    response = client.post(url, data=form_of(listen, first_post_day="999999999",
                                             replies_day="999999999", observe="101"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "First post by day must be from 1 to 365, not 999999999" in page
    assert "Read must be from 0 to 100, not 101" in page
    assert 'value="999999999"' in page  # what was typed is kept
    assert drafts.pending(course) == []
    response = client.post(f"/design/{course.slug}/course", data=course_texts_form(
        client, course, **{"stages-0-suggested_days": "5000"}))
    assert response.status_code == 400
    assert "Stage 1: Suggested days must be from 1 to 365, not 5000" in response.get_data(
        as_text=True)
    assert drafts.pending(course) == []


def test_save_changes_the_etivity_and_records_the_change(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    response = client.post(f"/design/{course.slug}/etivities/listen-first",
                           data=form_of(listen, title="Listen first, then speak", observe="4"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen first"  # a draft until published
    assert "Listen first, then speak" in client.get(f"/design/{course.slug}").get_data(
        as_text=True)
    assert db.session.scalar(select(CourseChange).where(
        CourseChange.etivity_id == listen.id)) is None
    publish(client, course, expect="Listen first, then speak")
    listen = etivity(course, "listen-first")
    assert listen.title == "Listen first, then speak" and listen.observe == 4
    change = db.session.scalar(select(CourseChange).where(CourseChange.etivity_id == listen.id))
    assert change.actor_id == author.id
    assert change.changes["title"] == ["Listen first", "Listen first, then speak"]
    assert change.changes["observe"] == [3, 4]
    history = client.get(f"/design/{course.slug}/etivities/listen-first/history")
    assert "Listen first, then speak" in history.get_data(as_text=True)


def test_markdown_preview_is_sanitised(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    response = client.post(f"/design/{course.slug}/etivities/listen-first", data=form_of(
        listen, action="preview", spark="Hello <script>alert(1)</script> **there**"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview as a learner" in page
    assert "<strong>there</strong>" in page and "<script>alert(1)" not in page
    db.session.expire_all()
    assert "Hello" not in etivity(course, "listen-first").spark


def test_the_second_save_from_an_old_version_is_refused_and_keeps_the_text(
        client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    old = form_of(listen)
    first = client.post(f"/design/{course.slug}/etivities/listen-first",
                        data={**old, "title": "Theirs"})
    assert first.status_code == 302
    second = client.post(f"/design/{course.slug}/etivities/listen-first",
                         data={**old, "title": "Mine"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409 and "Someone else saved this e-tivity" in page
    assert 'value="Mine"' in page and "Theirs" in page
    db.session.expire_all()
    assert drafts.draft_for(course, "listen-first").fields["title"] == "Theirs"
    forced = client.post(f"/design/{course.slug}/etivities/listen-first",
                         data={**old, "title": "Mine", "replace": "yes",
                               "version": str(etivity(course, "listen-first").version)})
    assert forced.status_code == 302
    db.session.expire_all()
    assert drafts.draft_for(course, "listen-first").fields["title"] == "Mine"
    assert etivity(course, "listen-first").title == "Listen first"


def test_storyboard_buttons_move_copy_retire_and_bring_back(client, course, author):
    login(client, author)
    base = f"/design/{course.slug}/etivities"
    first, second = [e.slug for e in course.etivities_in(2)[:2]]
    assert client.post(f"{base}/{second}/move", data={"to": "up"}).status_code == 302
    db.session.expire_all()
    assert [e.slug for e in course.etivities_in(2)[:2]] == [second, first]
    client.post(f"{base}/{first}/move", data={"to": "stage-3"})
    db.session.expire_all()
    assert course.etivities_in(3)[-1].slug == first
    assert [e.position for e in course.etivities_in(2)] == list(
        range(1, len(course.etivities_in(2)) + 1))
    client.post(f"{base}/{second}/copy")
    db.session.expire_all()
    assert f"{second}-copy" not in [e.slug for e in course.etivities]  # a draft first
    assert drafts.draft_for(course, f"{second}-copy").stage == 2
    client.post(f"{base}/{second}/copy")  # a second copy: told apart by slug and title
    title = etivity(course, second).title
    assert [drafts.draft_for(course, slug).fields["title"] for slug in (
        f"{second}-copy", f"{second}-copy-2")] == [f"{title} (copy)", f"{title} (copy 2)"]
    client.post(f"/design/{course.slug}/drafts/{drafts.draft_for(course, f'{second}-copy-2').id}"
                "/discard", data={"confirm": drafts.draft_for(
                    course, f"{second}-copy-2").updated_at.isoformat()})
    client.post(f"{base}/{second}/retire")
    db.session.expire_all()
    assert etivity(course, second).retired
    assert second not in [e.slug for e in course.etivities_in(2)]
    assert "Bring back" in client.get(f"/design/{course.slug}").get_data(as_text=True)
    client.post(f"{base}/{second}/restore")
    db.session.expire_all()
    assert not etivity(course, second).retired
    actions = db.session.scalars(select(CourseChange.action).where(
        CourseChange.course_id == course.id)).all()
    assert {"etivity-moved", "etivity-retired", "etivity-restored"} <= set(actions)
    publish(client, course)
    assert course.etivities_in(2)[-1].slug == f"{second}-copy"
    positions = [e.position for e in course.etivities_in(2)]
    assert len(set(positions)) == len(positions), positions  # no two share a place


def test_a_button_returns_to_its_card_with_its_message(client, course, author):
    """The storyboard comes back at the card a button acted on (static/js/flash-here.js
    then shows the message there: tests/browser/test_browser_design.py)."""
    login(client, author)
    base = f"/design/{course.slug}/etivities"
    last = course.etivities_in(5)[-1].slug
    moved = client.post(f"{base}/{last}/move", data={"to": "up"})
    assert moved.location.endswith(f"/design/{course.slug}#card-{last}")
    page = html.unescape(client.get(moved.location).get_data(as_text=True))
    assert f'id="card-{last}"' in page and "Moved " in page
    retired = client.post(f"{base}/{last}/retire")  # a retired one's line has the same id
    assert retired.location.endswith(f"#card-{last}")
    page = html.unescape(client.get(retired.location).get_data(as_text=True))
    start = page.index(f'id="card-{last}"')
    assert "Bring back" in page[start:page.index("</li>", start)]


def test_a_bad_move_changes_nothing(client, course, author):
    login(client, author)
    first = course.etivities_in(1)[0].slug
    client.post(f"/design/{course.slug}/etivities/{first}/move", data={"to": "up"})
    client.post(f"/design/{course.slug}/etivities/{first}/move", data={"to": "stage-9"})
    db.session.expire_all()
    assert course.etivities_in(1)[0].slug == first


def test_course_texts_form_checks_stages(client, course, author):
    login(client, author)
    page = client.get(f"/design/{course.slug}/course").get_data(as_text=True)
    assert "Access and motivation" in page
    data = {"title": "Engaging online", "summary": "S", "audience": "A",
            "weekly_minutes": "120"}
    for n in range(5):
        data.update({f"stages-{n}-title": f"Stage {n + 1}", f"stages-{n}-summary": "s",
                     f"stages-{n}-emoderator": "e", f"stages-{n}-suggested_days": "7"})
    bad = client.post(f"/design/{course.slug}/course",
                      data={**data, "stages-2-suggested_days": "0"})
    assert bad.status_code == 400 and 'href="#stages-2-suggested_days"' in bad.get_data(
        as_text=True)
    good = client.post(f"/design/{course.slug}/course", data=data)
    assert good.status_code == 302
    db.session.expire_all()
    assert course.stages[2].title != "Stage 3"  # a draft until published
    assert 'value="Stage 3"' in client.get(f"/design/{course.slug}/course").get_data(
        as_text=True)
    publish(client, course, expect="Stage 3: stage title")
    assert course.weekly_minutes == 120 and course.stages[2].title == "Stage 3"


def test_two_authors_on_the_course_texts_the_second_is_asked_first(client, course, author):
    """Both open the form; the first saves; the second's save is refused with their text
    kept and what differs listed, until they choose to save over it."""
    login(client, author)
    mine = course_texts_form(client, course, title="Mine")
    theirs = course_texts_form(client, course, title="Theirs")
    assert client.post(f"/design/{course.slug}/course", data=theirs).status_code == 302
    second = client.post(f"/design/{course.slug}/course", data=mine)
    page = html.unescape(second.get_data(as_text=True))
    assert second.status_code == 409 and "Someone else saved the course's texts" in page
    assert 'value="Mine"' in page and "Theirs" in page and "Save over their version" in page
    db.session.expire_all()
    assert drafts.draft_for(course, drafts.COURSE_KEY).fields["course"]["title"] == "Theirs"
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    forced = client.post(f"/design/{course.slug}/course",
                         data={**mine, "version": version, "replace": "yes"})
    assert forced.status_code == 302
    db.session.expire_all()
    assert drafts.draft_for(course, drafts.COURSE_KEY).fields["course"]["title"] == "Mine"


def test_a_form_opened_before_a_publish_is_asked_before_undoing_it(client, course, author):
    """Published since the form was opened: saving the old texts would quietly bring them
    back in a draft, so the author is asked first."""
    login(client, author)
    stale = course_texts_form(client, course, summary="Written before the publish")
    assert client.post(f"/design/{course.slug}/course",
                       data=course_texts_form(client, course, title="New title")
                       ).status_code == 302
    publish(client, course)
    assert course.title == "New title"
    refused = client.post(f"/design/{course.slug}/course", data=stale)
    assert refused.status_code == 409
    db.session.expire_all()
    assert drafts.draft_for(course, drafts.COURSE_KEY) is None and course.title == "New title"


def test_owner_adds_and_removes_authors_others_cannot(client, factory, course, author):
    owner = factory.user(Role.LEARNER, name="Olive Owner", email="olive@example.org")
    copy = services.duplicate(course, "olive-course", "Olive's", owner, utcnow())
    services.add_author(copy, author, utcnow())
    db.session.commit()
    login(client, author)  # an author, not the owner
    assert client.post("/design/olive-course/authors",
                       data={"email": "x@example.org"}).status_code == 403
    client.post("/account/logout")
    login(client, owner)
    newcomer = factory.user(Role.LEARNER, name="Nia New", email="nia@example.org")
    assert client.post("/design/olive-course/authors",
                       data={"email": "NIA@example.org"}).status_code == 302
    unknown = client.post("/design/olive-course/authors", data={"email": "who@example.org"})
    assert unknown.status_code == 400 and "no account" in unknown.get_data(as_text=True)
    row = db.session.scalar(select(CourseAuthor).where(CourseAuthor.user_id == newcomer.id))
    removed = client.post(f"/design/olive-course/authors/{row.id}/remove",
                          follow_redirects=True)
    assert db.session.get(CourseAuthor, row.id) is None
    assert ("Nia New is no longer an author of Olive&#39;s; their changes stay in the history. "
            "To undo it, add nia@example.org again below.") in removed.get_data(as_text=True)
    # The address found as every lookup finds it (auth.services.find_by_email): another
    # Unicode form of the same letters, and its domain in letters or in xn-- form.
    zoe = factory.user(Role.LEARNER, name="Zoë", email="zo\u00eb@b\u00fccher.example")
    typed = "ZOE\u0308@xn--bcher-kva.example"
    assert client.post("/design/olive-course/authors", data={"email": typed}).status_code == 302
    assert db.session.scalar(select(CourseAuthor).where(CourseAuthor.user_id == zoe.id))


def test_duplicate_from_the_designer(client, course, author):
    login(client, author)
    assert client.get(f"/design/{course.slug}/duplicate").status_code == 200
    taken = client.post(f"/design/{course.slug}/duplicate",
                        data={"slug": course.slug, "title": "Again"})
    assert taken.status_code == 400 and "already a course" in taken.get_data(as_text=True)
    blank = client.post(f"/design/{course.slug}/duplicate",
                        data={"slug": "engaging-blank", "title": "\u200b  "})
    assert blank.status_code == 400  # nothing visible is no title: said beside the box
    assert "Enter a title for the new course." in blank.get_data(as_text=True)
    made = client.post(f"/design/{course.slug}/duplicate",
                       data={"slug": "engaging-again", "title": "Again"})
    assert made.status_code == 302
    copy = db.session.scalar(select(Course).where(Course.slug == "engaging-again"))
    assert len(copy.active_etivities) == len(course.active_etivities)


def test_a_course_may_not_take_the_name_of_a_design_page(client, course, author):
    """/design/new is the form for a new course: a course called "new" would never show its
    storyboard. Refused wherever a course's slug is chosen."""
    login(client, author)
    for url, data in ((f"/design/{course.slug}/duplicate", {"slug": "new", "title": "New"}),
                      ("/design/new", {"slug": "new", "title": "New", "summary": "S",
                                       "audience": "A"})):
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert "is taken by a page of the course designer (/design/new)" in page
        assert 'value="new"' in page
    assert db.session.scalar(select(Course).where(Course.slug == "new")) is None


def test_every_design_page_name_is_kept_from_course_slugs(app):
    """/design/<word> pages other than a course's: each word is one a course can't take."""
    from course_app.content.fields import RESERVED_COURSE_SLUGS

    words = {rule.rule.split("/")[2] for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/design/") and rule.rule.count("/") == 2}
    words -= {"", "<slug>"}
    assert words and words <= RESERVED_COURSE_SLUGS


def test_a_copy_and_a_download_say_they_hold_the_published_course(client, course, author):
    login(client, author)
    copy_page = f"/design/{course.slug}/duplicate"
    assert "not yet published" not in client.get(copy_page).get_data(as_text=True)
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(etivity(course, "listen-first"), title="Pending"))
    page = " ".join(client.get(copy_page).get_data(as_text=True).split())
    assert "1 change is not yet published, so it is not in the copy" in page
    assert f'href="/design/{course.slug}/publish"' in page
    board = client.get(f"/design/{course.slug}").get_data(as_text=True)
    assert "a download or a copy of the course holds the published version" in " ".join(
        board.split())
    client.post(f"/design/{course.slug}/duplicate", data={"slug": "with-draft", "title": "W"})
    copied = db.session.scalar(select(Course).where(Course.slug == "with-draft"))
    assert {e.title for e in copied.etivities} >= {"Listen first"}
    assert "Pending" not in {e.title for e in copied.etivities}


def test_a_new_course_with_no_etivities_yet_can_change_its_texts(client, author):
    course = services.create_course("empty-yet", "Empty yet", "S", "A", author, utcnow())
    db.session.commit()
    login(client, author)
    assert "No e-tivities yet" in client.get("/design/empty-yet").get_data(as_text=True)
    data = {"title": "Not empty soon", "summary": "S", "audience": "A"}
    for n in range(5):
        data.update({f"stages-{n}-title": f"Stage {n + 1}", f"stages-{n}-summary": "s",
                     f"stages-{n}-emoderator": "e", f"stages-{n}-suggested_days": "7"})
    assert client.post("/design/empty-yet/course", data=data).status_code == 302
    publish(client, course)
    assert course.title == "Not empty soon" and course.etivities == []


def test_course_texts_preview_renders_sanitised_markdown_and_saves_nothing(client, course,
                                                                          author):
    login(client, author)
    data = {"title": "Engaging online", "summary": "**Bold** <script>alert(1)</script>",
            "audience": "A"}
    for n, stage in enumerate(course.stages):
        data.update({f"stages-{n}-title": stage.title, f"stages-{n}-summary": stage.summary,
                     f"stages-{n}-emoderator": stage.emoderator,
                     f"stages-{n}-suggested_days": str(stage.suggested_days)})
    response = client.post(f"/design/{course.slug}/course", data={**data, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page
    assert drafts.draft_for(course, "") is None


def test_design_warnings_use_the_forms_words(client, course, author):
    from course_app.content.design import DesignWarning
    from course_app.design.wording import for_the_browser

    said = for_the_browser(DesignWarning(None, None, "summary", (
        "says 90 minutes a week, but course.yaml has no weekly_minutes; add "
        "'weekly_minutes: 90' so each stage's minutes can be checked against it"), None, None))
    assert said.message.startswith("Course summary: says 90 minutes a week, but the course "
                                   "has no “Minutes a week”; enter 90")
    login(client, author)
    client.post(f"/design/{course.slug}/etivities/listen-first", data=form_of(
        etivity(course, "listen-first"), spark="Read the three posts below."))
    board = client.get(f"/design/{course.slug}").get_data(as_text=True)
    assert "Spark: the spark asks no question" in board  # the draft is checked, in form words
    assert "course.yaml" not in board and "weekly_minutes" not in board


def _errors(page: str) -> list[str]:
    """The messages beside the fields, in the page's order (the error summary aside)."""
    import re

    return [html.unescape(m) for m in re.findall(r'<p class="error" id="[^"]+">(.*?)</p>', page)]


def test_form_problems_are_said_in_the_forms_words(client, course, author):
    """Not the course file's: no front matter, no file fields, no course folder."""
    login(client, author)
    empty = client.post(f"/design/{course.slug}/stages/1/new", data={}).get_data(as_text=True)
    assert ("Write the spark: the picture, quote, scenario or question that starts the "
            "conversation.") in _errors(empty)
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    said = _errors(client.post(url, data=form_of(
        listen, first_post_day="5", replies_day="3", spark="Why? [x](javascript:alert(1))",
        **{"pieces-0-name": "Mine", "pieces-0-body": "A", "pieces-1-name": "Mine",
           "pieces-1-body": "B"})).get_data(as_text=True))
    assert "Replies by day (3) comes before First post by day (5); make it 5 or later." in said
    assert ("Spark: the link 'javascript:alert(1)' can't be followed; links may go to web "
            "pages (http, https) or email (mailto).") in said
    assert ("Name 'Mine' is already the name of conversation piece 1; give each piece its own "
            "name.") in said
    taken = _errors(client.post(f"/design/{course.slug}/stages/1/new", data=form_of(
        listen, slug="welcome")).get_data(as_text=True))
    assert ("Slug 'welcome' is taken by another e-tivity of this course; give each e-tivity "
            "its own slug.") in taken
    for message in [*_errors(empty), *said, *taken]:
        assert not any(word in message for word in (
            "front matter", "first_post_day", "course folder", "pieces[", ".md", "This ")), message


def test_a_link_in_the_task_that_leaves_the_course_is_refused_beside_it(client, course, author):
    login(client, author)
    response = client.post(f"/design/{course.slug}/etivities/listen-first", data=form_of(
        etivity(course, "listen-first"), task="See [rel](../../etc/passwd)."))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert ("Individual task: the link '../../etc/passwd' goes nowhere a learner can follow; "
            "links may go to web pages (http, https) or email (mailto).") in _errors(page)
    assert 'href="#task"' in page
    assert drafts.pending(course) == []


def test_a_number_past_the_databases_integer_gets_the_range_message(client, course, author):
    """2147483648 used to be "must be a whole number such as 2" while 100000 was "must be
    from 1 to 1000": one message for every number out of range."""
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first"
    listen = etivity(course, "listen-first")
    for typed, shown in (("100000", "100000"), ("2147483648", "2147483648"),
                         ("1" + "0" * 40, "a 41-digit number")):
        said = _errors(client.post(url, data=form_of(listen, minutes=typed)).get_data(
            as_text=True))
        assert said == [f"Minutes must be from 1 to 1000, not {shown}"], said
    response = client.post(f"/design/{course.slug}/course", data=course_texts_form(
        client, course, weekly_minutes="99999999999"))
    assert ("Minutes a week must be from 1 to 2400, not 99999999999"
            in _errors(response.get_data(as_text=True)))
    assert drafts.pending(course) == []


def test_the_error_summary_follows_the_fields_on_the_page(client, course, author):
    login(client, author)
    for url in ("/design/new", f"/design/{course.slug}/duplicate"):
        page = client.post(url, data={}).get_data(as_text=True)
        summary = page.split("error-summary-list")[1].split("</ul>")[0]
        assert summary.index('href="#title"') < summary.index('href="#slug"'), url
        assert page.index('id="title"') < page.index('id="slug"')


@pytest.mark.parametrize("template, form", [
    ("new.html", "NewCourseForm"), ("duplicate.html", "DuplicateForm"),
    ("etivity.html", "EtivityForm"), ("course.html", "CourseForm"),
    ("authors.html", "AuthorForm"), ("upload.html", "UploadForm"),
])
def test_every_design_form_lists_its_fields_in_the_pages_order(app, template, form):
    """The error summary lists a form's problems in its class's field order: that is the
    order its page shows the boxes in."""
    import re
    from pathlib import Path

    from course_app.design import forms

    text = (Path(__file__).parents[2] / "templates" / "design" / template).read_text()
    on_page = list(dict.fromkeys(re.findall(r"field\(form\.(\w+)", text)))
    with app.test_request_context():
        in_form = [name for name in getattr(forms, form)()._fields if name in on_page]
    assert in_form == on_page
