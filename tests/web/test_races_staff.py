"""Staff's forms when two people act at once (designer saves and publishing; more below).

A true race is hard to make on demand, so most tests make its interleaving: what the other
request committed is written behind the ORM's back (Core statements, so the objects this
session loaded stay as they were read), then the service or page acts, and must act on the
rows as they really are. Where only a row lock can tell, the test looks for the lock
(PostgreSQL only: SQLite has no FOR UPDATE, and takes one writer at a time anyway)."""

import contextlib
import dataclasses
import html
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, func, insert, select, update

from conftest import PASSWORD, login
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, CohortState, Invite, MemberRole, Membership
from course_app.cohorts.services import add_member, create_invite, enrol_with_invite, membership_of
from course_app.courses.export import course_spec
from course_app.courses.models import Course, Etivity
from course_app.design import drafts, services
from course_app.design.models import CourseChange, DesignDraft
from course_app.discussions import services as discussions
from course_app.discussions.models import Thread, ThreadKind
from course_app.drafts import KEPT_MESSAGE
from course_app.extensions import db
from course_app.facilitate import audit, people
from course_app.facilitate.errors import FacilitateError
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.notifications.models import Notification
from database import statements_sent
from designing import etivity, form_of


def needs_postgresql() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE): PostgreSQL only")


def spec_of(course, of: str, **changes):
    spec = next(e for e in course_spec(course).etivities if e.slug == of)
    return dataclasses.replace(spec, **changes)


def locked(sent, table: str) -> int | None:
    """The index of the first statement that locks a row of `table`, if any."""
    return next((i for i, s in enumerate(sent) if "FOR UPDATE" in s.sql
                 and f"FROM {table}" in s.sql), None)


def first_read(sent, table: str) -> int | None:
    return next((i for i, s in enumerate(sent) if s.sql.lstrip().startswith("SELECT")
                 and f"FROM {table}" in s.sql), None)


# ---- 4: two authors saving at once ------------------------------------------------------

def test_an_etivity_saved_meanwhile_is_a_conflict_not_silently_replaced(course, author):
    """Both opened version v; the other author's save committed after this one read the
    e-tivity: this save is refused with their text listed, not "Saved" over it."""
    listen = etivity(course, "listen-first")
    seen = listen.version
    db.session.execute(update(Etivity.__table__).where(Etivity.__table__.c.id == listen.id)
                       .values(version=seen + 1))
    db.session.execute(insert(DesignDraft.__table__).values(
        course_id=course.id, etivity_id=listen.id, key="listen-first",
        fields={"title": "Theirs"}, version=1, author_id=author.id, updated_at=utcnow()))
    with pytest.raises(services.VersionConflict) as conflict:
        drafts.save_etivity(course, listen, spec_of(course, "listen-first", title="Mine"),
                            author, utcnow(), version=seen)
    assert conflict.value.version == seen + 1
    assert conflict.value.changes["title"] == ["Theirs", "Mine"]
    assert db.session.scalar(select(DesignDraft.fields).where(
        DesignDraft.key == "listen-first")) == {"title": "Theirs"}


def test_a_new_etivitys_draft_saved_meanwhile_is_a_conflict(course, author):
    """A new e-tivity's draft counts its own saves: the same, on its version."""
    spec = spec_of(course, "listen-first", slug="brand-new", title="First")
    draft = drafts.save_etivity(course, None, spec, author, utcnow())
    seen = draft.version
    db.session.execute(update(DesignDraft.__table__).where(DesignDraft.__table__.c.id == draft.id)
                       .values(version=seen + 1, fields={**draft.fields, "title": "Theirs"}))
    with pytest.raises(services.VersionConflict) as conflict:
        drafts.save_etivity(course, None, dataclasses.replace(spec, title="Mine"), author,
                            utcnow(), version=seen)
    assert conflict.value.changes["title"] == ["Theirs", "Mine"]


@contextlib.contextmanager
def their_draft_lands(**row):
    """Another author's draft `row` is inserted right after this request first looks for
    drafts, as if their insert committed in between. Yields a list, non-empty once it did."""
    connection = db.session.connection()
    made = []

    def theirs_lands(conn, _cursor, statement, *_):
        if not made and statement.lstrip().startswith("SELECT") and "design_draft" in statement:
            made.append(True)
            conn.execute(insert(DesignDraft.__table__).values(**row))

    event.listen(connection, "after_cursor_execute", theirs_lands)
    try:
        yield made
    finally:
        event.remove(connection, "after_cursor_execute", theirs_lands)


