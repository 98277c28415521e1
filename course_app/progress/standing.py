"""Reading a learner's standing: counts, completions and open stages, in a fixed number of
queries however many learners a cohort has.

Views, reports, the API and the CLI read standing through `cohort_progress` (or
`learner_progress` for one learner); `evidence.py` writes what this reads.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, or_, select

from ..cohorts.models import Cohort, Membership
from ..courses.models import Etivity
from ..extensions import db
from . import rules
from .counts import monday
from .models import ActivityCount, ActivityWeek, Completion, Override
from .rules import Counts, EtivityState, StageStatus


def learner_ids(cohort_id: int) -> set[int]:
    """The cohort's active learners: whose standing a cohort's reports show."""
    return set(db.session.scalars(
        select(Membership.user_id).where(Membership.active_learners(cohort_id))))


def _count_query(cohort_id: int):
    """The counts table's rows for a cohort: (user, e-tivity, observe, interact, initiate),
    as `evidence` keeps them."""
    return select(
        ActivityCount.user_id, ActivityCount.etivity_id, ActivityCount.observe,
        ActivityCount.interact, ActivityCount.initiate,
    ).where(ActivityCount.cohort_id == cohort_id)


def counts_for(cohort_id: int, user_id: int | None = None) -> dict[tuple[int, int], Counts]:
    """{(user id, e-tivity id): Counts}. Interact counts different peers, not replies."""
    query = _count_query(cohort_id)
    if user_id is not None:
        query = query.where(ActivityCount.user_id == user_id)
    return {(u, e): Counts(o, i, n) for u, e, o, i, n in db.session.execute(query)}


def etivity_counts(cohort_ids: list[int], etivity_id: int) -> dict[tuple[int, int], Counts]:
    """{(cohort id, user id): Counts} of one e-tivity across cohorts, in one query."""
    query = select(
        ActivityCount.cohort_id, ActivityCount.user_id, ActivityCount.observe,
        ActivityCount.interact, ActivityCount.initiate,
    ).where(ActivityCount.cohort_id.in_(cohort_ids), ActivityCount.etivity_id == etivity_id)
    return {(c, u): Counts(o, i, n) for c, u, o, i, n in db.session.execute(query)}


class CompletionRow(Protocol):
    """What standing reads of a Completion: a row of these columns, or the object itself."""

    user_id: int
    etivity_id: int
    completed_at: datetime
    by_hand_by_id: int | None


@dataclass(slots=True)
class EtivityProgress:
    etivity: Etivity
    state: EtivityState
    counts: Counts
    completion: CompletionRow | None = None

    @property
    def needed(self) -> Counts:
        """What is left to do (worked out when a page asks: reports never do)."""
        return rules.still_needed(self.etivity.rule, self.counts)

    @property
    def by_hand(self) -> bool:
        return self.completion is not None and self.completion.by_hand_by_id is not None


@dataclass
class LearnerProgress:
    user_id: int
    stages: dict[int, StageStatus]
    etivities: list[EtivityProgress]
    current_stage: int
    last_activity_at: datetime | None
    totals: Counts = field(default_factory=Counts)
    # The day each open stage opened for this learner; suggested post days count from it.
    opened_on: dict[int, date] = field(default_factory=dict)
    # The stages this learner has finished (`rules.stage_finished`), worked out once by
    # `cohort_progress` with the statuses: reports ask it five times for every learner.
    finished: frozenset[int] = frozenset()
    by_stage: dict[int, list[EtivityProgress]] = field(default_factory=dict)

    def in_stage(self, number: int) -> list[EtivityProgress]:
        return self.by_stage.get(number, [])

    def stage_finished(self, number: int) -> bool:
        """`rules.stage_finished` for this learner: what the map, the stage-opened notice,
        "stuck" and "completed the course" all ask."""
        return number in self.finished

    @property
    def first_locked(self) -> StageStatus | None:
        """The first stage still locked for this learner: what they wait for when nothing
        is open to do (the map's and the home page's "nothing to do right now")."""
        return next((self.stages[n] for n in sorted(self.stages) if not self.stages[n].open),
                    None)

    @property
    def next_step(self) -> EtivityProgress | None:
        """The first open e-tivity not yet complete, in the course's order, from the stage
        of the first required one still to do: an optional e-tivity that comes first in
        that stage (stage 1's `welcome`) is next, one left behind in a finished stage is not."""
        open_ = [p for p in self.etivities if p.state == EtivityState.OPEN]
        required = next((p for p in open_ if p.etivity.required), None)
        if required is None:
            return open_[0] if open_ else None
        return next(p for p in open_ if p.etivity.stage_number >= required.etivity.stage_number)


@dataclass
class _Rows:
    """What standing reads of the database for some learners of one cohort."""

    counts: dict[tuple[int, int], Counts]
    last: dict[int, datetime]
    # Rows, not Completion objects: what standing needs of each (when, and by whose hand).
    completions: dict[tuple[int, int], CompletionRow]
    overrides: list[Override]
    joined: dict[int, datetime]


def cohort_progress(cohort: Cohort, today: date, user_ids: set[int] | None = None
                    ) -> dict[int, LearnerProgress]:
    """Every active learner's standing (or the ones asked for), in a fixed number of queries."""
    everyone = user_ids is None
    if everyone:
        user_ids = learner_ids(cohort.id)

    def only_asked(query, column):
        return query if everyone else query.where(column.in_(user_ids))

    rows = _Rows(
        counts={(u, e): Counts(o, i, n) for u, e, o, i, n in db.session.execute(
            only_asked(_count_query(cohort.id), ActivityCount.user_id))},
        last=dict(db.session.execute(only_asked(
            select(ActivityCount.user_id, func.max(ActivityCount.last_at))
            .where(ActivityCount.cohort_id == cohort.id).group_by(ActivityCount.user_id),
            ActivityCount.user_id)).all()),
        completions={(c.user_id, c.etivity_id): c for c in db.session.execute(only_asked(
            select(Completion.user_id, Completion.etivity_id, Completion.completed_at,
                   Completion.by_hand_by_id).where(Completion.cohort_id == cohort.id),
            Completion.user_id))},
        overrides=list(db.session.scalars(
            select(Override).where(Override.cohort_id == cohort.id))),
        joined=dict(db.session.execute(only_asked(
            select(Membership.user_id, Membership.joined_at)
            .where(Membership.cohort_id == cohort.id), Membership.user_id)).all()),
    )
    return _standings(cohort, today, user_ids, rows)


def standings_in(cohorts: list[Cohort], user_id: int, today: date
                 ) -> dict[int, LearnerProgress]:
    """One learner's standing in each of `cohorts` ({cohort id: standing}, the home page's
    cards), in the same five queries however many cohorts: `cohort_progress`'s reads, for
    one learner across cohorts. Load the cohorts with their courses' e-tivities and their
    release dates (`cohorts.services.cohorts_of` does) so the rules read no more."""
    ids = [c.id for c in cohorts]
    if not ids:
        return {}
    rows = {i: _Rows({}, {}, {}, [], {}) for i in ids}
    for c, e, o, i, n in db.session.execute(
            select(ActivityCount.cohort_id, ActivityCount.etivity_id, ActivityCount.observe,
                   ActivityCount.interact, ActivityCount.initiate)
            .where(ActivityCount.cohort_id.in_(ids), ActivityCount.user_id == user_id)):
        rows[c].counts[(user_id, e)] = Counts(o, i, n)
    for c, at in db.session.execute(
            select(ActivityCount.cohort_id, func.max(ActivityCount.last_at))
            .where(ActivityCount.cohort_id.in_(ids), ActivityCount.user_id == user_id)
            .group_by(ActivityCount.cohort_id)):
        rows[c].last[user_id] = at
    for row in db.session.execute(
            select(Completion.cohort_id, Completion.user_id, Completion.etivity_id,
                   Completion.completed_at, Completion.by_hand_by_id)
            .where(Completion.cohort_id.in_(ids), Completion.user_id == user_id)):
        rows[row.cohort_id].completions[(user_id, row.etivity_id)] = row
    for override in db.session.scalars(select(Override).where(
            Override.cohort_id.in_(ids),
            or_(Override.user_id.is_(None), Override.user_id == user_id))):
        rows[override.cohort_id].overrides.append(override)
    for c, at in db.session.execute(
            select(Membership.cohort_id, Membership.joined_at)
            .where(Membership.cohort_id.in_(ids), Membership.user_id == user_id)):
        rows[c].joined[user_id] = at
    return {c.id: _standings(c, today, {user_id}, rows[c.id])[user_id] for c in cohorts}


def _standings(cohort: Cohort, today: date, user_ids: set[int], rows: _Rows
               ) -> dict[int, LearnerProgress]:
    """Each learner's standing in `cohort`, from what was read of the database (`rows`)."""
    etivities = cohort.course.active_etivities
    required = _required(etivities)
    releases = _releases(cohort)
    shape = [(e, e.id, e.stage_number) for e in etivities]  # read once, not once per learner
    nothing = Counts()
    counts, completions = rows.counts, rows.completions
    completed_by: dict[int, set[int]] = defaultdict(set)
    for u, e in completions:
        completed_by[u].add(e)

    result = {}
    for user_id in user_ids:
        mine = [o for o in rows.overrides if o.user_id in (None, user_id)]
        etivity_overrides = {o.etivity_id for o in mine if o.etivity_id}
        completed = completed_by[user_id]
        statuses = _statuses(required, completed, releases, today, mine)
        opened_on = _opened_on(statuses, required, completions, user_id, mine,
                               rows.joined.get(user_id))
        finished = frozenset(n for n, status in statuses.items()
                             if rules.stage_finished(status, required.get(n, ()), completed))
        items = []
        by_stage: dict[int, list[EtivityProgress]] = defaultdict(list)
        observe = interact = initiate = 0
        for e, etivity_id, stage in shape:
            c = counts.get((user_id, etivity_id), nothing)
            completion = completions.get((user_id, etivity_id))
            state = rules.etivity_state(
                completion is not None, statuses[stage].open, etivity_id in etivity_overrides
            )
            item = EtivityProgress(e, state, c, completion)
            items.append(item)
            by_stage[stage].append(item)
            observe, interact, initiate = (observe + c.observe, interact + c.interact,
                                           initiate + c.initiate)
        result[user_id] = LearnerProgress(
            user_id, statuses, items, rules.current_stage(statuses), rows.last.get(user_id),
            Counts(observe, interact, initiate), opened_on, finished, dict(by_stage),
        )
    return result


def _required(etivities: list[Etivity]) -> dict[int, list[int]]:
    """The ids of each stage's required e-tivities."""
    required: dict[int, list[int]] = defaultdict(list)
    for e in etivities:
        if e.required:
            required[e.stage_number].append(e.id)
    return required


def _releases(cohort: Cohort) -> dict[int, date | None]:
    return {n: cohort.release_date(n) for n in rules.STAGES}


def _statuses(required, completed: set[int], releases, today: date,
              overrides: list[Override]) -> dict[int, StageStatus]:
    """One learner's stages, given their completions and the overrides that concern them."""
    opened_early = {o.stage_number for o in overrides if o.stage_number}
    return rules.stage_statuses(required, completed, releases, today, opened_early)


def etivity_access(cohort: Cohort, user_id: int, etivity: Etivity, today: date
                   ) -> tuple[EtivityState, dict[int, StageStatus]]:
    """One learner's state of one e-tivity, with their stages' statuses (to say why it is
    locked): what `cohort_progress` would say, in two queries, without reading the counts.
    A thread page and a reply ask only this."""
    completed = set(db.session.scalars(select(Completion.etivity_id).where(
        Completion.cohort_id == cohort.id, Completion.user_id == user_id)))
    mine = list(db.session.scalars(select(Override).where(
        Override.cohort_id == cohort.id,
        (Override.user_id == user_id) | Override.user_id.is_(None))))
    statuses = _statuses(_required(cohort.course.active_etivities), completed,
                         _releases(cohort), today, mine)
    state = rules.etivity_state(etivity.id in completed, statuses[etivity.stage_number].open,
                                any(o.etivity_id == etivity.id for o in mine))
    return state, statuses


def _opened_on(statuses, required, completions, user_id, overrides, joined_at) -> dict[int, date]:
    """The day each open stage became open for this learner (suggested days and "stuck"
    count from it). By the rules: the latest of its release date and the day the learner
    joined (stage 1) or finished the stage before; an override made before that day moves
    it to the override's, one made after moves nothing. A stage open only by an override
    (`StageStatus.early`: the stage before unfinished, or its date not come) opened the day
    of the first override for them or everyone, however long the stage before has been open.
    Whatever those say, no stage opens for a learner before the day they joined (a stage
    opened for everyone before then opened for them that day) nor before a stage before it
    opened for them (e-tivities done or marked complete while their stage was locked)."""
    opened: dict[int, date] = {}
    floor = joined_at.date() if joined_at else None  # the earliest any stage can open
    for number, status in statuses.items():
        if not status.open:
            continue
        early = [o.created_at.date() for o in overrides if o.stage_number == number]
        if status.early:
            day = min(early)
        else:
            if number == 1:
                reached = floor
            else:
                finished = [completions[(user_id, e)].completed_at.date()
                            for e in required.get(number - 1, ()) if (user_id, e) in completions]
                reached = max(finished, default=opened.get(number - 1))
            candidates = [d for d in (reached, status.opens_on) if d]
            day = max(candidates) if candidates else None
            if early and (day is None or min(early) < day):
                day = min(early)
        day = max((d for d in (day, floor) if d), default=None)
        if day:
            opened[number] = floor = day
    return opened


def learner_progress(cohort: Cohort, user_id: int, today: date) -> LearnerProgress:
    return cohort_progress(cohort, today, {user_id})[user_id]


def is_stuck(standing: LearnerProgress, suggested_days: dict[int, int], today: date) -> bool:
    """`rules.is_stuck` for this learner's current stage."""
    number = standing.current_stage
    return rules.is_stuck(standing.opened_on.get(number), suggested_days.get(number, 0), today,
                          standing.stage_finished(number))


@dataclass(frozen=True)
class Week:
    """One week of a learner's participation profile (weeks start on Monday, UTC)."""

    start: date
    observe: int = 0
    interact: int = 0
    initiate: int = 0

    def as_tuple(self) -> tuple[date, int, int, int]:
        return (self.start, self.observe, self.interact, self.initiate)


def weekly_profile(cohort_id: int, user_id: int | None, today: date, weeks: int = 26
                   ) -> list[Week]:
    """A participation profile: how many posts were read, replies to peers written and
    conversations started, week by week from the week of joining to this one (empty weeks
    included, at most the last `weeks`). With user_id None: the whole cohort's learners.
    Evidence from posts hidden since is left out. These are events, so two replies to one
    peer count twice here, unlike in an e-tivity's rule, which counts different peers.
    Read from the weekly counts table (a row per learner and week), not the log."""
    joined = select(func.min(Membership.joined_at)).where(Membership.cohort_id == cohort_id)
    tally = select(ActivityWeek.week, func.sum(ActivityWeek.observe),
                   func.sum(ActivityWeek.interact), func.sum(ActivityWeek.initiate)).where(
        ActivityWeek.cohort_id == cohort_id).group_by(ActivityWeek.week)
    if user_id is not None:
        joined = joined.where(Membership.user_id == user_id)
        tally = tally.where(ActivityWeek.user_id == user_id)
    joined_at = db.session.scalar(joined)
    by_week = {week: (o, i, n) for week, o, i, n in db.session.execute(tally) if o or i or n}
    starts = [d for d in (*by_week, joined_at.date() if joined_at else None) if d]
    first = monday(min(starts, default=today))
    last = monday(today)
    first = max(first, last - timedelta(weeks=weeks - 1))
    result = []
    week = first
    while week <= last:
        result.append(Week(week, *by_week.get(week, (0, 0, 0))))
        week += timedelta(weeks=1)
    return result
