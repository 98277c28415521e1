"""Overrides: opening a stage or an e-tivity early (for one learner or everyone) and marking
an e-tivity complete by hand, and the list of both on the overrides page."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from ..auth.models import User
from ..cohorts import services as cohorts
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress import overrides as progress_overrides
from ..progress import rules
from ..progress.models import Completion, Override
from ..progress.standing import learner_progress
from .audit import record
from .errors import FacilitateError
from .models import AuditAction
from .people import users_by_id


def _check_learner(cohort: Cohort, learner: User) -> None:
    membership = cohorts.membership_of(cohort.id, learner.id)
    if membership is None or not membership.is_active_learner:
        raise FacilitateError(f"{learner.name} is not a learner in this cohort.", "learner")


def _check_etivity(cohort: Cohort, etivity: Etivity) -> None:
    if etivity.course_id != cohort.course_id or etivity.retired:
        raise FacilitateError("That e-tivity is not part of this cohort's course.", "etivity")


def _state_for(cohort: Cohort, learner: User, etivity: Etivity, at: datetime
               ) -> rules.EtivityState:
    standing = learner_progress(cohort, learner.id, at.date())
    return next(p for p in standing.etivities if p.etivity.id == etivity.id).state


def open_early(cohort: Cohort, actor: User, at: datetime, *, stage_number: int | None = None,
               etivity: Etivity | None = None, learner: User | None = None) -> None:
    """Open a stage or an e-tivity early for one learner or (learner None) everyone.
    Opening what is already open is refused, so each entry in the log changed something."""
    if (stage_number is None) == (etivity is None):
        raise FacilitateError("Choose either a stage or an e-tivity to open.", "stage")
    if stage_number is not None and stage_number not in rules.STAGES[1:]:
        raise FacilitateError("Choose stage 2, 3, 4 or 5: stage 1 is always open.", "stage")
    field = "stage" if stage_number else "etivity"
    if etivity is not None:
        _check_etivity(cohort, etivity)
    what = f"stage {stage_number}" if stage_number else f"“{etivity.title}”"
    subject = what[0].upper() + what[1:]
    for_everyone = db.session.scalar(select(Override.id).where(
        Override.cohort_id == cohort.id, Override.user_id.is_(None),
        (Override.stage_number == stage_number if stage_number
         else Override.etivity_id == etivity.id),
    ).limit(1))
    if for_everyone is not None:
        raise FacilitateError(f"{subject} is already open early for everyone.", field)
    if learner is not None:
        _check_learner(cohort, learner)
        if stage_number:
            standing = learner_progress(cohort, learner.id, at.date())
            already = standing.stages[stage_number].open
        else:
            already = _state_for(cohort, learner, etivity, at) != rules.EtivityState.LOCKED
        if already:
            raise FacilitateError(f"{subject} is already open for {learner.name}.", field)
    if progress_overrides.open_early(cohort, actor.id, at, stage_number=stage_number,
                                     etivity_id=etivity.id if etivity else None,
                                     user_id=learner.id if learner else None) is None:
        return  # opened at this same moment by another request: done, told once
    who = learner.name if learner else "everyone"
    if learner is not None:
        notify(learner.id, NotificationKind.STAGE_OPENED,
               f"Your facilitator opened {what} for you in {cohort.name}.", at,
               link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    record(cohort, actor, AuditAction.OPEN_EARLY, f"Opened {what} early for {who}", at,
           target=f"user {learner.id}" if learner else "everyone",
           detail={"stage": stage_number, "etivity": etivity.id if etivity else None})


def check_mark_complete(cohort: Cohort, learner: User, etivity: Etivity, at: datetime) -> None:
    """FacilitateError if marking this complete would be refused: asked before "are you
    sure?", so nobody confirms something that then fails."""
    _check_learner(cohort, learner)
    _check_etivity(cohort, etivity)
    if _state_for(cohort, learner, etivity, at) == rules.EtivityState.COMPLETE:
        raise FacilitateError(f"{learner.name} has already completed “{etivity.title}”: "
                              "there is nothing to mark.", "etivity")


def mark_complete(cohort: Cohort, actor: User, learner: User, etivity: Etivity,
                  at: datetime) -> None:
    """Recorded as done by hand, with who did it. Completion is kept for good (as when it
    is earned), so this can't be undone."""
    check_mark_complete(cohort, learner, etivity, at)
    if progress_overrides.mark_complete_by_hand(cohort, learner.id, etivity.id, actor.id,
                                                at) is None:
        return  # completed at this same moment (marked twice, or earned): done, told once
    notify(learner.id, NotificationKind.MESSAGE,
           f"Your facilitator marked “{etivity.title}” complete for you in {cohort.name}.", at,
           link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    record(cohort, actor, AuditAction.COMPLETE_BY_HAND,
           f"Marked “{etivity.title}” complete for {learner.name} by hand", at,
           target=f"user {learner.id}", detail={"etivity": etivity.id})


# ---- the list ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OverrideRow:
    override: Override
    learner: User | None  # None: everyone
    etivity: Etivity | None  # None: a whole stage
    by: User | None

    @property
    def at(self) -> datetime:
        return self.override.created_at


@dataclass(frozen=True)
class ByHandRow:
    completion: Completion
    learner: User
    etivity: Etivity
    by: User | None

    @property
    def at(self) -> datetime:
        return self.completion.completed_at


def opened_early(cohort: Cohort) -> Select:
    """What facilitators opened early in the cohort, newest first: a query, to page."""
    return (select(Override).where(Override.cohort_id == cohort.id)
            .order_by(Override.created_at.desc(), Override.id.desc()))


def marked_by_hand(cohort: Cohort) -> Select:
    """The completions facilitators marked by hand in the cohort, newest first: a query, to
    page."""
    return (select(Completion).where(Completion.cohort_id == cohort.id,
                                     Completion.by_hand_by_id.is_not(None))
            .order_by(Completion.completed_at.desc(), Completion.id.desc()))


def override_rows(cohort: Cohort, opened: list[Override]) -> list[OverrideRow]:
    """A page of `opened_early`, with the people and e-tivities named (one query)."""
    users = users_by_id({o.user_id for o in opened} | {o.created_by_id for o in opened})
    etivities = {e.id: e for e in cohort.course.etivities}
    return [OverrideRow(o, users.get(o.user_id), etivities.get(o.etivity_id),
                        users.get(o.created_by_id)) for o in opened]


def by_hand_rows(cohort: Cohort, completions: list[Completion]) -> list[ByHandRow]:
    """A page of `marked_by_hand`, with the people and e-tivities named (one query)."""
    users = users_by_id({c.user_id for c in completions}
                        | {c.by_hand_by_id for c in completions})
    etivities = {e.id: e for e in cohort.course.etivities}
    return [ByHandRow(c, users[c.user_id], etivities[c.etivity_id], users.get(c.by_hand_by_id))
            for c in completions if c.user_id in users and c.etivity_id in etivities]
