"""The facilitator's calendar: what to do on each day of each stage of a paced cohort."""

from datetime import date, timedelta

from course_app.extensions import db
from course_app.facilitate.calendar import CalendarKind, calendar_items

START = date(2027, 1, 4)


def etivity(cohort, slug):
    return next(e for e in cohort.course.etivities if e.slug == slug)


def plan(cohort):
    """Stage 2's `listen-first`: first posts on day 2, replies on day 4, two moderator days;
    every other e-tivity suggests nothing (so the content's own days don't matter here)."""
    for e in cohort.course.etivities:
        e.first_post_day = e.replies_day = None
        e.moderator_days = []
    listen = etivity(cohort, "listen-first")
    listen.first_post_day, listen.replies_day = 2, 4
    listen.moderator_days = [{"day": 4, "note": "Weave the **themes** so far."},
                             {"day": 1, "note": "Post an example of listening."}]
    db.session.commit()
    return listen


def test_a_paced_cohorts_days_come_from_the_stage_dates(factory):
    cohort = factory.cohort(paced=True, starts_on=START)
    listen = plan(cohort)
    opens = cohort.release_date(2)
    items = [i for i in calendar_items(cohort) if i.stage == 2]
    assert [(i.day, i.kind, i.etivity) for i in items] == [
        (opens, CalendarKind.STAGE_OPENS, None),
        (opens, CalendarKind.MODERATOR, listen),
        (opens + timedelta(days=1), CalendarKind.FIRST_POSTS, listen),
        (opens + timedelta(days=3), CalendarKind.MODERATOR, listen),
        (opens + timedelta(days=3), CalendarKind.REPLIES, listen),
    ]
    assert items[1].text == "Post an example of listening."
    assert "First posts are due in “" + listen.title in items[2].text
    # Every stage opens, in order, on its release date.
    openings = [i for i in calendar_items(cohort) if i.kind == CalendarKind.STAGE_OPENS]
    assert [(i.stage, i.day) for i in openings] == [
        (n, cohort.release_date(n)) for n in range(1, 6)]


def test_on_a_day_gives_only_that_days_items(factory):
    cohort = factory.cohort(paced=True, starts_on=START)
    plan(cohort)
    day4 = cohort.release_date(2) + timedelta(days=3)
    assert [i.kind for i in calendar_items(cohort, on=day4)] == [
        CalendarKind.MODERATOR, CalendarKind.REPLIES]
    assert calendar_items(cohort, on=date(2020, 1, 1)) == []


def test_a_self_paced_cohort_has_no_calendar(factory):
    cohort = factory.cohort(paced=False)
    plan(cohort)
    assert calendar_items(cohort) == []


def test_a_stage_without_a_date_and_empty_notes_give_nothing(factory):
    cohort = factory.cohort(paced=True, starts_on=START)
    listen = plan(cohort)
    listen.moderator_days = [{"day": 3, "note": "   "}, {"note": "no day"}]
    db.session.delete(next(r for r in cohort.releases if r.stage_number == 2))
    db.session.commit()
    assert [i for i in calendar_items(cohort) if i.stage == 2] == []
