"""The digest (daily or weekly, 08:00 in the person's time zone) and the facilitators' morning
"what needs you today": who is due, and the emails themselves. Nothing is sent when there is
nothing new; each is keyed by person and day, so it goes once however often it is asked."""

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import func, select

from .. import mail
from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..discussions.models import Post, Thread
from ..discussions.queries import shown
from ..discussions.reading import post_path
from ..extensions import db
from ..facilitate.calendar import calendar_items
from ..facilitate.queue import queue as moderation_queue
from ..jobs.sending import send_once
from ..notifications.models import Notification
from ..progress.rules import EtivityState
from ..progress.standing import learner_progress
from ..rendering import day_month, long_date, plain_words, render_markdown
from . import preferences
from .models import Delivery, DigestEvery, EmailPreference
from .notices import email_for, usable

SEND_HOUR = 8  # local time
PERIOD = {DigestEvery.DAILY: timedelta(days=1), DigestEvery.WEEKLY: timedelta(days=7)}


def _live_members(role: MemberRole):
    """(user id, cohort id) of the role's current members of live cohorts (Cohort.accepts_posts)."""
    return (select(Membership.user_id, Membership.cohort_id)
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Membership.role == role, Membership.removed_at.is_(None),
                   Cohort.live_condition()))


def _due(user_ids, wanted: Callable) -> Iterator[tuple[int, EmailPreference]]:
    """Each person whose choices (one query for all; the defaults when none) want it."""
    ids = sorted(set(user_ids))
    chosen = {p.user_id: p for p in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id.in_(ids)))} if ids else {}
    for user_id in ids:
        preference = chosen.get(user_id) or preferences.defaults(user_id)
        if wanted(preference):
            yield user_id, preference


def due_digests(now: datetime, any_hour: bool = False) -> Iterator[tuple[int, date]]:
    """(person, their local day) for learners whose digest is due this hour (any_hour:
    today, whatever the hour and weekday)."""
    learners = [uid for uid, _ in db.session.execute(_live_members(MemberRole.LEARNER))]
    for user_id, preference in _due(learners, lambda p: p.digest != DigestEvery.NEVER):
        local = preferences.local_time(preference, now)
        if any_hour or (local.hour == SEND_HOUR and (preference.digest == DigestEvery.DAILY
                                                     or local.weekday() == 0)):
            yield user_id, local.date()


def due_mornings(now: datetime, any_hour: bool = False) -> Iterator[tuple[int, date]]:
    """(facilitator, their local day) for the morning email due this hour."""
    staff = [uid for uid, _ in db.session.execute(_live_members(MemberRole.FACILITATOR))]
    for user_id, preference in _due(staff, lambda p: p.morning):
        local = preferences.local_time(preference, now)
        if any_hour or local.hour == SEND_HOUR:
            yield user_id, local.date()


def _cohorts(user_id: int, role: MemberRole) -> list[Cohort]:
    ids = [cid for _uid, cid in db.session.execute(
        _live_members(role).where(Membership.user_id == user_id))]
    return [db.session.get(Cohort, cid) for cid in sorted(ids)]


def _collected_notices(user: User, since: datetime) -> list[tuple[Notification, str]]:
    preference = preferences.of(user.id)
    rows = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.created_at > since)
        .order_by(Notification.created_at)).all()
    return [(n, mail.absolute(n.link or "/notifications")) for n in rows
            if preferences.delivery_for(preference, n.kind) == Delivery.DIGEST
            and usable(n) is not None]


def _cohort_news(cohort: Cohort, user: User, since: datetime, today: date) -> dict:
    standing = learner_progress(cohort, user.id, today)
    open_ids = [p.etivity.id for p in standing.etivities if p.state != EtivityState.LOCKED]
    rows = db.session.execute(
        select(Etivity.title, Etivity.slug, func.count(Post.id))
        .join(Thread, Thread.etivity_id == Etivity.id).join(Post, Post.thread_id == Thread.id)
        .where(Thread.cohort_id == cohort.id, Etivity.id.in_(open_ids),
               Post.created_at > since, Post.author_id != user.id, shown())
        .group_by(Etivity.id, Etivity.title, Etivity.slug).order_by(Etivity.title)).all() \
        if open_ids else []
    step = standing.next_step
    return dict(cohort=cohort, new=[(title, n, mail.absolute(f"/cohorts/{cohort.id}/e/{slug}"))
                                    for title, slug, n in rows],
                next=(step.etivity.title, mail.absolute(
                    f"/cohorts/{cohort.id}/e/{step.etivity.slug}")) if step else None)


