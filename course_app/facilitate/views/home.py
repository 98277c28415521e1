"""The facilitator's home (my cohorts and what needs me in each), a cohort's page (the first
few of each list of its e-moderation queue, its key and state, and the way to every tool),
and each list of the queue in full, a page at a time."""

from dataclasses import dataclass, field

from flask import abort, render_template
from flask_login import current_user, login_required

from ...clock import utcnow
from ...cohorts.models import Cohort
from ...inputs import page_arg
from ...paging import ListPagination
from .. import bp, people
from ..calendar import CalendarItem, calendar_items
from ..cohort_admin import STATE_WORDS, TRANSITIONS
from ..queue import Queue, queue
from .cohort_admin import STATE_ACTIONS
from .common import facilitated, not_staff

QUEUE_SHOWN = 10  # of each list on the cohort's page; "See all" pages through the rest
WAITING_PER_PAGE = 25


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    learners: int
    queue: Queue | None  # None for closed and archived cohorts: nobody can post there
    today: list[CalendarItem] = field(default_factory=list)  # the calendar's items for today


@bp.get("/")
@login_required
def home():
    if not current_user.is_staff:
        return not_staff()
    now = utcnow()
    cohorts = people.facilitated_by(current_user)
    counts = people.learner_counts([c.id for c in cohorts])
    rows = [CohortRow(c, counts.get(c.id, 0), queue(c, now) if c.accepts_posts else None,
                      calendar_items(c, on=now.date()) if c.accepts_posts else [])
            for c in cohorts]
    return render_template(
        "facilitate/home.html", live=[r for r in rows if r.queue is not None],
        finished=[r for r in rows if r.queue is None], state_words=STATE_WORDS)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort(cohort_id: int):
    cohort = facilitated(cohort_id)
    now = utcnow()
    return render_template(
        "facilitate/cohort.html", cohort=cohort, queue=queue(cohort, now),
        learners=people.learner_counts([cohort.id]).get(cohort.id, 0), state_words=STATE_WORDS,
        actions=[STATE_ACTIONS[(cohort.state, to)] for to in TRANSITIONS[cohort.state]],
        today=now.date(), shown=QUEUE_SHOWN,
    )


@bp.get("/cohorts/<int:cohort_id>/waiting/<kind>")
@login_required
def waiting(cohort_id: int, kind: str):
    """One list of the queue (Queue.KINDS) in full, a page at a time."""
    cohort = facilitated(cohort_id)
    if kind not in Queue.KINDS:
        abort(404)
    rows = getattr(queue(cohort, utcnow()), kind)
    page = ListPagination(rows, page_arg(), WAITING_PER_PAGE)
    return render_template("facilitate/waiting.html", cohort=cohort, kind=kind, page=page)
