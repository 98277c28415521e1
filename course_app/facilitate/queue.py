"""The e-moderation queue: what needs a facilitator now in a cohort. Read-only; it comes
from a fixed number of queries whatever the cohort's size."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..cohorts.models import Cohort, Membership
from ..discussions.models import Post, Thread, ThreadKind
from ..discussions.queries import unanswered_condition
from ..extensions import db
from ..paging import ListPagination, paginate
from ..progress import standing as progress
from ..rendering import plural
from .people import learners_of


@dataclass(frozen=True)
class Waiting:
    """A learner (or a thread) waiting for the facilitator, and since when."""

    user: User
    since: datetime | date | None
    detail: str
    thread: Thread | None = None
    stage: int | None = None
    post_id: int | None = None  # the thread's opening post, to link straight to it


@dataclass
class Queue:
    # Its four lists, in the order the pages show them (the cohort page, "See all").
    KINDS: ClassVar[tuple[str, ...]] = ("unanswered", "silent", "stuck", "observers")

    unanswered: list[Waiting]
    silent: list[Waiting]
    stuck: list[Waiting]
    observers: list[Waiting]
    # How many active learners stand in each stage now (their current stage): the page shows
    # those stages' e-moderator notes beside the queue.
    stages_now: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.unanswered) + len(self.silent) + len(self.stuck) + len(self.observers)


def _last_posts(cohort: Cohort) -> dict[int, datetime]:
    return dict(db.session.execute(
        select(Post.author_id, func.max(Post.created_at)).join(Thread)
        .where(Thread.cohort_id == cohort.id).group_by(Post.author_id)
    ).all())


def _unanswered_query(cohort: Cohort):
    """Conversation pieces by active learners that are unanswered (the one rule in
    discussions.queries), oldest first, with their authors."""
    return (select(Thread).join(Membership, Membership.user_id == Thread.author_id)
            .options(joinedload(Thread.author))
            .where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.PIECE,
                   Membership.active_learners(cohort.id), unanswered_condition())
            .order_by(Thread.created_at, Thread.id))


def _waiting_threads(threads: list[Thread]) -> list[Waiting]:
    if not threads:
        return []
    opening = dict(db.session.execute(
        select(Post.thread_id, func.min(Post.id))
        .where(Post.thread_id.in_([t.id for t in threads])).group_by(Post.thread_id)
    ).all())
    return [Waiting(t.author, t.created_at, t.title, thread=t, post_id=opening.get(t.id))
            for t in threads]


def _unanswered(cohort: Cohort) -> list[Waiting]:
    return _waiting_threads(list(db.session.scalars(_unanswered_query(cohort))))


def queue(cohort: Cohort, now: datetime) -> Queue:
    today = now.date()
    learners = learners_of(cohort)
    standings = progress.cohort_progress(cohort, today, set(learners))
    last_posts = _last_posts(cohort)
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    silent, stuck, observers = [], [], []
    quiet_since = now - timedelta(days=cohort.silent_days)
    stages_now: Counter[int] = Counter()
    for user_id, (user, membership) in sorted(learners.items(), key=lambda kv: kv[1][0].name):
        standing = standings[user_id]
        stages_now[standing.current_stage] += 1
        last = last_posts.get(user_id)
        if (last or membership.joined_at) < quiet_since:
            silent.append(Waiting(user, last or membership.joined_at,
                                  "joined, no posts yet" if last is None else "last post"))
        if progress.is_stuck(standing, suggested, today):
            number = standing.current_stage
            stuck.append(Waiting(user, standing.opened_on.get(number), f"in stage {number} since",
                                 stage=number))
        totals = standing.totals
        if totals.observe and not totals.interact and not totals.initiate:
            observers.append(Waiting(user, standing.last_activity_at,
                                     f"read {plural(totals.observe, 'peer’s post', 'peers’ posts')}"
                                     ", no replies or conversations yet"))
    return Queue(_unanswered(cohort), _longest_first(silent), _longest_first(stuck),
                 _longest_first(observers), dict(sorted(stages_now.items())))


def waiting_page(cohort: Cohort, kind: str, now: datetime, page: int | None,
                 per_page: int) -> Pagination:
    """A page of one list of the queue (Queue.KINDS). The unanswered conversations are paged
    in SQL, so the page costs the same however many there are; the other three lists need
    every learner's standing, as the queue does."""
    if kind != "unanswered":
        return ListPagination(getattr(queue(cohort, now), kind), page, per_page)
    result = paginate(_unanswered_query(cohort), page, per_page)
    result.items = _waiting_threads(result.items)
    return result


def _longest_first(waiting: list[Waiting]) -> list[Waiting]:
    """Who has waited longest first (the cohort page shows the first few); those with no date
    last; by name where the dates are the same."""
    return sorted(waiting, key=lambda w: (w.since is None, w.since or 0))
