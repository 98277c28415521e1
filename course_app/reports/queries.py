"""Progress reports. Every figure comes from progress.standing.cohort_progress, the same code
the learner's own page and the API use, and each report runs a fixed number of queries
whatever the cohort's size."""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Course, Etivity
from ..discussions.models import Post, Thread, ThreadKind
from ..discussions.queries import is_answer, unanswered_condition
from ..discussions.reading import post_path
from ..extensions import db
from ..progress import rules
from ..progress.models import Activity, Completion, Mode
from ..progress.rules import Counts, Level
from ..progress.standing import (
    EtivityProgress,
    LearnerProgress,
    Week,
    cohort_progress,
    is_stuck,
    weekly_profile,
)
from ..rendering import plural

RISK_STUCK = "stuck"
RISK_INACTIVE = "inactive"


@dataclass
class LearnerRow:
    user: User
    standing: LearnerProgress
    level: Level
    reached: int  # the highest stage open to them
    completed_course: bool
    joined_at: datetime
    last_activity_at: datetime | None
    inactive_days: int  # days since their last activity (or since joining)
    stuck: bool
    risks: tuple[str, ...] = ()

    @property
    def at_risk(self) -> bool:
        return bool(self.risks)

    def cell(self, etivity_id: int) -> EtivityProgress | None:
        return self._cells.get(etivity_id)

    @cached_property
    def _cells(self) -> dict[int, EtivityProgress]:
        """Made when a page draws the row (the grid asks for every cell), not for exports."""
        return {p.etivity.id: p for p in self.standing.etivities}


@dataclass
class Summary:
    enrolled: int
    active_this_week: int
    reached: dict[int, int]  # stage → learners who reached it
    completed: int
    at_risk: int


@dataclass
class Dashboard:
    cohort: Cohort
    generated_at: datetime
    stages: list  # the course's Stage rows
    etivities: list[Etivity]
    rows: list[LearnerRow]
    summary: Summary = field(init=False)

    def __post_init__(self):
        self.summary = summarise(self.rows)

    def etivities_in(self, number: int) -> list[Etivity]:
        return [e for e in self.etivities if e.stage_number == number]

    @property
    def grid_stages(self) -> list:
        """The stages the grid draws: those with an e-tivity, in order."""
        numbers = {e.stage_number for e in self.etivities}
        return [s for s in self.stages if s.number in numbers]

    def columns(self, stages) -> list[tuple[Etivity, bool]]:
        """The grid's e-tivity columns for these stages, in order: (e-tivity, whether it is
        the first of its stage), worked out once for all the rows."""
        return [(e, i == 0) for stage in stages
                for i, e in enumerate(self.etivities_in(stage.number))]


def summarise(rows: list[LearnerRow]) -> Summary:
    return Summary(
        enrolled=len(rows),
        active_this_week=sum(1 for r in rows if r.inactive_days < 7 and r.last_activity_at),
        reached={n: sum(1 for r in rows if r.reached >= n) for n in rules.STAGES},
        completed=sum(1 for r in rows if r.completed_course),
        at_risk=sum(1 for r in rows if r.at_risk),
    )


def _learners(cohort: Cohort, only: int | None = None) -> list[tuple[User, Membership]]:
    query = (select(User, Membership).join(Membership, Membership.user_id == User.id)
             .where(Membership.active_learners(cohort.id)).order_by(User.name))
    if only is not None:
        query = query.where(User.id == only)
    return list(db.session.execute(query).all())


def dashboard(cohort: Cohort, now: datetime, only: int | None = None) -> Dashboard:
    """Learners × e-tivities with each one's standing, level and risks; `only` a user id for
    that learner's row alone (their report), at a cost that does not grow with the cohort."""
    today = now.date()
    learners = _learners(cohort, only)
    standings = cohort_progress(cohort, today, {u.id for u, _ in learners})
    stages = list(cohort.course.stages)
    suggested = {s.number: s.suggested_days for s in stages}
    rows = []
    for user, membership in learners:
        standing = standings[user.id]
        last = standing.last_activity_at
        inactive = (now - (last or membership.joined_at)).days
        stuck = is_stuck(standing, suggested, today)
        risks = tuple(r for r, on in ((RISK_STUCK, stuck),
                                      (RISK_INACTIVE, inactive >= cohort.silent_days)) if on)
        rows.append(LearnerRow(
            user=user, standing=standing,
            level=rules.participation_level(standing.totals),
            reached=standing.current_stage,
            completed_course=all(standing.stage_finished(n) for n in rules.STAGES),
            joined_at=membership.joined_at, last_activity_at=last, inactive_days=inactive,
            stuck=stuck, risks=risks,
        ))
    return Dashboard(cohort, now, stages, cohort.course.active_etivities, rows)


