"""Telling a learner a stage is open for them.

Finishing a stage says it at once (`evidence.announce_next_stage`); a facilitator opening
one early says it too (facilitate/overrides.py). In a paced cohort a stage also opens on its
release date, with nobody doing anything: the periodic job (mailings.tasks.find_due) asks
`announce_opened_today` every quarter of an hour, and each learner for whom a stage opened
today by its date is told once (a notification, and an email as they chose for stages).
"""

from datetime import UTC, datetime, time

from sqlalchemy import select

from ..cohorts.models import Cohort, CohortState, StageRelease
from ..extensions import db
from ..notifications.models import Notification, NotificationKind
from ..notifications.services import notify
from .standing import cohort_progress


def stage_open_text(cohort: Cohort, number: int) -> str:
    """The one sentence for "this stage is open for you", however it opened."""
    title = next((s.title for s in cohort.course.stages if s.number == number), "")
    return f"Stage {number}, {title}, is open for you in {cohort.name}."


def announce_opened_today(now: datetime) -> int:
    """Tell each active learner of a live, paced cohort about a stage that opened for them
    today by its release date (not early, not before they finished the stage before it).
    Someone already told today, by this job or on finishing the stage, is not told again.
    Returns how many were told. Queries: two, and a fixed number for each cohort with a
    release today."""
    today = now.date()
    cohorts = db.session.scalars(
        select(Cohort).join(StageRelease, StageRelease.cohort_id == Cohort.id)
        .where(StageRelease.opens_on == today, Cohort.paced.is_(True),
               Cohort.state.in_([CohortState.OPEN, CohortState.RUNNING]))
        .distinct())
    told = 0
    for cohort in cohorts:
        numbers = sorted(r.stage_number for r in cohort.releases if r.opens_on == today)
        already = {(user_id, text) for user_id, text in db.session.execute(
            select(Notification.user_id, Notification.text).where(
                Notification.cohort_id == cohort.id,
                Notification.kind == NotificationKind.STAGE_OPENED,
                Notification.created_at >= datetime.combine(today, time(), UTC)))}
        for user_id, standing in cohort_progress(cohort, today).items():
            for number in numbers:
                status = standing.stages.get(number)
                if status is None or not status.open or status.early or \
                        standing.opened_on.get(number) != today:
                    continue
                text = stage_open_text(cohort, number)
                if (user_id, text) not in already and notify(
                        user_id, NotificationKind.STAGE_OPENED, text, now,
                        link=f"/cohorts/{cohort.id}", cohort_id=cohort.id):
                    told += 1
    return told
