"""The progress engine: records evidence, earns completions, and reads a learner's standing.

Discussions call `record_*` when something happens; views, reports and the API read
`cohort_progress`. Everything about counting lives here and in `rules.py`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, distinct, func, select

from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from . import rules
from .models import Activity, Completion, Mode, Override
from .rules import Counts, EtivityState, StageStatus


def _is_learner(cohort_id: int, user_id: int | None) -> bool:
    if user_id is None:
        return False
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.cohort_id == cohort_id,
                Membership.user_id == user_id,
                Membership.role == MemberRole.LEARNER,
            )
        )
        is not None
    )


def _record(cohort_id, user_id, etivity_id, kind, post_id, peer_id, at) -> Activity | None:
    existing = db.session.scalar(
        select(Activity).where(
            Activity.user_id == user_id, Activity.kind == kind, Activity.post_id == post_id
        )
    )
    if existing is not None:
        return None
    activity = Activity(
        cohort_id=cohort_id,
        user_id=user_id,
        etivity_id=etivity_id,
        kind=kind,
        post_id=post_id,
        peer_id=peer_id,
        created_at=at,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def record_reads(cohort: Cohort, reader_id: int, etivity_id: int, posts, at: datetime) -> int:
    """Record that `posts` (objects with id and author_id) were shown to the reader.

    Only peers' posts count as observing: your own posts and the facilitators' do not.
    Returns how many new reads were recorded.
    """
    if not _is_learner(cohort.id, reader_id):
        return 0
    learners = learner_ids(cohort.id)
    new = 0
    for post in posts:
        if post.author_id != reader_id and post.author_id in learners:
            if _record(cohort.id, reader_id, etivity_id, Mode.OBSERVE, post.id, post.author_id, at):
                new += 1
    if new:
        evaluate(cohort, reader_id, etivity_id, at)
    return new


def record_reply(cohort: Cohort, author_id: int, etivity_id: int, post_id: int,
                 parent_author_id: int | None, at: datetime) -> None:
    """A reply counts as interacting only when it answers another learner of the cohort."""
    if parent_author_id == author_id or not _is_learner(cohort.id, parent_author_id):
        return
    if not _is_learner(cohort.id, author_id):
        return
    _record(cohort.id, author_id, etivity_id, Mode.INTERACT, post_id, parent_author_id, at)
    evaluate(cohort, author_id, etivity_id, at)


def record_new_thread(cohort: Cohort, author_id: int, etivity_id: int, post_id: int,
                      at: datetime) -> None:
    if not _is_learner(cohort.id, author_id):
        return
    _record(cohort.id, author_id, etivity_id, Mode.INITIATE, post_id, None, at)
    evaluate(cohort, author_id, etivity_id, at)


def void_post(post_id: int, at: datetime) -> None:
    """A hidden post stops counting towards completions not yet earned (earned ones stay)."""
    for activity in db.session.scalars(
        select(Activity).where(Activity.post_id == post_id, Activity.voided_at.is_(None))
    ):
        activity.voided_at = at


def restore_post(post_id: int) -> None:
    for activity in db.session.scalars(select(Activity).where(Activity.post_id == post_id)):
        activity.voided_at = None


def learner_ids(cohort_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.cohort_id == cohort_id,
                Membership.role == MemberRole.LEARNER,
                Membership.removed_at.is_(None),
            )
        )
    )


def _count_query(cohort_id: int):
    live = Activity.voided_at.is_(None)
    return select(
        Activity.user_id,
        Activity.etivity_id,
        func.count(distinct(case((and_(live, Activity.kind == Mode.OBSERVE), Activity.post_id)))),
        func.count(distinct(case((and_(live, Activity.kind == Mode.INTERACT), Activity.peer_id)))),
        func.count(distinct(case((and_(live, Activity.kind == Mode.INITIATE), Activity.post_id)))),
        func.max(Activity.created_at),
    ).where(Activity.cohort_id == cohort_id).group_by(Activity.user_id, Activity.etivity_id)


def counts_for(cohort_id: int, user_id: int | None = None) -> dict[tuple[int, int], Counts]:
    """{(user id, e-tivity id): Counts}. Interact counts different peers, not replies."""
    query = _count_query(cohort_id)
    if user_id is not None:
        query = query.where(Activity.user_id == user_id)
    return {(u, e): Counts(o, i, n) for u, e, o, i, n, _ in db.session.execute(query)}


def evaluate(cohort: Cohort, user_id: int, etivity_id: int, at: datetime) -> Completion | None:
    """Earn the completion when the rule is met now. Never takes one back."""
    if db.session.scalar(
        select(Completion.id).where(
            Completion.cohort_id == cohort.id,
            Completion.user_id == user_id,
            Completion.etivity_id == etivity_id,
        )
    ):
        return None
    etivity = db.session.get(Etivity, etivity_id)
    counts = counts_for(cohort.id, user_id).get((user_id, etivity_id), Counts())
    if not rules.meets(etivity.rule, counts):
        return None
    evidence = {"rule": etivity.rule.as_dict()}
    for mode in Mode:
        evidence[mode.value] = list(
            db.session.scalars(
                select(Activity.post_id)
                .where(
                    Activity.cohort_id == cohort.id,
                    Activity.user_id == user_id,
                    Activity.etivity_id == etivity_id,
                    Activity.kind == mode,
                    Activity.voided_at.is_(None),
                )
                .order_by(Activity.id)
            )
        )
    completion = Completion(
        cohort_id=cohort.id,
        user_id=user_id,
        etivity_id=etivity_id,
        completed_at=at,
        evidence=evidence,
    )
    db.session.add(completion)
    db.session.flush()
    _announce_next_stage(cohort, user_id, etivity, at)
    return completion


def _announce_next_stage(cohort: Cohort, user_id: int, etivity: Etivity, at: datetime) -> None:
    """When this completion finishes a stage, tell the learner the next one is open (or when)."""
    number = etivity.stage_number
    if not etivity.required or number >= rules.STAGES[-1]:
        return
    standing = learner_progress(cohort, user_id, at.date())
    if any(p.etivity.required and p.state != EtivityState.COMPLETE for p in standing.in_stage(number)):
        return
    following = standing.stages[number + 1]
    title = next((s.title for s in cohort.course.stages if s.number == number + 1), "")
    if following.open:
        text = f"Stage {number + 1}, {title}, is open for you in {cohort.name}."
    elif following.reason == rules.LockReason.DATE:
        text = (f"You have finished stage {number}. Stage {number + 1}, {title}, opens on "
                f"{following.opens_on:%d %B %Y}.")
    else:
        return
    notify(user_id, NotificationKind.STAGE_OPENED, text, at,
           link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)


def reevaluate_cohort(cohort: Cohort, at: datetime) -> int:
    """After a re-import changed a rule: earn what is now met. Returns completions earned."""
    earned = 0
    counts = counts_for(cohort.id)
    done = {
        (u, e)
        for u, e in db.session.execute(
            select(Completion.user_id, Completion.etivity_id).where(Completion.cohort_id == cohort.id)
        )
    }
    rules_by_id = {e.id: e.rule for e in cohort.course.active_etivities}
    for (user_id, etivity_id), c in counts.items():
        rule = rules_by_id.get(etivity_id)
        if rule and (user_id, etivity_id) not in done and rules.meets(rule, c):
            if evaluate(cohort, user_id, etivity_id, at):
                earned += 1
    return earned


@dataclass
class EtivityProgress:
    etivity: Etivity
    state: EtivityState
    counts: Counts
    needed: Counts
    completion: Completion | None = None

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

    def in_stage(self, number: int) -> list[EtivityProgress]:
        return [p for p in self.etivities if p.etivity.stage_number == number]

    @property
    def next_step(self) -> EtivityProgress | None:
        """The first open e-tivity not yet complete, required ones first."""
        open_ = [p for p in self.etivities if p.state == EtivityState.OPEN]
        required = [p for p in open_ if p.etivity.required]
        return (required or open_ or [None])[0]


def cohort_progress(cohort: Cohort, today: date, user_ids: set[int] | None = None
                    ) -> dict[int, LearnerProgress]:
    """Every learner's standing (or the ones asked for), in a fixed number of queries."""
    everyone = user_ids is None
    if everyone:
        user_ids = learner_ids(cohort.id)

    def only_asked(query, column):
        return query if everyone else query.where(column.in_(user_ids))

    etivities = cohort.course.active_etivities
    required: dict[int, list[int]] = defaultdict(list)
    for e in etivities:
        if e.required:
            required[e.stage_number].append(e.id)
    releases = {n: cohort.release_date(n) for n in rules.STAGES}

    count_rows = db.session.execute(only_asked(_count_query(cohort.id), Activity.user_id)).all()
    counts = {(u, e): Counts(o, i, n) for u, e, o, i, n, _ in count_rows}
    last: dict[int, datetime] = {}
    for u, _e, *_c, at in count_rows:
        if at and (u not in last or at > last[u]):
            last[u] = at
    completions: dict[tuple[int, int], Completion] = {
        (c.user_id, c.etivity_id): c
        for c in db.session.scalars(only_asked(
            select(Completion).where(Completion.cohort_id == cohort.id), Completion.user_id))
    }
    completed_by: dict[int, set[int]] = defaultdict(set)
    for u, e in completions:
        completed_by[u].add(e)
    overrides = db.session.scalars(select(Override).where(Override.cohort_id == cohort.id)).all()
    joined = dict(db.session.execute(only_asked(
        select(Membership.user_id, Membership.joined_at).where(Membership.cohort_id == cohort.id),
        Membership.user_id)
    ).all())

    result = {}
    for user_id in user_ids:
        mine = [o for o in overrides if o.user_id in (None, user_id)]
        stage_overrides = {o.stage_number for o in mine if o.stage_number}
        etivity_overrides = {o.etivity_id for o in mine if o.etivity_id}
        completed = completed_by[user_id]
        statuses = rules.stage_statuses(required, completed, releases, today, stage_overrides)
        opened_on = _opened_on(statuses, required, completions, user_id, mine,
                               joined.get(user_id))
        items = []
        totals = [0, 0, 0]
        for e in etivities:
            c = counts.get((user_id, e.id), Counts())
            completion = completions.get((user_id, e.id))
            state = rules.etivity_state(
                completion is not None, statuses[e.stage_number].open, e.id in etivity_overrides
            )
            items.append(EtivityProgress(e, state, c, rules.still_needed(e.rule, c), completion))
            totals = [totals[0] + c.observe, totals[1] + c.interact, totals[2] + c.initiate]
        result[user_id] = LearnerProgress(
            user_id, statuses, items, rules.current_stage(statuses), last.get(user_id),
            Counts(*totals), opened_on,
        )
    return result


