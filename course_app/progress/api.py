"""The cohort progress report as JSON (interface contract: GET /api/v1/cohorts/<id>/progress).

Session login for now. Anyone outside the cohort, logged in or not, gets a JSON 404 (so
cohorts don't reveal each other); its learners get a JSON 403. Errors under /api/ are JSON
(see errors.py).
"""

from datetime import datetime

from flask import jsonify
from sqlalchemy import select

from ..auth.models import User
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..extensions import db
from ..permissions import can_review, cohort_or_404
from . import api_bp
from .services import EtivityProgress, LearnerProgress, cohort_progress as standings


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _etivity(p: EtivityProgress) -> dict:
    e = p.etivity
    return {
        "slug": e.slug,
        "stage": e.stage_number,
        "title": e.title,
        "required": e.required,
        "state": p.state.value,
        "by_hand": p.by_hand,
        "observe": p.counts.observe,
        "interact": p.counts.interact,
        "initiate": p.counts.initiate,
        "rule": e.rule.as_dict(),
    }


def _learner(user: User, standing: LearnerProgress) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "current_stage": standing.current_stage,
        "last_activity_at": _iso(standing.last_activity_at),
        "etivities": [_etivity(p) for p in standing.etivities],
    }


def report(cohort: Cohort, now: datetime) -> dict:
    """The whole cohort's progress, learners by name, from progress.services.cohort_progress."""
    by_user = standings(cohort, now.date())
    users = db.session.scalars(
        select(User).where(User.id.in_(by_user)).order_by(User.name, User.id)
    ).all() if by_user else []
    return {
        "cohort": {"id": cohort.id, "name": cohort.name, "course": cohort.course.slug},
        "generated_at": now.isoformat(),
        "learners": [_learner(u, by_user[u.id]) for u in users],
    }


@api_bp.get("/cohorts/<int:cohort_id>/progress")
def cohort_progress(cohort_id: int):
    cohort = cohort_or_404(cohort_id, can_review)
    response = jsonify(report(cohort, utcnow()))
    response.headers["Cache-Control"] = "private, no-store"
    return response
