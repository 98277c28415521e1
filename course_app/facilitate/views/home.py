"""The facilitator's home (my cohorts and what needs me in each, then the newest closed ones),
the closed and archived cohorts in full, a cohort's page (the first few of each list of its
e-moderation queue, its key and state, and the way to every tool), and each list of the queue
in full, a page at a time."""

from dataclasses import dataclass, field

from flask import abort, render_template
from flask_login import current_user, login_required

from ...clock import utcnow
from ...cohorts.models import Cohort
from ...inputs import page_arg
from ...paging import paginate
from .. import bp, people
from ..calendar import CalendarItem, calendar_items
from ..cohort_admin import STATE_WORDS, TRANSITIONS
from ..queue import Queue, queue, waiting_page
from .cohort_admin import STATE_ACTIONS
from .common import facilitated, not_staff

HOME_PER_PAGE = 10  # live cohorts on the home page, each with its queue
FINISHED_SHOWN = 10  # closed and archived ones below them; "See all" pages through the rest
FINISHED_PER_PAGE = 25
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
    # Each live cohort's queue is worked out for its card: a page of them at a time, so an
    # admin who sees every cohort waits for ten, not for all.
    live = paginate(people.facilitated_by(current_user, live=True), page_arg(), HOME_PER_PAGE)
    finished = paginate(people.facilitated_by(current_user, live=False), 1, FINISHED_SHOWN)
    counts = people.learner_counts([c.id for c in [*live.items, *finished.items]])
    return render_template(
        "facilitate/home.html", live_page=live, state_words=STATE_WORDS,
        live=[CohortRow(c, counts.get(c.id, 0), queue(c, now), calendar_items(c, on=now.date()))
              for c in live.items],
        finished=_closed_rows(finished.items, counts), finished_total=finished.total)


@bp.get("/cohorts/finished")
@login_required
def finished():
    """The closed and archived cohorts a person ran (every one, for an admin), newest first,
    a page at a time."""
    if not current_user.is_staff:
        return not_staff()
    page = paginate(people.facilitated_by(current_user, live=False), page_arg(),
                    FINISHED_PER_PAGE)
    counts = people.learner_counts([c.id for c in page.items])
    return render_template("facilitate/finished.html", page=page, state_words=STATE_WORDS,
                           rows=_closed_rows(page.items, counts))


def _closed_rows(cohorts: list[Cohort], counts: dict[int, int]) -> list[CohortRow]:
    """Closed and archived cohorts as the lists show them: no queue (nobody can post)."""
    return [CohortRow(c, counts.get(c.id, 0), None) for c in cohorts]


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
    page = waiting_page(cohort, kind, utcnow(), page_arg(), WAITING_PER_PAGE)
    return render_template("facilitate/waiting.html", cohort=cohort, kind=kind, page=page)