def _opened_on(statuses, required, completions, user_id, overrides, joined_at) -> dict[int, date]:
    """When each open stage opened: the latest of its release date, the day the learner
    joined (stage 1) or finished the stage before, and no later than an override."""
    opened: dict[int, date] = {}
    for number, status in statuses.items():
        if not status.open:
            continue
        if number == 1:
            reached = joined_at.date() if joined_at else None
        else:
            finished = [completions[(user_id, e)].completed_at.date()
                        for e in required.get(number - 1, ()) if (user_id, e) in completions]
            reached = max(finished, default=opened.get(number - 1))
        candidates = [d for d in (reached, status.opens_on) if d]
        day = max(candidates) if candidates else None
        early = [o.created_at.date() for o in overrides if o.stage_number == number]
        if early and (day is None or min(early) < day):
            day = min(early)
        if day:
            opened[number] = day
    return opened


def learner_progress(cohort: Cohort, user_id: int, today: date) -> LearnerProgress:
    return cohort_progress(cohort, today, {user_id})[user_id]


@dataclass(frozen=True)
class Week:
    """One week of a learner's participation profile (weeks start on Monday, UTC)."""

    start: date
    observe: int = 0
    interact: int = 0
    initiate: int = 0

    def as_tuple(self) -> tuple[date, int, int, int]:
        return (self.start, self.observe, self.interact, self.initiate)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_profile(cohort_id: int, user_id: int | None, today: date, weeks: int = 26
                   ) -> list[Week]:
    """A participation profile: how many posts were read, replies to peers written and
    conversations started, week by week from the week of joining to this one (empty weeks
    included, at most the last `weeks`). With user_id None: the whole cohort's learners.
    Evidence from posts hidden since is left out. These are events, so two replies to one
    peer count twice here, unlike in an e-tivity's rule, which counts different peers."""
    joined = select(func.min(Membership.joined_at)).where(Membership.cohort_id == cohort_id)
    activity = select(Activity.kind, Activity.created_at).where(
        Activity.cohort_id == cohort_id, Activity.voided_at.is_(None))
    if user_id is not None:
        joined = joined.where(Membership.user_id == user_id)
        activity = activity.where(Activity.user_id == user_id)
    joined_at = db.session.scalar(joined)
    rows = db.session.execute(activity).all()
    tally: dict[date, dict[Mode, int]] = defaultdict(lambda: defaultdict(int))
    for kind, at in rows:
        tally[_monday(at.date())][kind] += 1
    starts = [d for d in (*tally, joined_at.date() if joined_at else None) if d]
    first = _monday(min(starts, default=today))
    last = _monday(today)
    first = max(first, last - timedelta(weeks=weeks - 1))
    result = []
    week = first
    while week <= last:
        counts = tally.get(week, {})
        result.append(Week(week, counts.get(Mode.OBSERVE, 0), counts.get(Mode.INTERACT, 0),
                           counts.get(Mode.INITIATE, 0)))
        week += timedelta(weeks=1)
    return result


