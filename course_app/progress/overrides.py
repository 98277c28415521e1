"""A facilitator's decisions over the rules: a stage or e-tivity opened early, an e-tivity
marked complete by hand. `facilitate` checks who may do this and writes the audit entry."""

from datetime import datetime

from sqlalchemy import select

from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..database import added
from ..extensions import db
from .evidence import announce_next_stage
from .models import Completion, Override


def open_early(cohort: Cohort, by_id: int, at: datetime, *, stage_number: int | None = None,
               etivity_id: int | None = None, user_id: int | None = None) -> Override | None:
    """Open a stage or an e-tivity early, for one learner (user_id) or everyone (None).
    None when it was open early already, even by another request at this same moment: the
    cohort's row is locked first, so two requests take turns and the second adds nothing
    (the columns are nullable, so no unique key could catch it)."""
    if (stage_number is None) == (etivity_id is None):
        raise ValueError("open either a stage or an e-tivity")
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    existing = db.session.scalar(select(Override.id).where(
        Override.cohort_id == cohort.id, Override.user_id.is_(None) if user_id is None
        else Override.user_id == user_id,
        Override.stage_number.is_(None) if stage_number is None
        else Override.stage_number == stage_number,
        Override.etivity_id.is_(None) if etivity_id is None else Override.etivity_id == etivity_id,
    ))
    if existing is not None:
        return None
    override = Override(cohort_id=cohort.id, user_id=user_id, stage_number=stage_number,
                        etivity_id=etivity_id, created_by_id=by_id, created_at=at)
    db.session.add(override)
    db.session.flush()
    return override


def mark_complete_by_hand(cohort: Cohort, user_id: int, etivity_id: int, by_id: int,
                          at: datetime) -> Completion | None:
    """A facilitator marks an e-tivity complete for a learner; recorded as done by hand and,
    like an earned completion, kept for good. None when it is complete already: earned, or
    marked, even at this same moment by another request (then nothing is added)."""
    if db.session.scalar(select(Completion.id).where(
            Completion.cohort_id == cohort.id, Completion.user_id == user_id,
            Completion.etivity_id == etivity_id)) is not None:
        return None
    etivity = db.session.get(Etivity, etivity_id)
    completion = Completion(cohort_id=cohort.id, user_id=user_id, etivity_id=etivity_id,
                            completed_at=at, by_hand_by_id=by_id,
                            evidence={"rule": etivity.rule.as_dict(), "by_hand": True})
    if not added(completion):
        return None
    announce_next_stage(cohort, user_id, etivity, at)
    return completion
