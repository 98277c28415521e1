"""The course map: Salmon's five steps with each e-tivity's state, the next step, and (for
a learner) the stage 1 checklist. Staff see the cohort's map without progress of their own."""

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_login import current_user, login_required

from ..clock import utcnow
from ..cohorts.models import Cohort
from ..cohorts.services import learner_count
from ..courses.models import Etivity
from ..permissions import can_facilitate, cohort_or_404, is_learner, role_in
from ..progress import rules
from ..progress.rules import EtivityState, StageStatus
from ..progress.standing import LearnerProgress, learner_progress
from . import bp, checklist


@dataclass(frozen=True)
class MapEtivity:
    etivity: Etivity
    state: EtivityState | None  # None: seen by staff, who can open everything
    by_hand: bool = False
    left: str = ""  # what is still needed, in words
    first_post_by: date | None = None
    replies_by: date | None = None

    @property
    def enterable(self) -> bool:
        return self.state != EtivityState.LOCKED


@dataclass(frozen=True)
class MapStep:
    number: int
    title: str
    summary: str
    items: list[MapEtivity]
    status: StageStatus | None = None  # None for staff
    lock: str = ""  # why it is locked, in words
    current: bool = False
    finished: bool = False
    opens_on: date | None = None  # the cohort's release date, where paced
    emoderator: str = ""  # the stage's e-moderator notes (the page shows them to facilitators)


def course_map(cohort: Cohort, standing: LearnerProgress | None, today: date) -> list[MapStep]:
    """The five steps with their e-tivities: a learner's own states, or (standing None)
    the cohort as its facilitators see it."""
    steps = []
    for stage in cohort.course.stages:
        release = cohort.release_date(stage.number)
        if standing is None:
            items = [MapEtivity(e, None, first_post_by=rules.day_of(release, e.first_post_day),
                                replies_by=rules.day_of(release, e.replies_day))
                     for e in cohort.course.etivities_in(stage.number)]
            steps.append(MapStep(stage.number, stage.title, stage.summary, items,
                                 opens_on=release, emoderator=stage.emoderator))
            continue
        status = standing.stages[stage.number]
        opened = standing.opened_on.get(stage.number)
        items = []
        for p in standing.in_stage(stage.number):
            open_ = p.state == EtivityState.OPEN
            items.append(MapEtivity(
                p.etivity, p.state, p.by_hand,
                rules.describe_left(p.etivity.rule, p.counts) if open_ else "",
                rules.day_of(opened, p.etivity.first_post_day) if open_ else None,
                rules.day_of(opened, p.etivity.replies_day) if open_ else None,
            ))
        # A stage with nothing in it is finished by the rule, but the map says "Open" there
        # rather than congratulate anyone on it.
        finished = standing.stage_finished(stage.number) and bool(items)
        steps.append(MapStep(stage.number, stage.title, stage.summary, items, status,
                             rules.describe_lock(status, today),
                             stage.number == standing.current_stage, finished, release,
                             stage.emoderator))
    return steps


def _next_item(steps: list[MapStep], standing: LearnerProgress | None) -> MapEtivity | None:
    """The map's entry for the learner's next step (LearnerProgress.next_step)."""
    step = standing.next_step if standing else None
    if step is None:
        return None
    return next((i for s in steps for i in s.items if i.etivity.id == step.etivity.id), None)


def _waiting(steps: list[MapStep]) -> MapStep | None:
    """The first locked step, when a learner has nothing open to do until it opens."""
    return next((s for s in steps if s.status is not None and not s.status.open), None)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def map(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    today = utcnow().date()
    standing = (learner_progress(cohort, current_user.id, today)
                if is_learner(current_user, cohort) else None)
    steps = course_map(cohort, standing, today)
    checks = checklist.onboarding(cohort, current_user, standing) if standing else []
    return render_template(
        "learner/map.html", cohort=cohort, standing=standing, steps=steps,
        next_item=_next_item(steps, standing), waiting=_waiting(steps),
        checklist=checklist.shown(checks, standing) if standing else [],
        role=role_in(current_user, cohort), facilitating=can_facilitate(current_user, cohort),
        learners=learner_count(cohort) if not standing else None,
        has_toolkit=any(e.toolkit_slug for e in cohort.course.active_etivities),
    )