# ---- facilitator overrides ------------------------------------------------------

def open_early(cohort: Cohort, by_id: int, at: datetime, *, stage_number: int | None = None,
               etivity_id: int | None = None, user_id: int | None = None) -> Override:
    """Open a stage or an e-tivity early, for one learner (user_id) or everyone (None)."""
    if (stage_number is None) == (etivity_id is None):
        raise ValueError("open either a stage or an e-tivity")
    existing = db.session.scalar(select(Override).where(
        Override.cohort_id == cohort.id, Override.user_id.is_(None) if user_id is None
        else Override.user_id == user_id,
        Override.stage_number.is_(None) if stage_number is None
        else Override.stage_number == stage_number,
        Override.etivity_id.is_(None) if etivity_id is None else Override.etivity_id == etivity_id,
    ))
    if existing is not None:
        return existing
    override = Override(cohort_id=cohort.id, user_id=user_id, stage_number=stage_number,
                        etivity_id=etivity_id, created_by_id=by_id, created_at=at)
    db.session.add(override)
    db.session.flush()
    return override


def mark_complete_by_hand(cohort: Cohort, user_id: int, etivity_id: int, by_id: int,
                          at: datetime) -> Completion:
    """A facilitator marks an e-tivity complete for a learner; recorded as done by hand."""
    completion = db.session.scalar(select(Completion).where(
        Completion.cohort_id == cohort.id, Completion.user_id == user_id,
        Completion.etivity_id == etivity_id))
    if completion is not None:
        return completion
    etivity = db.session.get(Etivity, etivity_id)
    completion = Completion(cohort_id=cohort.id, user_id=user_id, etivity_id=etivity_id,
                            completed_at=at, by_hand_by_id=by_id,
                            evidence={"rule": etivity.rule.as_dict(), "by_hand": True})
    db.session.add(completion)
    db.session.flush()
    _announce_next_stage(cohort, user_id, etivity, at)
    return completion


def stage_done(standing: "LearnerProgress", number: int) -> bool:
    """Every required e-tivity of the stage is complete for this learner."""
    return all(p.state == EtivityState.COMPLETE for p in standing.in_stage(number)
               if p.etivity.required)


def is_stuck(standing: "LearnerProgress", suggested_days: dict[int, int], today: date) -> bool:
    number = standing.current_stage
    return rules.is_stuck(standing.opened_on.get(number), suggested_days.get(number, 0), today,
                          stage_done(standing, number))
