"""A paced cohort's stage that opens on its date tells each learner it opened for, once:
nobody else is told, a stage opened early is not announced again, and the notification
brings its email as the learner chose (progress/announcements.py, mailings.tasks)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.extensions import db
from course_app.jobs import queue
from course_app.mailings.tasks import announce_stages
from course_app.notifications.models import Notification, NotificationKind
from course_app.progress import overrides
from course_app.progress.announcements import announce_opened_today, stage_open_text
from learner_journey import finish_stage_1


@pytest.fixture
def now():
    """One moment for the whole test: a run that crosses midnight must not change "today"."""
    return utcnow()


@pytest.fixture
def paced(factory, course, facilitator, now):
    """Ten days in; stage 2's date is today. Ana finished stage 1 yesterday; Ben did not."""
    cohort = factory.cohort(course=course, facilitator=facilitator, paced=True,
                            starts_on=now.date() - timedelta(days=10))
    for release in cohort.releases:
        if release.stage_number == 2:
            release.opens_on = now.date()
        elif release.stage_number > 2:
            release.opens_on = now.date() + timedelta(days=7 * release.stage_number)
    ana, ben, peer = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Pat"))
    for membership in cohort.memberships:
        membership.joined_at = now - timedelta(days=10)
    finish_stage_1(cohort, ana, peer, at=now - timedelta(days=1))
    db.session.commit()
    return cohort, ana, ben


def told(cohort) -> list[tuple[int, str]]:
    return [(n.user_id, n.text) for n in db.session.scalars(
        select(Notification).where(Notification.cohort_id == cohort.id,
                                   Notification.kind == NotificationKind.STAGE_OPENED,
                                   Notification.text.like("% is open for you %")))]


def test_a_stage_opening_on_its_date_tells_who_it_opened_for_once(paced, now):
    cohort, ana, _ben = paced
    queue.huey.flush()
    assert announce_stages(now) == 1
    assert told(cohort) == [(ana.id, stage_open_text(cohort, 2))]
    assert stage_open_text(cohort, 2) == (
        f"Stage 2, Online socialisation, is open for you in {cohort.name}.")
    assert "email_notification" in [task.name for task in queue.huey.pending()]
    assert announce_stages(now + timedelta(seconds=1)) == 0  # the next run: told already
    assert len(told(cohort)) == 1


def test_someone_told_on_finishing_the_stage_today_is_not_told_again(paced, factory, now):
    cohort, ana, ben = paced
    peer = factory.learner_in(cohort)
    finish_stage_1(cohort, ben, peer, at=now)  # today: stage 2 opens for Ben as he finishes
    db.session.commit()
    assert (ben.id, stage_open_text(cohort, 2)) in told(cohort)
    assert announce_opened_today(now + timedelta(seconds=5)) == 1  # Ana only
    assert sorted(told(cohort)) == sorted([(ana.id, stage_open_text(cohort, 2)),
                                           (ben.id, stage_open_text(cohort, 2))])


def test_a_stage_opened_early_is_not_announced_on_its_date(paced, facilitator, now):
    cohort, _ana, _ben = paced
    overrides.open_early(cohort, facilitator.id, now - timedelta(days=2), stage_number=2)
    db.session.commit()
    before = told(cohort)
    assert announce_opened_today(now) == 0
    assert told(cohort) == before


def test_a_closed_or_self_paced_cohort_announces_nothing(paced, now):
    from course_app.cohorts.models import CohortState

    cohort, _ana, _ben = paced
    cohort.state = CohortState.CLOSED
    db.session.commit()
    assert announce_opened_today(now) == 0
    cohort.state, cohort.paced = CohortState.RUNNING, False
    db.session.commit()
    assert announce_opened_today(now) == 0
