"""Calendar feeds: a private, revocable iCalendar link per learner or facilitator of a paced
cohort; what is in it; it follows the cohort's dates; it parses with `icalendar` and
survives a round trip."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.extensions import db
from course_app.facilitate.calendar import CalendarKind, calendar_items
from course_app.facilitate.people import remove_member
from course_app.feeds.models import CalendarFeed
from learner_journey import text

STARTS = date(2027, 1, 4)


@pytest.fixture
def paced(factory, course, facilitator):
    cohort = factory.cohort(course=course, facilitator=facilitator, paced=True,
                            starts_on=STARTS, name="Paced cohort")
    learner = factory.learner_in(cohort, name="Lena Learner")
    db.session.commit()
    return cohort, learner


LINK = re.compile(r"http://course\.test(/calendar/[\w-]+\.ics)")


def make_link(client, cohort) -> str:
    """The link, shown once: in the answer to the POST that made it, not cached."""
    response = client.post(f"/cohorts/{cohort.id}/calendar", data={"action": "make"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    found = LINK.search(text(response))
    assert found, text(response)
    return found.group(1)


def events(body: bytes) -> dict[str, tuple[date, str]]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"]))
            for e in calendar.walk("VEVENT")}


def test_a_learner_makes_a_link_that_works_without_login(client, login_as, paced, app):
    cohort, learner = paced
    login_as(learner)
    page = client.get(f"/cohorts/{cohort.id}/calendar")
    assert page.status_code == 200 and "You have no calendar link" in text(page)
    path = make_link(client, cohort)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    calendar = Calendar.from_ical(body)
    assert calendar.to_ical() == body  # the round trip: parse, write, the same bytes
    assert str(calendar["X-WR-CALNAME"]) == f"Paced cohort: {cohort.course.title}"
    got = events(body)
    stage_1 = cohort.course.stages[0]
    assert (STARTS, f"Stage 1, {stage_1.title}, opens") in got.values()
    wanted = [i for i in calendar_items(cohort) if i.kind != CalendarKind.MODERATOR]
    assert len(got) == len(wanted)  # no e-moderator notes for learners
    suggested = [s for _d, s in got.values() if s.startswith("Suggested day")]
    assert suggested, "the course suggests first-post and reply days"
    first = next(e for e in Calendar.from_ical(body).walk("VEVENT")
                 if str(e["SUMMARY"]).startswith("Suggested day for your first post"))
    assert str(first["URL"]).startswith(f"http://course.test/cohorts/{cohort.id}/e/")


def test_a_facilitators_feed_has_the_moderator_notes_too(client, login_as, paced,
                                                         facilitator):
    cohort, _learner = paced
    login_as(facilitator)
    body = client.get(make_link(client, cohort)).get_data()
    got = events(body)
    assert len(got) == len(calendar_items(cohort))
    assert any(s.startswith("E-moderating: ") for _d, s in got.values())
    assert any(s.startswith("First posts suggested: ") for _d, s in got.values())


def test_the_feed_follows_a_change_of_dates(client, login_as, paced):
    cohort, learner = paced
    login_as(learner)
    path = make_link(client, cohort)
    before = events(client.get(path).get_data())
    release = next(r for r in cohort.releases if r.stage_number == 2)
    release.opens_on += timedelta(days=7)
    db.session.commit()
    after = events(client.get(path).get_data())
    assert before.keys() == after.keys()  # the same events (UIDs), moved
    moved = {uid for uid in before if before[uid][0] != after[uid][0]}
    assert moved and all(after[uid][0] == before[uid][0] + timedelta(days=7) for uid in moved)


def test_stopping_or_renewing_the_link_ends_the_old_one(client, login_as, paced, app):
    cohort, learner = paced
    login_as(learner)
    old = make_link(client, cohort)
    new = make_link(client, cohort)
    anonymous = app.test_client()
    assert old != new
    again = client.get(f"/cohorts/{cohort.id}/calendar")
    assert LINK.search(text(again)) is None and "You made a calendar link on" in text(again)
    token = new.removeprefix("/calendar/").removesuffix(".ics")
    [stored] = db.session.scalars(select(CalendarFeed)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # not the token
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    client.post(f"/cohorts/{cohort.id}/calendar", data={"action": "revoke"})
    assert anonymous.get(new).status_code == 404
    assert anonymous.get("/calendar/made-up-token.ics").status_code == 404


def test_no_feed_after_leaving_the_cohort(client, login_as, paced, facilitator, app):
    cohort, learner = paced
    login_as(learner)
    path = make_link(client, cohort)
    remove_member(cohort, membership_of(cohort.id, learner.id), facilitator, utcnow())
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_a_self_paced_cohort_has_no_calendar(client, login_as, factory, cohort):
    learner = factory.learner_in(cohort)
    login_as(learner)
    page = client.get(f"/cohorts/{cohort.id}/calendar")
    assert page.status_code == 200 and "is self-paced" in text(page)
    assert client.post(f"/cohorts/{cohort.id}/calendar",
                       data={"action": "make"}).status_code == 400


def test_a_learners_feed_counts_the_days_from_when_they_joined(client, login_as, factory,
                                                                course, facilitator):
    """A learner who joins a paced cohort ten days in gets the days their map shows (the
    stage opened for them when they joined), not the cohort's, which were before they came."""
    from course_app.progress.rules import day_of

    today = utcnow().date()
    cohort = factory.cohort(course=course, facilitator=facilitator, paced=True,
                            starts_on=today - timedelta(days=10), name="Paced cohort")
    learner = factory.learner_in(cohort)
    db.session.commit()
    login_as(learner)
    got = events(client.get(make_link(client, cohort)).get_data())
    intro = next(e for e in course.etivities if e.slug == "introduce-yourself")
    wanted = day_of(today, intro.first_post_day)
    assert (wanted, f"Suggested day for your first post: {intro.title}") in got.values()
    assert f"First post by {wanted:%a} {wanted.day} {wanted:%b}" in text(
        client.get(f"/cohorts/{cohort.id}"))  # as the map says
    stage_1 = cohort.course.stages[0]
    assert (today, f"Stage 1, {stage_1.title}, opens") in got.values()
    assert min(day for day, _summary in got.values()) >= today
    # The facilitator's feed keeps the cohort's own days.
    login_as(facilitator)
    staff = events(client.get(make_link(client, cohort)).get_data())
    assert (today - timedelta(days=10), f"Stage 1, {stage_1.title}, opens") in staff.values()
