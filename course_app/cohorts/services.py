"""Cohorts: one run of a course, its members and its pacing."""

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..courses.models import Course
from ..extensions import db
from .models import Cohort, CohortState, MemberRole, Membership, StageRelease

# No 0/O or 1/I/L: keys are read aloud and typed from slides.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_enrolment_key() -> str:
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_key(key: str) -> str:
    """People type keys in any case, with or without the hyphen or spaces."""
    raw = "".join(ch for ch in key.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def default_release_dates(course: Course, starts_on: date) -> dict[int, date]:
    """Stage n opens when the stages before it have had their suggested days."""
    dates, day = {}, starts_on
    for stage in course.stages:
        dates[stage.number] = day
        day = day + timedelta(days=stage.suggested_days)
    return dates


def create_cohort(course: Course, name: str, facilitator: User, at: datetime,
                  starts_on: date | None = None, paced: bool = False,
                  capacity: int | None = None) -> Cohort:
    """Open a new cohort with its first facilitator. Flushes; the caller commits."""
    cohort = Cohort(
        course=course,
        name=name.strip(),
        enrolment_key=new_enrolment_key(),
        starts_on=starts_on,
        paced=paced,
        capacity=capacity,
        state=CohortState.OPEN,
        created_at=at,
    )
    if paced:
        for number, opens_on in default_release_dates(course, starts_on or at.date()).items():
            cohort.releases.append(StageRelease(stage_number=number, opens_on=opens_on))
    db.session.add(cohort)
    add_member(cohort, facilitator, MemberRole.FACILITATOR, at)
    db.session.flush()
    return cohort


def add_member(cohort: Cohort, user: User, role: MemberRole, at: datetime) -> Membership:
    """Add someone to a cohort; adding them twice is harmless (their first role stays)."""
    membership = membership_of(cohort.id, user.id)
    if membership is None:
        membership = Membership(cohort=cohort, user=user, role=role, joined_at=at)
        db.session.add(membership)
        db.session.flush()
    return membership


def membership_of(cohort_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.cohort_id == cohort_id, Membership.user_id == user_id)
    )


def cohorts_of(user: User) -> list[tuple[Cohort, Membership]]:
    rows = db.session.execute(
        select(Cohort, Membership)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.user_id == user.id, Membership.removed_at.is_(None))
        .order_by(Cohort.created_at.desc())
    )
    return [(c, m) for c, m in rows]