def test_the_second_first_save_of_a_new_etivity_is_a_conflict_not_a_500(course, author):
    """Two authors add the same new e-tivity at once: this one looked for a draft before the
    other's insert committed (made here right after that look), so its insert meets the
    unique course and key. It is told as a conflict, and its transaction goes on."""
    spec = spec_of(course, "listen-first", slug="brand-new", title="Mine")
    with their_draft_lands(course_id=course.id, key="brand-new", stage=2,
                           fields={"title": "Theirs"}, version=1, author_id=author.id,
                           updated_at=utcnow()) as made:
        with pytest.raises(services.VersionConflict) as conflict:
            drafts.save_etivity(course, None, spec, author, utcnow())
    assert made and conflict.value.changes["title"] == ["Theirs", "Mine"]
    assert conflict.value.version == 1
    assert db.session.scalar(select(DesignDraft.fields).where(
        DesignDraft.key == "brand-new")) == {"title": "Theirs"}


def test_a_new_etivity_form_meeting_anothers_draft_gets_the_conflict_page(
        client, course, author):
    """The other author's new e-tivity of the same slug was saved first: the page says so,
    keeps this text, and saving again replaces theirs."""
    drafts.save_etivity(course, None, spec_of(course, "listen-first", slug="brand-new",
                                              title="Theirs"), author, utcnow())
    db.session.commit()
    login(client, author)
    data = {**form_of(etivity(course, "listen-first"), slug="brand-new", title="Mine")}
    data.pop("version")
    second = client.post(f"/design/{course.slug}/stages/2/new", data=data)
    page = html.unescape(second.get_data(as_text=True))
    assert second.status_code == 409 and "Someone else saved this e-tivity" in page
    assert 'value="Mine"' in page and "Theirs" in page
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    forced = client.post(f"/design/{course.slug}/stages/2/new",
                         data={**data, "version": version, "replace": "yes"})
    assert forced.status_code == 302
    db.session.expire_all()
    assert drafts.draft_for(course, "brand-new").fields["title"] == "Mine"


def test_course_texts_saved_meanwhile_are_a_conflict(course, author):
    seen = course.texts_version
    db.session.execute(update(Course.__table__).where(Course.__table__.c.id == course.id)
                       .values(texts_version=seen + 1))
    with pytest.raises(services.VersionConflict) as conflict:
        drafts.save_course(course, {"title": "Mine"}, {}, author, utcnow(), version=seen)
    assert conflict.value.version == seen + 1
    assert db.session.scalar(select(DesignDraft).where(
        DesignDraft.course_id == course.id, DesignDraft.key == drafts.COURSE_KEY)) is None


def test_the_second_first_draft_of_the_course_texts_is_a_conflict_not_a_500(course, author):
    with their_draft_lands(course_id=course.id, key=drafts.COURSE_KEY, version=1,
                           fields={"course": {"title": "Theirs"}, "stages": {}},
                           author_id=author.id, updated_at=utcnow()) as made:
        with pytest.raises(services.VersionConflict) as conflict:
            drafts.save_course(course, {"title": "Mine"}, {}, author, utcnow(), force=True)
    assert made and conflict.value.changes["title"] == ["Theirs", "Mine"]


# ---- 11: two authors publishing at once -------------------------------------------------

def test_publishing_locks_the_course_before_reading_its_drafts(client, course, author):
    """The second of two publishes waits for the first, then reads its drafts again: none
    are left, so nothing is recorded twice."""
    needs_postgresql()
    login(client, author)
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(etivity(course, "listen-first"), title="Listen, then speak"))
    with statements_sent() as sent:
        response = client.post(f"/design/{course.slug}/publish")
    assert response.status_code == 302
    lock = locked(sent, "course")
    assert lock is not None and lock < first_read(sent, "design_draft")
    assert db.session.scalar(select(CourseChange.id).where(
        CourseChange.course_id == course.id).order_by(CourseChange.id.desc())) is not None


# ---- 6: weaves and nudges sent twice ------------------------------------------------------

