"""Recording evidence: what a learner did (observe, interact, initiate) goes into one
activity log, and a completion is earned the moment an e-tivity's rule is met.

Discussions call `record_*` when something happens. A completion, once earned, is never
taken back: hiding a post later voids its evidence for completions not yet earned only.

This is the one writer of the activity log, so it also keeps the counts tables in step with
it (`counts.added`, `counts.changed`), in the same transaction.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..database import added, insert_or_merge
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..rendering import long_date
from . import counts as counts_tables
from . import rules
from .announcements import stage_open_text
from .models import Activity, Completion, Mode
from .rules import Counts
from .standing import counts_for, learner_progress


def _is_active_learner(cohort_id: int, user_id: int | None) -> bool:
    """Evidence is recorded for the cohort's active learners only (not its staff)."""
    if user_id is None:
        return False
    return db.session.scalar(select(Membership.id).where(
        Membership.active_learners(cohort_id), Membership.user_id == user_id)) is not None


def peers_among(cohort_id: int, actor_id: int, author_ids: Iterable[int | None], *,
                facilitators: bool = False) -> set[int]:
    """Which of these authors' posts count for the actor: the one rule for "a peer's post",
    used for reading (observe) and for replying (interact) alike.

    A peer is someone who joined the cohort as a learner, other than the actor. What counts
    is what the learner did when they did it, so a post by a learner who was removed from
    the cohort later is still a peer's post; facilitators' and reviewers' posts are not.
    (Hidden and withdrawn posts are a separate rule: they are not shown, so not read, and
    hiding one voids its evidence.)

    `facilitators`: reading in an e-tivity whose content sets `observe_facilitators` (a task
    that asks learners to read the facilitator's post): the cohort's facilitators' posts
    count too. Only reading passes it; a reply to a facilitator is never interacting.
    """
    candidates = {a for a in author_ids if a is not None and a != actor_id}
    if not candidates:
        return set()
    roles = [MemberRole.LEARNER, *([MemberRole.FACILITATOR] if facilitators else [])]
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == cohort_id, Membership.role.in_(roles),
        Membership.user_id.in_(candidates))))


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
    counts_tables.added(cohort_id, user_id, etivity_id, [kind], at)
    return activity


def record_reads(cohort: Cohort, reader_id: int, etivity_id: int, posts, at: datetime) -> int:
    """Record that `posts` (objects with id and author_id) were shown to the reader.

    Only peers' posts count as observing (`peers_among`): your own posts do not, nor the
    facilitators' unless the e-tivity says so (`Etivity.observe_facilitators`). Returns how
    many new reads were recorded: a page seen before costs one lookup, and new reads one
    insert however many posts the page shows.
    """
    if not _is_active_learner(cohort.id, reader_id):
        return 0
    etivity = db.session.get(Etivity, etivity_id)
    peers = peers_among(cohort.id, reader_id, (post.author_id for post in posts),
                        facilitators=etivity.observe_facilitators)
    authors = {post.id: post.author_id for post in posts if post.author_id in peers}
    if not authors:
        return 0
    seen = set(db.session.scalars(select(Activity.post_id).where(
        Activity.user_id == reader_id, Activity.kind == Mode.OBSERVE,
        Activity.post_id.in_(authors))))
    rows = [{"cohort_id": cohort.id, "user_id": reader_id, "etivity_id": etivity_id,
             "kind": Mode.OBSERVE, "post_id": post_id, "peer_id": author_id,
             "created_at": at} for post_id, author_id in authors.items() if post_id not in seen]
    if not rows:
        return 0
    # Another request may record the same reads at the same moment: those rows are skipped
    # here, and only the rows this one wrote are counted.
    stmt = insert_or_merge(Activity.__table__).on_conflict_do_nothing()
    new = len(db.session.execute(stmt.returning(Activity.__table__.c.id), rows).all())
    if new:
        counts_tables.added(cohort.id, reader_id, etivity_id, [Mode.OBSERVE] * new, at)
        evaluate(cohort, reader_id, etivity_id, at)
    return new


def record_reply(cohort: Cohort, author_id: int, etivity_id: int, post_id: int,
                 parent_author_id: int | None, at: datetime) -> None:
    """A reply counts as interacting only when it answers a peer's post (`peers_among`)."""
    if not _is_active_learner(cohort.id, author_id):
        return
    if parent_author_id not in peers_among(cohort.id, author_id, [parent_author_id]):
        return
    _record(cohort.id, author_id, etivity_id, Mode.INTERACT, post_id, parent_author_id, at)
    evaluate(cohort, author_id, etivity_id, at)


def record_new_thread(cohort: Cohort, author_id: int, etivity_id: int, post_id: int,
                      at: datetime) -> None:
    if not _is_active_learner(cohort.id, author_id):
        return
    _record(cohort.id, author_id, etivity_id, Mode.INITIATE, post_id, None, at)
    evaluate(cohort, author_id, etivity_id, at)


def void_post(post_id: int, at: datetime) -> None:
    """A hidden post stops counting towards completions not yet earned (earned ones stay)."""
    voided = list(db.session.scalars(
        select(Activity).where(Activity.post_id == post_id, Activity.voided_at.is_(None))))
    for activity in voided:
        activity.voided_at = at
    db.session.flush()  # the counts recount different peers from the log
    counts_tables.changed(voided, -1)


def restore_post(post_id: int) -> None:
    restored = list(db.session.scalars(
        select(Activity).where(Activity.post_id == post_id, Activity.voided_at.is_not(None))))
    for activity in restored:
        activity.voided_at = None
    db.session.flush()
    counts_tables.changed(restored, +1)


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
    # Earned at this same moment in another request (the learner's other post, or a
    # facilitator marking it by hand): that one stands, and this post is stored all the same.
    if not added(completion):
        return None
    announce_next_stage(cohort, user_id, etivity, at)
    return completion


def announce_next_stage(cohort: Cohort, user_id: int, etivity: Etivity, at: datetime) -> None:
    """When this completion finishes a stage, tell the learner the next one is open (or when)."""
    number = etivity.stage_number
    if not etivity.required or number >= rules.STAGES[-1]:
        return
    standing = learner_progress(cohort, user_id, at.date())
    if not standing.stage_finished(number):
        return
    following = standing.stages[number + 1]
    title = next((s.title for s in cohort.course.stages if s.number == number + 1), "")
    if following.open:
        text = stage_open_text(cohort, number + 1)
    elif following.reason == rules.LockReason.DATE:
        text = (f"You have finished stage {number}. Stage {number + 1}, {title}, opens on "
                f"{long_date(following.opens_on)}.")
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
            select(Completion.user_id, Completion.etivity_id)
            .where(Completion.cohort_id == cohort.id)
        )
    }
    rules_by_id = {e.id: e.rule for e in cohort.course.active_etivities}
    for (user_id, etivity_id), c in counts.items():
        rule = rules_by_id.get(etivity_id)
        if rule and (user_id, etivity_id) not in done and rules.meets(rule, c):
            if evaluate(cohort, user_id, etivity_id, at):
                earned += 1
    return earned
