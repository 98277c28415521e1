"""Calendar feeds: the private link (make, revoke) and the iCalendar it serves.

A learner's feed has the days their stages open and the days each e-tivity suggests for
first posts and replies, counted as their map counts them (from when each stage opened for
them); a facilitator's has the cohort's days and adds the e-moderator's notes. Both come
from the one calendar (`facilitate/calendar.py: calendar_items`), so a change of dates shows
at the next refresh: each event keeps its UID, with the new date.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select

from .. import mail
from ..auth.models import User
from ..auth.tokens import hash_secret
from ..cohorts.models import Cohort, MemberRole, Membership
from ..database import added
from ..extensions import db
from ..facilitate.calendar import CalendarItem, CalendarKind, calendar_items
from ..progress.standing import learner_progress
from .models import CalendarFeed

FEED_ROLES = (MemberRole.LEARNER, MemberRole.FACILITATOR)
LEARNER_KINDS = (CalendarKind.STAGE_OPENS, CalendarKind.FIRST_POSTS, CalendarKind.REPLIES)


def feed_of(user_id: int, cohort_id: int) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id,
                                                        CalendarFeed.cohort_id == cohort_id))


def make_feed(user: User, cohort: Cohort, at: datetime) -> tuple[CalendarFeed, str]:
    """A new private link (the old one, if any, stops working): the feed and its token, which
    is not kept and so can't be shown again. Flushes."""
    revoke_feed(user, cohort)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(token_hash=hash_secret(token), user_id=user.id, cohort_id=cohort.id,
                        created_at=at)
    if not added(feed):  # another made one at this same moment: this newer one replaces it
        revoke_feed(user, cohort)
        db.session.add(feed)
        db.session.flush()
    return feed, token


def revoke_feed(user: User, cohort: Cohort) -> bool:
    """Stop the person's link for the cohort. True when there was one. Flushes."""
    gone = db.session.execute(delete(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.cohort_id == cohort.id)).rowcount
    db.session.flush()
    return bool(gone)


def feed_for_token(token: str) -> tuple[CalendarFeed, Membership] | None:
    """The feed and the membership it serves, while the person is still in the cohort as a
    learner or facilitator of a paced cohort; None otherwise."""
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == hash_secret(token)))
    if feed is None:
        return None
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == feed.user_id, Membership.cohort_id == feed.cohort_id,
        Membership.removed_at.is_(None), Membership.role.in_(FEED_ROLES)))
    user = db.session.get(User, feed.user_id)
    if membership is None or user is None or not user.is_active:
        return None
    return feed, membership


def _summary(item: CalendarItem, facilitator: bool) -> str:
    title = item.etivity.title if item.etivity else ""
    if item.kind == CalendarKind.STAGE_OPENS:
        return item.text.removesuffix(".")
    if item.kind == CalendarKind.FIRST_POSTS:
        return (f"First posts suggested: {title}" if facilitator
                else f"Suggested day for your first post: {title}")
    if item.kind == CalendarKind.REPLIES:
        return (f"Replies suggested: {title}" if facilitator
                else f"Suggested day to reply to others: {title}")
    return f"E-moderating: {title}"


def _link(cohort: Cohort, item: CalendarItem) -> str:
    if item.etivity is None:
        return mail.absolute(f"/cohorts/{cohort.id}")
    return mail.absolute(f"/cohorts/{cohort.id}/e/{item.etivity.slug}")


def _uid(cohort: Cohort, item: CalendarItem) -> str:
    """The same event keeps its UID when the cohort's dates move, so calendars move it."""
    which = item.etivity.id if item.etivity else 0
    if item.kind == CalendarKind.MODERATOR:  # several an e-tivity: told apart by their note
        which = f"{which}-{hashlib.sha256(item.text.encode()).hexdigest()[:12]}"
    return f"cohort-{cohort.id}-{item.kind.value}-{item.stage}-{which}"


def _learner_days(cohort: Cohort, user_id: int, today: date) -> dict[int, date]:
    """The day each stage opened (or will open) for one learner, as their map has it: an
    open stage from when it opened for them (never before they joined, `standing`); a
    locked one on its release date, while that is still to come (after it, it opens when
    they finish the stage before: no date to give)."""
    standing = learner_progress(cohort, user_id, today)
    days = dict(standing.opened_on)
    for number, status in standing.stages.items():
        if not status.open and status.opens_on is not None and status.opens_on >= today:
            days[number] = status.opens_on
    return days


def ical(cohort: Cohort, membership: Membership, now: datetime) -> bytes:
    """The cohort's calendar as iCalendar, as the person's role sees it: a facilitator's
    has the cohort's days, a learner's their own (the days their map shows)."""
    facilitator = membership.role == MemberRole.FACILITATOR
    opened_on = None if facilitator else _learner_days(cohort, membership.user_id, now.date())
    calendar = Calendar()
    calendar.add("prodid", "-//course_app//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{cohort.name}: {cohort.course.title}")
    host = mail.absolute("").split("//", 1)[-1].split("/", 1)[0].split(":")[0] or "course-app"
    for item in calendar_items(cohort, opened_on=opened_on):
        if not facilitator and item.kind not in LEARNER_KINDS:
            continue
        event = Event()
        event.add("uid", f"{_uid(cohort, item)}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", _summary(item, facilitator))
        link = _link(cohort, item)
        event.add("description", f"{item.text}\n\n{link}" if facilitator else link)
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