@pytest.fixture
def wing(factory):
    """A facilitator, their cohort, two learners and a conversation to cite."""
    facilitator = factory.user(Role.FACILITATOR, name="Farah Facilitator")
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort, name="Ana Okafor")
    factory.learner_in(cohort, name="Ben Marsh")
    introduce = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    thread = discussions.start_thread(cohort, introduce, ana, "Ana's piece", "Listen first.",
                                      utcnow())
    db.session.commit()
    return cohort, facilitator, thread.posts[0]


def weave_form(cohort, post) -> tuple[str, dict]:
    return (f"/facilitate/cohorts/{cohort.id}/e/introduce-yourself/weave",
            {"title": "What we heard", "body": "It adds up.", f"cite_{post.id}": "y",
             "submission_key": uuid.uuid4().hex})


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_weave_sent_again_after_back_is_stored_once(client, login_as, wing):
    cohort, facilitator, post = wing
    login_as(facilitator)
    url, data = weave_form(cohort, post)
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data, follow_redirects=True)
    assert "This summary was sent twice, so it is up once" in html.unescape(
        again.get_data(as_text=True))
    assert count(Thread, Thread.kind == ThreadKind.WEAVE, Thread.cohort_id == cohort.id) == 1
    assert count(AuditEntry, AuditEntry.cohort_id == cohort.id,
                 AuditEntry.action == AuditAction.WEAVE) == 1


def miss_the_first_look(monkeypatch) -> list:
    """As if the other request had not committed yet when this one looked for its key: the
    first `find_submission` finds nothing, later ones look for real. The keys looked up."""
    looked = []
    real = audit.find_submission

    def before_the_other_committed(actor, key):
        looked.append(key)
        return None if len(looked) == 1 else real(actor, key)

    monkeypatch.setattr(audit, "find_submission", before_the_other_committed)
    return looked


def test_a_weave_sent_twice_at_once_is_stored_once_and_says_so(client, login_as, wing,
                                                                monkeypatch):
    """The other send committed its weave after this one looked for it: this one's entry
    meets the unique key, its weave is undone, and the page says it was sent already."""
    cohort, facilitator, post = wing
    login_as(facilitator)
    url, data = weave_form(cohort, post)
    assert client.post(url, data=data).status_code == 302  # the other request's
    looked = miss_the_first_look(monkeypatch)
    second = client.post(url, data=data)
    assert second.status_code == 302 and len(looked) == 2
    assert count(Thread, Thread.kind == ThreadKind.WEAVE, Thread.cohort_id == cohort.id) == 1
    assert "sent twice" in html.unescape(client.get(second.headers["Location"]).get_data(
        as_text=True))


def nudge_data(client, cohort) -> dict:
    """The nudge form to every learner as its page fills it (recipients and key included)."""
    page = client.get(f"/facilitate/cohorts/{cohort.id}/nudge?who=group:all").get_data(
        as_text=True)

    def hidden(name):
        return html.unescape(page.split(f'name="{name}" type="hidden" value="')[1]
                             .split('"')[0])
    return {"who": "group:all", "stage": "", "recipients": hidden("recipients"),
            "submission_key": hidden("submission_key"), "text": "Hello {name}"}


def test_a_nudge_sent_again_after_back_goes_once(client, login_as, wing):
    cohort, facilitator, _post = wing
    login_as(facilitator)
    data = nudge_data(client, cohort)
    url = f"/facilitate/cohorts/{cohort.id}/nudge"
    before = count(Notification)
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data, follow_redirects=True)
    assert "This message was sent twice, so it went once" in html.unescape(
        again.get_data(as_text=True))
    assert count(Notification) == before + 2  # Ana and Ben, once each
    assert count(AuditEntry, AuditEntry.cohort_id == cohort.id,
                 AuditEntry.action == AuditAction.NUDGE) == 1


def test_a_nudge_sent_twice_at_once_goes_once(client, login_as, wing, monkeypatch):
    cohort, facilitator, _post = wing
    login_as(facilitator)
    data = nudge_data(client, cohort)
    url = f"/facilitate/cohorts/{cohort.id}/nudge"
    before = count(Notification)
    assert client.post(url, data=data).status_code == 302  # the other request's
    looked = miss_the_first_look(monkeypatch)
    second = client.post(url, data=data)
    assert second.status_code == 302 and len(looked) == 2
    assert count(Notification) == before + 2


# ---- 5: the session ending (or a stale form) while typing a weave, a nudge, an e-tivity ---

