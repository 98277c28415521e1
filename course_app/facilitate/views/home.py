"""The facilitator's home (my cohorts and what needs me in each) and a cohort's page (its
e-moderation queue in full, its key and state, and the way to every tool)."""

from dataclasses import dataclass, field

from flask import render_template
from flask_login import current_user, login_required

from ...clock import utcnow
from ...cohorts.models import Cohort
from .. import bp, people
from ..calendar import CalendarItem, calendar_items
from ..cohort_admin import STATE_WORDS, TRANSITIONS
from ..queue import Queue, queue
from .cohort_admin import STATE_ACTIONS
from .common import facilitated, not_staff


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
        today=now.date(),
    )
