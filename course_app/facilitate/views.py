"""The facilitator's home (my cohorts and what needs me in each) and a cohort's page (its
e-moderation queue in full, its key and state, and the way to every tool)."""

from dataclasses import dataclass

from flask import render_template
from flask_login import current_user, login_required

from ..clock import utcnow
from ..cohorts.models import Cohort, CohortState
from ..permissions import can_facilitate, cohort_or_404
from . import bp, queries
from .manage import STATE_ACTIONS, not_staff
from .services import STATE_WORDS, TRANSITIONS

# Cohorts whose learners can still post: their queue is worth working through.
LIVE = (CohortState.OPEN, CohortState.RUNNING)


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    learners: int
    queue: queries.Queue | None  # None for closed and archived cohorts


@bp.get("/")
@login_required
def home():
    if not current_user.is_staff:
        return not_staff()
    now = utcnow()
    cohorts = queries.facilitated_by(current_user)
    counts = queries.learner_counts([c.id for c in cohorts])
    rows = [CohortRow(c, counts.get(c.id, 0), queries.queue(c, now) if c.state in LIVE else None)
            for c in cohorts]
    return render_template(
        "facilitate/home.html", live=[r for r in rows if r.queue is not None],
        finished=[r for r in rows if r.queue is None], state_words=STATE_WORDS)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort(cohort_id: int):
    cohort = cohort_or_404(cohort_id, allowed=can_facilitate)
    now = utcnow()
    learners = queries.learner_counts([cohort.id]).get(cohort.id, 0)
    return render_template(
        "facilitate/cohort.html", cohort=cohort, queue=queries.queue(cohort, now),
        learners=learners, state_words=STATE_WORDS,
        actions=[STATE_ACTIONS[(cohort.state, to)] for to in TRANSITIONS[cohort.state]],
        today=now.date(),
    )
