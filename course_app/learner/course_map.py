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
from ..rendering import short_date
from . import bp, checklist


@dataclass(frozen=True)
class MapEtivity:
    etivity: Etivity
    state: EtivityState | None  # None: seen by staff, who can open everything
    by_hand: bool = False
    left: str = ""  # what is still needed, in words
    first_post_by: rules.Suggested | None = None
    replies_by: rules.Suggested | None = None

    @property
    def enterable(self) -> bool:
        return self.state != EtivityState.LOCKED

    @property
    def suggestions(self) -> list[tuple[str, rules.Suggested]]:
        """The suggested days still to meet, in order ("first post", "replies"): the ones
        the learner has done are left out."""
        days = (("first post", self.first_post_by), ("replies", self.replies_by))
        return [(label, day) for label, day in days if day and not day.done]

    def suggested_words(self, capital: bool = False) -> str:
        """"first post by Tue 3 Feb, replies by Thu 5 Feb", saying once when days went by
        (a replies day is never before the first post's, so only the first can pass alone)."""
        days = self.suggestions
        parts = [f"{label} by {short_date(day.on)}" for label, day in days]
        if capital and parts:
            parts[0] = parts[0][0].upper() + parts[0][1:]
        passed = [day for _label, day in days if day.passed]
        if not passed:
            return ", ".join(parts)
        if len(passed) < len(parts):
            return f"{parts[0]} (that day has passed), {', '.join(parts[1:])}"
        which = "both days have" if len(parts) == 2 else "that day has"
        return f"{', '.join(parts)}: {which} passed, but it’s not too late"


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
            items = [MapEtivity(e, None, first_post_by=_timetable(release, e.first_post_day),
                                replies_by=_timetable(release, e.replies_day))
                     for e in cohort.course.etivities_in(stage.number)]
            steps.append(MapStep(stage.number, stage.title, stage.summary, items,
                                 opens_on=release, emoderator=stage.emoderator))
            continue
        status = standing.stages[stage.number]
        opened = standing.opened_on.get(stage.number)
        items = []
        for p in standing.in_stage(stage.number):
            open_ = p.state == EtivityState.OPEN
            e = p.etivity
            items.append(MapEtivity(
                e, p.state, p.by_hand, rules.describe_left(e.rule, p.counts) if open_ else "",
                *(rules.suggested_days(e.rule, e.first_post_day, e.replies_day, opened,
                                       p.counts, today) if open_ else (None, None)),
            ))
        # A stage with nothing in it is finished by the rule, but the map says "Open" there
        # rather than congratulate anyone on it.
        finished = standing.stage_finished(stage.number) and bool(items)
        steps.append(MapStep(stage.number, stage.title, stage.summary, items, status,
                             rules.describe_lock(status, today),
                             stage.number == standing.current_stage, finished, release,
                             stage.emoderator))
    return steps


def _timetable(release: date | None, day: int | None) -> rules.Suggested | None:
    """A suggested day as staff see it: the cohort's date, where it is paced (whether it is
    done or has passed is each learner's own)."""
    on = rules.day_of(release, day)
    return rules.Suggested(on) if on else None


def _next_item(steps: list[MapStep], standing: LearnerProgress | None) -> MapEtivity | None:
    """The map's entry for the learner's next step (LearnerProgress.next_step)."""
    step = standing.next_step if standing else None
    if step is None:
        return None
    return next((i for s in steps for i in s.items if i.etivity.id == step.etivity.id), None)


def _waiting(steps: list[MapStep], standing: LearnerProgress | None) -> MapStep | None:
    """The first locked step, when a learner has nothing open to do until it opens."""
    locked = standing.first_locked if standing else None
    return next((s for s in steps if s.number == locked.number), None) if locked else None


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
        next_item=_next_item(steps, standing), waiting=_waiting(steps, standing),
        checklist=checklist.shown(checks, standing) if standing else [],
        role=role_in(current_user, cohort), facilitating=can_facilitate(current_user, cohort),
        learners=learner_count(cohort) if not standing else None,
        has_toolkit=any(e.toolkit_slug for e in cohort.course.active_etivities),
    )
