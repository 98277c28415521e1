"""The progress engine: records evidence, earns completions, and reads a learner's standing.

Discussions call `record_*` when something happens; views, reports and the API read
`cohort_progress`. Everything about counting lives here and in `rules.py`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, func, select

from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..extensions import db
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
    return completion


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
    if user_ids is None:
        user_ids = learner_ids(cohort.id)
    etivities = cohort.course.active_etivities
    required: dict[int, list[int]] = defaultdict(list)
    for e in etivities:
        if e.required:
            required[e.stage_number].append(e.id)
    releases = {n: cohort.release_date(n) for n in rules.STAGES}

    count_rows = db.session.execute(_count_query(cohort.id)).all()
    counts = {(u, e): Counts(o, i, n) for u, e, o, i, n, _ in count_rows}
    last: dict[int, datetime] = {}
    for u, _e, *_c, at in count_rows:
        if at and (u not in last or at > last[u]):
            last[u] = at
    completions: dict[tuple[int, int], Completion] = {
        (c.user_id, c.etivity_id): c
        for c in db.session.scalars(select(Completion).where(Completion.cohort_id == cohort.id))
    }
    overrides = db.session.scalars(select(Override).where(Override.cohort_id == cohort.id)).all()

    result = {}
    for user_id in user_ids:
        mine = [o for o in overrides if o.user_id in (None, user_id)]
        stage_overrides = {o.stage_number for o in mine if o.stage_number}
        etivity_overrides = {o.etivity_id for o in mine if o.etivity_id}
        completed = {e for (u, e) in completions if u == user_id}
        statuses = rules.stage_statuses(required, completed, releases, today, stage_overrides)
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
            Counts(*totals),
        )
    return result


def learner_progress(cohort: Cohort, user_id: int, today: date) -> LearnerProgress:
    return cohort_progress(cohort, today, {user_id})[user_id]