# ---- filtering and sorting the grid ------------------------------------------------------

STATUS_FILTERS = {
    "stuck": "stuck in their stage",
    "at-risk": "at risk (stuck or inactive)",
    "completed": "finished the course",
    "on-track": "on track",
}
SORTS = {
    "name": "name",
    "stage": "stage reached",
    "activity": "last activity",
    "level": "participation level",
}
_LEVEL_ORDER = {Level.OBSERVER: 0, Level.INTERACTOR: 1, Level.INITIATOR: 2}


def filter_rows(rows: list[LearnerRow], *, stage: int | None = None, status: str | None = None,
                level: str | None = None, inactive_days: int | None = None) -> list[LearnerRow]:
    """`stage`: their current stage; `status`: a key of STATUS_FILTERS; `level`: observer,
    interactor or initiator; `inactive_days`: no activity for at least that many days."""
    def keep(row: LearnerRow) -> bool:
        if stage is not None and row.standing.current_stage != stage:
            return False
        if level and row.level.value != level:
            return False
        if inactive_days is not None and row.inactive_days < inactive_days:
            return False
        if status == "stuck" and not row.stuck:
            return False
        if status == "at-risk" and not row.at_risk:
            return False
        if status == "completed" and not row.completed_course:
            return False
        if status == "on-track" and (row.at_risk or row.completed_course):
            return False
        return True
    return [r for r in rows if keep(r)]


def sort_rows(rows: list[LearnerRow], key: str = "name", descending: bool = False
              ) -> list[LearnerRow]:
    epoch = datetime.min.replace(tzinfo=None)
    keys = {
        "name": lambda r: r.user.name.lower(),
        "stage": lambda r: (r.standing.current_stage, r.user.name.lower()),
        "activity": lambda r: (r.last_activity_at.replace(tzinfo=None) if r.last_activity_at
                               else epoch),
        "level": lambda r: (_LEVEL_ORDER[r.level], r.user.name.lower()),
    }
    return sorted(rows, key=keys.get(key, keys["name"]), reverse=descending)


# ---- charts' data --------------------------------------------------------------------------

def funnel(rows: list[LearnerRow]) -> list[tuple[int, int]]:
    """(stage, learners who reached it) for the five stages."""
    reached = summarise(rows).reached
    return [(n, reached[n]) for n in rules.STAGES]


def weekly(cohort: Cohort, today: date) -> list[Week]:
    """The cohort's observe, interact and initiate events per week."""
    return weekly_profile(cohort.id, None, today)


# ---- one learner ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # "started", "replied", "read", "completed", "completed-by-hand"
    text: str
    link: str = ""


@dataclass
class LearnerReport:
    user: User
    row: LearnerRow
    timeline: list[TimelineEvent]
    posts: list[tuple[Post, Thread]]
    levels: dict[int, Level | None]  # participation level per stage; None: not open yet


def learner_report(cohort: Cohort, user: User, now: datetime) -> LearnerReport | None:
    board = dashboard(cohort, now, only=user.id)
    if not board.rows:  # not an active learner of the cohort
        return None
    row = board.rows[0]
    posts = list(db.session.execute(
        select(Post, Thread).join(Thread).where(Thread.cohort_id == cohort.id,
                                                Post.author_id == user.id)
        .order_by(Post.created_at.desc())
    ).all())
    events = []
    for post, thread in posts:
        link = post_path(cohort.id, thread.id, post.id)
        if post.parent_id is None:
            events.append(TimelineEvent(post.created_at, "started", f"Started “{thread.title}”",
                                        link))
        else:
            events.append(TimelineEvent(post.created_at, "replied",
                                        f"Replied in “{thread.title}”", link))
    titles = {e.id: e.title for e in cohort.course.etivities}
    reads: Counter = Counter()
    for etivity_id, at in db.session.execute(
        select(Activity.etivity_id, Activity.created_at).where(
            Activity.cohort_id == cohort.id, Activity.user_id == user.id,
            Activity.kind == Mode.OBSERVE)
    ):
        reads[(at.date(), etivity_id)] += 1
    for (day, etivity_id), n in reads.items():
        at = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo)
        events.append(TimelineEvent(at, "read", f"Read {plural(n, 'peer’s post', 'peers’ posts')}"
                                    f" in “{titles.get(etivity_id, '?')}”"))
    for completion in db.session.scalars(select(Completion).where(
            Completion.cohort_id == cohort.id, Completion.user_id == user.id)):
        kind = "completed-by-hand" if completion.by_hand_by_id else "completed"
        suffix = " (marked complete by a facilitator)" if completion.by_hand_by_id else ""
        events.append(TimelineEvent(completion.completed_at, kind,
                                    f"Completed “{titles.get(completion.etivity_id, '?')}”"
                                    f"{suffix}"))
    events.sort(key=lambda e: e.at, reverse=True)
    levels: dict[int, Level | None] = {}
    for number in rules.STAGES:
        if not row.standing.stages[number].open:  # no level where they couldn't take part yet
            levels[number] = None
            continue
        items = row.standing.in_stage(number)
        totals = Counts(sum(p.counts.observe for p in items), sum(p.counts.interact for p in items),
                        sum(p.counts.initiate for p in items))
        levels[number] = rules.participation_level(totals)
    return LearnerReport(user, row, events, posts, levels)


