"""The designer in the browser's place: who may use it, the storyboard's buttons, Salmon's
template as a form checked by the same code as `course validate`, and two authors at once."""

import html

import pytest
from sqlalchemy import select

from conftest import login
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.courses.models import Course, CourseAuthor, Etivity
from course_app.design import drafts, services
from course_app.design.models import CourseChange
from course_app.extensions import db


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def author(factory, course):
    user = factory.user(Role.LEARNER, name="Ann Author")
    services.add_author(course, user, utcnow())
    db.session.commit()
    return user


def etivity(course, slug) -> Etivity:
    return db.session.scalar(select(Etivity).where(Etivity.course_id == course.id,
                                                   Etivity.slug == slug))


def form_of(e: Etivity, **changes) -> dict:
    """The e-tivity form as its page fills it, with `changes`."""
    data = {name: getattr(e, name) for name in (
        "title", "purpose", "summary", "spark", "task", "interaction", "emoderator", "next")}
    data.update({name: str(getattr(e, name) or "") for name in (
        "minutes", "days", "first_post_day", "replies_day", "observe", "interact", "initiate")})
    data.update({name: "y" if getattr(e, name) else "" for name in (
        "required", "post_first", "observe_facilitators")})
    data.update({"version": str(e.version), "toolkit_slug": e.toolkit_slug or "",
                 "toolkit_title": e.toolkit_title or ""})
    for index, piece in enumerate(e.pieces or []):
        data[f"pieces-{index}-name"], data[f"pieces-{index}-body"] = piece["name"], piece["body"]
    for index, day in enumerate(e.moderator_days or []):
        data[f"moderator_days-{index}-day"] = str(day["day"])
        data[f"moderator_days-{index}-note"] = day["note"]
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def publish(client, course, expect: str | None = None):
    """Publish the course's drafts as an author would: read the page, press Publish."""
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    if expect is not None:
        assert expect in page, page
    data = {}
    if 'name="confirm" value="' in page:
        data["confirm"] = page.split('name="confirm" value="')[1].split('"')[0]
    response = client.post(f"/design/{course.slug}/publish", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return page


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
    assert client.get(f"/design/{other.slug}").status_code == 403
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
    assert "before first_post_day" in page
    assert 'href="#pieces-0-name"' in page
    assert "Some people worry" in page  # what was typed is kept
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen first"


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


def course_texts_form(client, course, **changes) -> dict:
    """The course texts form as its page fills it (the hidden version included), changed."""
    page = client.get(f"/design/{course.slug}/course").get_data(as_text=True)
    data = {"title": course.title, "summary": course.summary, "audience": course.audience,
            "weekly_minutes": str(course.weekly_minutes or ""),
            "version": page.split('name="version" type="hidden" value="')[1].split('"')[0]}
    for n, stage in enumerate(course.stages):
        data.update({f"stages-{n}-title": stage.title, f"stages-{n}-summary": stage.summary,
                     f"stages-{n}-emoderator": stage.emoderator,
                     f"stages-{n}-suggested_days": str(stage.suggested_days)})
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


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


def test_duplicate_from_the_designer(client, course, author):
    login(client, author)
    assert client.get(f"/design/{course.slug}/duplicate").status_code == 200
    taken = client.post(f"/design/{course.slug}/duplicate",
                        data={"slug": course.slug, "title": "Again"})
    assert taken.status_code == 400 and "already a course" in taken.get_data(as_text=True)
    made = client.post(f"/design/{course.slug}/duplicate",
                       data={"slug": "engaging-again", "title": "Again"})
    assert made.status_code == 302
    copy = db.session.scalar(select(Course).where(Course.slug == "engaging-again"))
    assert len(copy.active_etivities) == len(course.active_etivities)


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


# ---- running cohorts: say what a change does first, keep every completion ---------------

def test_a_raised_rule_says_who_it_affects_then_keeps_completions(client, factory, course,
                                                                 cohort, author):
    from course_app.discussions.services import start_thread
    from course_app.progress.models import Completion

    time_and_help = etivity(course, "time-and-help")  # done when: start 1 conversation
    finisher, waiting = factory.learner_in(cohort), factory.learner_in(cohort)
    start_thread(cohort, time_and_help, finisher, "My slots", "Mondays.", at=utcnow())
    db.session.commit()
    assert db.session.scalar(select(Completion.user_id)) == finisher.id
    login(client, author)
    url = f"/design/{course.slug}/etivities/time-and-help"
    assert client.post(url, data=form_of(time_and_help, observe="1")).status_code == 302
    db.session.expire_all()
    assert etivity(course, "time-and-help").observe == 0  # a draft: nothing changed yet
    publish_url = f"/design/{course.slug}/publish"
    unconfirmed = client.post(publish_url)  # without the impact it was shown: asks again
    assert unconfirmed.status_code == 409
    db.session.expire_all()
    assert etivity(course, "time-and-help").observe == 0
    page = publish(client, course, expect="1 running cohort uses this course")
    assert "1 learner who has not finished it will need 1 more read" in page
    assert "1 learner who finished it keep" in page
    assert etivity(course, "time-and-help").observe == 1
    assert db.session.scalars(select(Completion.user_id)).all() == [finisher.id]
    assert waiting.id  # still not complete: needs a read now


def lower_listen_first(client, factory, course, cohort, author):
    """A learner who started a conversation in "Listen first" (read 3, start 1), and its
    author's draft that asks for no reads: (the e-tivity, the learner, its page)."""
    from course_app.discussions.services import start_thread

    listen = etivity(course, "listen-first")
    learner = factory.learner_in(cohort)
    start_thread(cohort, listen, learner, "A case", "What I found.", at=utcnow())
    db.session.commit()
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first"
    assert client.post(url, data=form_of(listen, observe="0")).status_code == 302
    return listen, learner, url


def test_a_lowered_rule_completes_who_meets_it_now(client, factory, course, cohort, author):
    from course_app.progress.models import Completion

    listen, learner, _url = lower_listen_first(client, factory, course, cohort, author)
    publish(client, course, expect="1 learner meets the new rule already and will complete it "
            "now")
    assert db.session.scalar(select(Completion.user_id).where(
        Completion.etivity_id == listen.id)) == learner.id


def test_retiring_in_a_running_course_asks_first_and_keeps_threads(client, factory, course,
                                                                  cohort, author):
    from course_app.discussions.models import Thread
    from course_app.discussions.services import start_thread

    listen = etivity(course, "listen-first")
    start_thread(cohort, listen, factory.learner_in(cohort), "A case", "Found.", at=utcnow())
    db.session.commit()
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first/retire"
    ask = client.post(url)
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Its 1 thread stays readable" in page
    db.session.expire_all()
    assert not etivity(course, "listen-first").retired
    confirm = page.split('name="confirm" value="')[1].split('"')[0]
    assert client.post(url, data={"confirm": confirm}).status_code == 302
    db.session.expire_all()
    assert etivity(course, "listen-first").retired
    assert db.session.scalar(select(Thread).where(Thread.etivity_id == listen.id)) is not None


def test_history_pages_through_every_change_at_the_same_cost(client, factory, course, author,
                                                             monkeypatch):
    """A course's and an e-tivity's history, newest first, a page at a time; each page runs
    the same queries however many changes (and authors) there are."""
    from course_app.design.views import common
    from database import statements_sent

    monkeypatch.setattr(common, "HISTORY_PER_PAGE", 3)
    listen = etivity(course, "listen-first")

    def changes(n: int, start: int = 0) -> None:
        for i in range(start, start + n):  # each by an author of their own
            who = factory.user(Role.LEARNER, name=f"Author {i}")
            services.record(course, who, "etivity-edited", f"Change {i}", utcnow(), listen,
                            {"minutes": [i, i + 1]})
        db.session.commit()

    changes(4)
    login(client, author)
    course_history = f"/design/{course.slug}/history"
    listen_history = f"/design/{course.slug}/etivities/listen-first/history"

    def cost(path: str, **query) -> tuple[str, int]:
        client.get(path, query_string=query)  # caches warmed
        db.session.remove()  # as a request starts: nobody loaded yet
        with statements_sent() as sent:
            response = client.get(path, query_string=query)
        assert response.status_code == 200
        return html.unescape(response.get_data(as_text=True)), len(sent)

    before = {}
    for path in (course_history, listen_history):
        first, before[path] = cost(path)
        assert "4 changes; showing 1–3." in first, first
        assert "Change 3" in first and "Author 1" in first and "Change 0" not in first
        assert f'href="{path}?page=2" rel="next">Older changes' in first
        second, _ = cost(path, page=2)
        assert "Change 0" in second and "Change 1" not in second
        assert cost(path, page="x")[0] == first  # an odd page number shows the first
        assert "Change 0" in cost(path, page=99)[0]  # past the end: the last page
        assert client.get(path, query_string={"page": 10**20}).status_code == 404
    changes(6, start=4)
    for path in (course_history, listen_history):
        assert cost(path)[1] == before[path], path


def test_history_restores_the_earlier_text_as_a_draft(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    client.post(url, data=form_of(listen, title="A new title", minutes="40"))
    publish(client, course)
    change = db.session.scalar(select(CourseChange).where(
        CourseChange.etivity_id == listen.id))
    history = client.get(f"{url}/history").get_data(as_text=True)
    restore = f"{url}/history/{change.id}/restore"
    assert restore in history
    assert client.post(restore).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="Listen first"' in page and 'value="35"' in page
    assert "Draft — not yet published" in page
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "A new title"
    assert drafts.draft_for(course, "listen-first").fields == {"title": "Listen first",
                                                               "minutes": 35}
    publish(client, course)
    assert etivity(course, "listen-first").title == "Listen first"


def confirmation(page: str) -> str:
    return page.split('name="confirm" value="')[1].split('"')[0]


def test_a_draft_can_be_discarded_after_saying_what_is_lost(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    edit = f"/design/{course.slug}/etivities/listen-first"
    client.post(edit, data=form_of(listen, title="Not this"))
    draft = drafts.draft_for(course, "listen-first")
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    assert "Not this" in page and f"/drafts/{draft.id}/discard" in page
    assert '<th scope="row">Title</th>' in page and "Individual task" not in page
    discard = f"/design/{course.slug}/drafts/{draft.id}/discard"
    ask = client.post(discard)
    asked = html.unescape(ask.get_data(as_text=True))
    assert ask.status_code == 200 and "<h1>Discard the draft of Not this?</h1>" in asked
    assert "last saved by Ann Author" in asked and "can't be brought back" in asked
    assert drafts.draft_for(course, "listen-first") is not None
    # Saved again before the second press: it asks again, showing the newer draft.
    client.post(edit, data=form_of(listen, title="Not this either",
                                   version=str(etivity(course, "listen-first").version)))
    again = html.unescape(client.post(discard, data={"confirm": confirmation(asked)})
                          .get_data(as_text=True))
    assert "saved again since you asked" in again and "Not this either?" in again
    assert drafts.draft_for(course, "listen-first").fields["title"] == "Not this either"
    done = client.post(discard, data={"confirm": confirmation(again)})
    assert done.status_code == 302
    assert drafts.draft_for(course, "listen-first") is None
    empty = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    assert "Nothing to publish" in empty
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen first"


def test_saving_the_published_text_again_drops_the_draft(client, course, author):
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first"
    client.post(url, data=form_of(etivity(course, "listen-first"), title="For a while"))
    assert drafts.draft_for(course, "listen-first") is not None
    as_typed = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v  # a browser's CRLF
                for k, v in form_of(etivity(course, "listen-first")).items()}
    assert any("\r\n" in v for v in as_typed.values())
    client.post(url, data=as_typed)
    assert drafts.draft_for(course, "listen-first") is None


def test_a_new_etivitys_draft_moves_to_another_stage_before_it_is_published(client, course,
                                                                            author):
    login(client, author)
    base = f"/design/{course.slug}/etivities"
    second = course.etivities_in(2)[0].slug
    client.post(f"{base}/{second}/copy")
    copy = f"{second}-copy"
    board = client.get(f"/design/{course.slug}").get_data(as_text=True)
    card = board[board.index(f'id="card-{copy}"'):]
    card = card[card.index('class="storyboard-actions"'):]
    card = card[:card.index("</div>")]
    assert f'action="{base}/{copy}/move"' in card and 'id="to-' + copy + '"' in card
    assert "Up<" not in card and "Copy<" not in card and "Retire<" not in card

    moved = client.post(f"{base}/{copy}/move", data={"to": "stage-4"}, follow_redirects=True)
    assert "it is added at the end of that stage when you publish" in moved.get_data(True)
    assert drafts.draft_for(course, copy).stage == 4
    for to, says in (("up", "Choose a stage to move it to"), ("stage-4", "already in stage 4"),
                     ("stage-9", "Choose a stage from 1 to 5"), ("", "Choose a stage from 1 to 5")):
        answer = client.post(f"{base}/{copy}/move", data={"to": to}, follow_redirects=True)
        assert says in answer.get_data(as_text=True), to
        assert drafts.draft_for(course, copy).stage == 4
    assert "A new e-tivity in stage 4" in publish(client, course)
    assert course.etivities_in(4)[-1].slug == copy
    assert second in [e.slug for e in course.etivities_in(2)]


def test_a_retired_etivitys_draft_changes_nothing_learners_see_until_it_is_brought_back(
        client, factory, course, cohort, author):
    """Its new rule is published with it, but a retired e-tivity earns nothing: the publish
    page says so (not "will complete it now"), and bringing it back earns what it allows."""
    from course_app.progress.models import Completion

    listen, learner, url = lower_listen_first(client, factory, course, cohort, author)
    ask = client.post(f"{url}/retire").get_data(as_text=True)
    confirm = ask.split('name="confirm" value="')[1].split('"')[0]
    client.post(f"{url}/retire", data={"confirm": confirm})
    board = html.unescape(client.get(f"/design/{course.slug}").get_data(as_text=True))
    retired = board[board.index('id="card-listen-first"'):]
    assert retired.index("Draft — published with the course, seen only if brought back") < (
        retired.index("Bring back"))

    page = publish(client, course, expect="is retired: learners see no change unless it is "
                   "brought back")
    assert ("Changes to a retired e-tivity of stage 2: learners see them only if it is brought "
            "back") in page
    assert "will complete it now" not in page
    earned = select(Completion.user_id).where(Completion.etivity_id == listen.id)
    assert etivity(course, "listen-first").observe == 0
    assert db.session.scalar(earned) is None
    assert client.post(f"{url}/restore").status_code == 302
    db.session.expire_all()
    assert not etivity(course, "listen-first").retired
    assert db.session.scalar(earned) == learner.id


# ---- the folder as a zip ---------------------------------------------------------------

def test_download_then_upload_a_changed_zip(client, course, author):
    import io
    import zipfile

    login(client, author)
    download = client.get(f"/design/{course.slug}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    source = zipfile.ZipFile(io.BytesIO(download.data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("listen-first.md"):
                data = data.replace(b"title: Listen first", b"title: Listen well")
            if not info.filename.endswith("pass-it-on.md"):
                archive.writestr(info.filename, data)
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(changed.getvalue()), "course.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)  # no cohorts: at once
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen well"
    assert etivity(course, "pass-it-on").retired


def test_an_upload_with_problems_lists_each_with_file_and_line(client, course, author):
    import io
    import zipfile

    login(client, author)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("course.yaml", "title: T\nsummary: S\naudience: A\nstages: []\n")
        archive.writestr("etivities/1-01-x.md", "---\nslug: x\nminutes: lots\n---\nSpark\n")
        archive.writestr("../escape.md", "x")
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(broken.getvalue()), "course.zip")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "leads outside the course folder" in page
    clean = io.BytesIO()
    with zipfile.ZipFile(clean, "w") as archive:
        archive.writestr("course.yaml", "title: T\nsummary: S\naudience: A\nstages: []\n")
        archive.writestr("etivities/1-01-x.md", "---\nslug: x\nminutes: lots\n---\nSpark\n")
    page = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(clean.getvalue()), "course.zip")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "engaging-online/etivities/1-01-x.md:3: minutes" in page
    assert "engaging-online/course.yaml" in page
    db.session.expire_all()
    assert course.title == "Engaging online"


def test_changes_reach_the_audit_log_of_each_running_cohort(client, course, cohort, author):
    from course_app.facilitate.models import AuditAction, AuditEntry

    login(client, author)
    listen = etivity(course, "listen-first")
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(listen, title="Listen well"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)) is None
    publish(client, course)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.cohort_id == cohort.id))
    assert entry.action == AuditAction.COURSE_CHANGED and entry.actor_id == author.id
    assert entry.summary == "Ann Author: Changed Listen well"
    assert entry.detail["fields"] == ["title"]


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