def value_of(response, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    assert tag, f"no input named {name!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def textarea_of(response, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>',
                      html.unescape(response.get_data(as_text=True)), re.S)
    assert match, f"no textarea {name!r}"
    return match.group(1)


def back_after_login(client, response, user, expected: str):
    """The POST sent to log in, with `next` at its form; logging in leads back there."""
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/account/login"
    assert parse_qs(urlsplit(login_url).query)["next"] == [expected]
    target = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    assert target.headers["Location"] == expected
    page = client.get(expected)
    assert page.status_code == 200 and KEPT_MESSAGE in html.unescape(page.get_data(as_text=True))
    return page


def test_a_weave_sent_after_the_session_ended_comes_back_after_login(client, wing):
    cohort, facilitator, post = wing
    url, data = weave_form(cohort, post)
    data[f"quote_{post.id}"] = "Listen first"
    before = count(Thread)
    page = back_after_login(client, client.post(url, data=data), facilitator, url + "#title")
    assert value_of(page, "title") == "What we heard"
    assert textarea_of(page, "body") == "It adds up."
    assert value_of(page, f"quote_{post.id}") == "Listen first"
    tick = re.search(rf'<input[^>]*name="cite_{post.id}"[^>]*>', page.get_data(as_text=True))
    assert tick and "checked" in tick.group(0)
    assert value_of(page, "submission_key") == data["submission_key"]
    assert count(Thread) == before


def test_a_nudge_with_a_stale_form_comes_back_with_its_text(make_app, wing):
    cohort, facilitator, _post = wing
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = value_of(client.get("/account/login"), "csrf_token")
    client.post("/account/login", data={"email": facilitator.email, "password": PASSWORD,
                                        "csrf_token": token})
    url = f"/facilitate/cohorts/{cohort.id}/nudge"
    data = {**nudge_data(client, cohort), "text": "Hello {name}, typed with care",
            "csrf_token": "stale"}
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?who=group%3Aall#message"
    page = client.get(response.headers["Location"])
    assert KEPT_MESSAGE in html.unescape(page.get_data(as_text=True))
    assert textarea_of(page, "text") == "Hello {name}, typed with care"
    assert value_of(page, "submission_key") == data["submission_key"]


def test_an_etivity_edit_sent_after_the_session_ended_comes_back_after_login(
        client, course, author):
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    data = form_of(listen, title="Listen, then speak", spark="A long spark, typed with care.")
    page = back_after_login(client, client.post(url, data=data), author, url + "#title")
    assert value_of(page, "title") == "Listen, then speak"
    assert textarea_of(page, "spark") == "A long spark, typed with care."
    assert value_of(page, "version") == str(listen.version)  # saved over nothing unseen
    assert drafts.draft_for(course, "listen-first") is None


# ---- 12: two facilitators removing each other at once -------------------------------------

def test_two_facilitators_removing_each_other_leave_one(factory):
    """Fay removed Gil a moment ago (written behind this request's back); Gil's removal of
    Fay, read from before that, counts the facilitators as they are now and is refused."""
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    gil = factory.user(Role.FACILITATOR, name="Gil")
    add_member(cohort, gil, MemberRole.FACILITATOR, utcnow())
    db.session.commit()
    fays = membership_of(cohort.id, fay.id)
    gils = membership_of(cohort.id, gil.id)
    assert all(m.active for m in cohort.memberships)  # as Gil's request read them
    db.session.execute(update(Membership.__table__).where(Membership.__table__.c.id == gils.id)
                       .values(removed_at=utcnow()))
    with pytest.raises(FacilitateError, match="removed you from this cohort a moment ago"):
        people.remove_member(cohort, fays, gil, utcnow())
    assert db.session.scalar(select(Membership.removed_at).where(Membership.id == fays.id)) \
        is None


def test_removing_someone_another_facilitator_just_removed_does_it_once(factory):
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    lee = factory.learner_in(cohort, name="Lee")
    db.session.commit()
    lees = membership_of(cohort.id, lee.id)
    db.session.execute(update(Membership.__table__).where(Membership.__table__.c.id == lees.id)
                       .values(removed_at=utcnow()))
    before = count(AuditEntry, AuditEntry.cohort_id == cohort.id)
    with pytest.raises(FacilitateError, match="Another facilitator removed Lee"):
        people.remove_member(cohort, lees, fay, utcnow())
    assert count(AuditEntry, AuditEntry.cohort_id == cohort.id) == before