def digest_email(user: User, since: datetime, day: date, every: DigestEvery
                 ) -> mail.Outgoing | None:
    notices = _collected_notices(user, since)
    news = [_cohort_news(c, user, since, day) for c in _cohorts(user.id, MemberRole.LEARNER)]
    if not notices and not any(n["new"] for n in news):
        return None
    return email_for(user, "digest", f"Your {every.value} course digest: {long_date(day)}",
                     "digest", f"digest:{user.id}:{day}", notices=notices, news=news,
                     every=every, day=day)


def send_digest(user_id: int, day: date, now: datetime) -> bool:
    user = db.session.get(User, user_id)
    preference = preferences.of(user_id)
    if user is None or not user.is_active or preference.digest == DigestEvery.NEVER:
        return False
    since = preference.last_digest_at or now - PERIOD[preference.digest]
    outgoing = digest_email(user, since, day, preference.digest)
    if outgoing is None or not send_once(outgoing):
        return False
    preferences.stored(user_id).last_digest_at = now
    db.session.commit()
    return True


LIST_MAX = 10  # people per list in the morning email; the rest are on the queue page


def _listed(heading: str, lines: list[tuple], more_link: str):
    """(heading, [(text, link or None, HTML or None)]), or None when there are no lines."""
    lines = [(*line, None)[:3] for line in lines]
    if len(lines) > LIST_MAX:
        lines = [*lines[:LIST_MAX], (f"and {len(lines) - LIST_MAX} more", more_link, None)]
    return (heading, lines) if lines else None


def _who_since(waiting, zone: ZoneInfo) -> str:
    """"Eve Walsh (last post 21 November)", as the queue page says it: a moment (a last post)
    on the reader's own calendar, a day (a stage's opening) as it is."""
    when = waiting.since
    if isinstance(when, datetime):
        when = when.astimezone(zone).date()
    since = f" {day_month(when)}" if when else ""
    return f"{waiting.user.name} ({waiting.detail}{since})"


def _calendar_line(cohort: Cohort, item) -> tuple:
    """A day's item of the calendar (facilitate/calendar.py) as the email lists it: which
    e-tivity it is about, linked, then the note (Markdown: plain words in the text part, HTML
    in the other), so "is pinned here" has a "here"."""
    note = plain_words(item.text)
    if item.etivity is None:
        return (note, None, render_markdown(item.text))
    link = mail.absolute(f"/cohorts/{cohort.id}/e/{item.etivity.slug}")
    title = item.etivity.title
    html = Markup('<a href="{}">{}</a>: ').format(link, title) + render_markdown(item.text)
    return (f"{title}: {note}", link, html)


def _morning_sections(cohort: Cohort, day: date, now: datetime, zone: ZoneInfo) -> list:
    waiting = moderation_queue(cohort, now)
    queue_link = mail.absolute(f"/facilitate/cohorts/{cohort.id}")
    unanswered = [(f"{w.user.name}: “{w.detail}”", mail.absolute(
        post_path(cohort.id, w.thread.id, w.post_id) if w.post_id
        else f"/cohorts/{cohort.id}/threads/{w.thread.id}")) for w in waiting.unanswered]
    silent = [(_who_since(w, zone), None) for w in waiting.silent]
    stuck = [(_who_since(w, zone), None) for w in waiting.stuck]
    items = [_calendar_line(cohort, item) for item in calendar_items(cohort, on=day)]
    sections = [_listed("First posts with no reply yet", unanswered, queue_link),
                _listed("Silent learners", silent, queue_link),
                _listed("Stuck learners", stuck, queue_link),
                _listed("Today's calendar", items, queue_link)]
    return [s for s in sections if s]


def morning_email(user: User, day: date, now: datetime) -> mail.Outgoing | None:
    cohorts = []
    zone = preferences.zone(preferences.of(user.id))
    for cohort in _cohorts(user.id, MemberRole.FACILITATOR):
        sections = _morning_sections(cohort, day, now, zone)
        if sections:
            cohorts.append(dict(cohort=cohort, sections=sections,
                                link=mail.absolute(f"/facilitate/cohorts/{cohort.id}")))
    if not cohorts:
        return None
    return email_for(user, "morning", f"What needs you today, {long_date(day)}", "morning",
                     f"morning:{user.id}:{day}", cohorts=cohorts, day=day)


def send_morning(user_id: int, day: date, now: datetime) -> bool:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not preferences.of(user_id).morning:
        return False
    outgoing = morning_email(user, day, now)
    return outgoing is not None and send_once(outgoing)