def test_an_upload_in_a_running_course_says_what_it_changes_first(client, course, cohort,
                                                                  author):
    import io
    import zipfile

    login(client, author)
    source = zipfile.ZipFile(io.BytesIO(client.get(f"/design/{course.slug}/download").data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for info in source.infolist():
            if not info.filename.endswith("pass-it-on.md"):
                archive.writestr(info.filename, source.read(info))

    def upload(**data):
        return client.post(f"/design/{course.slug}/upload", data={
            "archive": (io.BytesIO(changed.getvalue()), "course.zip"), **data},
            content_type="multipart/form-data")
    first = upload()
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "1 running cohort uses this course" in page
    assert "leaves learners&#39; maps" in page and "Upload and apply" in page
    db.session.expire_all()
    assert not etivity(course, "pass-it-on").retired
    confirm = page.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    assert upload(confirm=confirm).status_code == 302
    db.session.expire_all()
    assert etivity(course, "pass-it-on").retired


def test_an_upload_waits_for_drafts_to_be_published_or_discarded(client, course, author):
    import io

    login(client, author)
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(etivity(course, "listen-first"), title="Pending"))
    response = client.post(f"/design/{course.slug}/upload", data={
        "archive": (io.BytesIO(b"not a zip"), "course.zip")}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/publish")
    assert "publish or discard" in client.get(
        f"/design/{course.slug}/upload").get_data(as_text=True)


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