def test_a_facilitator_removed_a_moment_ago_removes_nobody(factory):
    """Three facilitators: Fay removes Gil while Gil removes Hal. Gil's request, read from
    before Fay's, finds under the lock that Gil is no longer a facilitator (it had removed
    Hal too, leaving Fay alone)."""
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    gil, hal = (factory.user(Role.FACILITATOR, name=n) for n in ("Gil", "Hal"))
    for who in (gil, hal):
        add_member(cohort, who, MemberRole.FACILITATOR, utcnow())
    db.session.commit()
    gils, hals = membership_of(cohort.id, gil.id), membership_of(cohort.id, hal.id)
    db.session.execute(update(Membership.__table__).where(Membership.__table__.c.id == gils.id)
                       .values(removed_at=utcnow()))
    with pytest.raises(FacilitateError, match="removed you from this cohort a moment ago"):
        people.remove_member(cohort, hals, gil, utcnow())
    db.session.refresh(hals)
    assert hals.active


def test_saving_an_etivity_holds_the_course_as_publishing_does(client, course, author):
    """A save takes the course's row shared before it counts its version, so a publish (which
    takes it for update, then deletes the drafts it applied) can't delete a draft saved after
    it read them: the publish waits, or the save does."""
    needs_postgresql()
    login(client, author)
    with statements_sent() as sent:
        client.post(f"/design/{course.slug}/etivities/listen-first",
                    data=form_of(etivity(course, "listen-first"), title="Listen, then speak"))
    shared = next((i for i, s in enumerate(sent) if "FOR SHARE" in s.sql
                   and "FROM course" in s.sql), None)
    counted = next(i for i, s in enumerate(sent) if s.sql.lstrip().startswith("UPDATE etivity"))
    assert shared is not None and shared < counted


def test_removing_a_member_locks_the_cohort_first(factory):
    needs_postgresql()
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    gil = factory.user(Role.FACILITATOR, name="Gil")
    add_member(cohort, gil, MemberRole.FACILITATOR, utcnow())
    gils = membership_of(cohort.id, gil.id)
    with statements_sent() as sent:
        people.remove_member(cohort, gils, fay, utcnow())
    lock = locked(sent, "cohort")
    assert lock is not None and lock < next(i for i, s in enumerate(sent)
                                            if "count(membership.id)" in s.sql)


# ---- 13: conflicting cohort state changes --------------------------------------------------

def test_a_state_change_from_a_state_no_longer_there_is_refused(client, login_as, factory):
    """Both pages showed "open"; the other facilitator closed it: this "start running" (from
    open) is refused, saying what happened, and nothing changes."""
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    db.session.commit()
    login_as(fay)
    page = client.get(f"/facilitate/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'name="seen" value="open"' in page
    db.session.execute(update(Cohort.__table__).where(Cohort.__table__.c.id == cohort.id)
                       .values(state=CohortState.CLOSED.value))
    response = client.post(f"/facilitate/cohorts/{cohort.id}/state",
                           data={"to": "running", "seen": "open"}, follow_redirects=True)
    assert ("Another facilitator changed this cohort to closed (read only) meanwhile. Nothing "
            "was changed.") in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(Cohort.state).where(Cohort.id == cohort.id)) \
        == CohortState.CLOSED
    assert count(AuditEntry, AuditEntry.cohort_id == cohort.id,
                 AuditEntry.action == AuditAction.STATE) == 0


# ---- 9: an invite used by several at once --------------------------------------------------

def test_each_use_of_an_invite_counts_when_several_join_at_once(factory):
    """Three others joined through the link after this request read it: this use is the
    fourth, not the first again."""
    fay = factory.user(Role.FACILITATOR, name="Fay")
    cohort = factory.cohort(facilitator=fay)
    newcomer = factory.user(name="Newcomer")
    invite = create_invite(cohort, fay, utcnow())
    assert invite.uses == 0  # as this request read it
    db.session.execute(update(Invite.__table__).where(Invite.__table__.c.id == invite.id)
                       .values(uses=3))
    enrol_with_invite(invite.token, newcomer, utcnow())
    assert db.session.scalar(select(Invite.uses).where(Invite.id == invite.id)) == 4