# ---- one e-tivity --------------------------------------------------------------------------

@dataclass
class EtivityReport:
    etivity: Etivity
    participants: int  # learners with any evidence here
    completed: int
    threads: int
    posts: int
    replies: int
    reply_pairs: int  # distinct (who replied, to whom)
    unanswered: list[Thread]
    median_first_reply: timedelta | None


def etivity_report(cohort: Cohort, etivity: Etivity) -> EtivityReport:
    parent = aliased(Post)
    rows = db.session.execute(
        select(Post, Thread, parent.author_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(parent, Post.parent_id == parent.id)
        .where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
               Thread.kind == ThreadKind.PIECE, Post.hidden_at.is_(None),
               Post.deleted_at.is_(None))
        .order_by(Post.created_at)
    ).all()
    threads: dict[int, Thread] = {}
    pairs = set()
    replies = 0
    for post, thread, parent_author in rows:
        threads[thread.id] = thread
        if post.parent_id is not None:
            replies += 1
            if parent_author is not None and parent_author != post.author_id:
                pairs.add((post.author_id, parent_author))
    pieces = (Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
              Thread.kind == ThreadKind.PIECE)
    first_reply: dict[int, datetime] = dict(db.session.execute(
        select(Thread.id, db.func.min(Post.created_at)).join(Post, Post.thread_id == Thread.id)
        .where(*pieces, is_answer()).group_by(Thread.id)
    ).all())
    unanswered = set(db.session.scalars(select(Thread.id).where(*pieces, unanswered_condition())))
    waits = [(first_reply[t] - threads[t].created_at).total_seconds() for t in first_reply]
    participants = db.session.scalar(
        select(db.func.count(db.distinct(Activity.user_id))).where(
            Activity.cohort_id == cohort.id, Activity.etivity_id == etivity.id)) or 0
    completed = db.session.scalar(
        select(db.func.count(Completion.id)).where(
            Completion.cohort_id == cohort.id, Completion.etivity_id == etivity.id)) or 0
    return EtivityReport(
        etivity=etivity, participants=participants, completed=completed, threads=len(threads),
        posts=len(rows), replies=replies, reply_pairs=len(pairs),
        unanswered=[t for t in threads.values() if t.id in unanswered],
        median_first_reply=timedelta(seconds=statistics.median(waits)) if waits else None,
    )


# ---- across cohorts ------------------------------------------------------------------------

@dataclass
class CohortFigures:
    cohort: Cohort
    summary: Summary
    funnel: list[tuple[int, int]]


def across_cohorts(course: Course, cohorts: list[Cohort], now: datetime) -> list[CohortFigures]:
    """The funnel and completion figures of several cohorts of one course, side by side."""
    out = []
    for cohort in cohorts:
        if cohort.course_id != course.id:
            continue
        rows = dashboard(cohort, now).rows
        out.append(CohortFigures(cohort, summarise(rows), funnel(rows)))
    return out


def reviewable(user: User, course: Course | None = None):
    """Cohorts whose reports this person may read, newest first (a query, to page through):
    facilitator or reviewer (admins: all); only `course`'s when given."""
    query = select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if course is not None:
        query = query.where(Cohort.course_id == course.id)
    if user.is_admin:
        return query
    return query.join(Membership, Membership.cohort_id == Cohort.id).where(
        Membership.user_id == user.id, Membership.removed_at.is_(None),
        Membership.role.in_([MemberRole.FACILITATOR, MemberRole.REVIEWER]))

