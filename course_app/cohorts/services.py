"""Cohorts: one run of a course, its members and its pacing."""

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..content.fields import DAY_MAX
from ..courses.models import Course
from ..extensions import db
from ..rendering import exact_time
from ..text import one_line
from .models import Cohort, CohortState, Invite, MemberRole, Membership, StageRelease

# No 0/O or 1/I/L: keys are read aloud and typed from slides.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_enrolment_key() -> str:
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_key(key: str) -> str:
    """People type keys in any case, with or without the hyphen or spaces."""
    raw = "".join(ch for ch in key.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def default_release_dates(course: Course, starts_on: date,
                          given: dict[int, date | None] | None = None) -> dict[int, date]:
    """Stage n opens when the stages before it have had their suggested days. A date in
    `given` is kept for its stage, and the stages after it count on from that date. A stage
    stored with more than DAY_MAX suggested days (before content had that bound) counts as
    DAY_MAX, so the dates stay on the calendar."""
    given = given or {}
    dates, day = {}, starts_on
    for stage in course.stages:
        dates[stage.number] = given.get(stage.number) or day
        day = dates[stage.number] + timedelta(days=min(stage.suggested_days, DAY_MAX))
    return dates


def create_cohort(course: Course, name: str, facilitator: User, at: datetime,
                  starts_on: date | None = None, paced: bool = False,
                  capacity: int | None = None) -> Cohort:
    """Open a new cohort with its first facilitator. Flushes; the caller commits."""
    cohort = Cohort(
        course=course,
        name=one_line(name),
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
    """The cohorts someone is in, newest first, each loaded with its release dates and its
    course's stages and e-tivities (the home page's cards read them, a few queries for all)."""
    rows = db.session.execute(
        select(Cohort, Membership)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.user_id == user.id, Membership.removed_at.is_(None))
        .order_by(Cohort.created_at.desc())
        .options(selectinload(Cohort.releases),
                 selectinload(Cohort.course).selectinload(Course.stages),
                 selectinload(Cohort.course).selectinload(Course.etivities))
    )
    return [(c, m) for c, m in rows]


# ---- enrolment -----------------------------------------------------------------

WRONG_KEY = ("We don't know that key. Check it with your facilitator; it looks like ABCD-EFGH.")


class EnrolError(ValueError):
    """Why someone could not join a cohort, worded for them. Nothing was created."""


class AlreadyEnrolled(EnrolError):
    """Not a failure: they are in the cohort already (as `membership` says), so nothing changed."""

    def __init__(self, message: str, membership: Membership):
        super().__init__(message)
        self.membership = membership


def learner_count(cohort: Cohort) -> int:
    """Active learners: what a cohort's capacity counts."""
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.active_learners(cohort.id))
    ) or 0


def is_full(cohort: Cohort) -> bool:
    """No room for another learner: as many active learners as the cohort's capacity."""
    return cohort.capacity is not None and learner_count(cohort) >= cohort.capacity


def lock(cohort: Cohort) -> None:
    """Lock the cohort's row (PostgreSQL) until the transaction ends, and read it as it is
    now: what changes the cohort as a whole (its places, its state, its facilitators) then
    happens one request at a time, each reading what the one before left."""
    db.session.get(Cohort, cohort.id, with_for_update=True, populate_existing=True)


def hold_places(cohort: Cohort) -> None:
    """Lock the cohort's row (PostgreSQL) until the transaction ends, so two people can't
    both take its last place: before `is_full`, when a learner is about to take one."""
    lock(cohort)


def check_enrolment(cohort: Cohort, user: User) -> None:
    """Raise AlreadyEnrolled or EnrolError when `user` can't join `cohort` as a learner now.

    Writes nothing, so a page can ask before offering a "Join" button.
    """
    membership = membership_of(cohort.id, user.id)
    if membership is not None:
        if not membership.active:
            raise EnrolError("You were removed from this cohort, so you can't rejoin it "
                             "yourself. If you think that's a mistake, contact its facilitator.")
        if membership.role == MemberRole.FACILITATOR:
            raise AlreadyEnrolled("You already run this cohort as a facilitator.", membership)
        if membership.role == MemberRole.REVIEWER:
            raise AlreadyEnrolled("You already follow this cohort as a reviewer.", membership)
        raise AlreadyEnrolled("You're already in this cohort.", membership)
    if not cohort.accepts_enrolment:
        why = ("is closed to new learners" if cohort.state == CohortState.CLOSED
               else "has finished and no longer takes new learners")
        raise EnrolError(f"{cohort.name} {why}. Ask your facilitator which cohort to join "
                         "instead.")
    if is_full(cohort):
        raise EnrolError(f"{cohort.name} is full. Ask your facilitator about a place in "
                         "another cohort.")


def enrol(cohort: Cohort, user: User, at: datetime) -> Membership:
    """Make `user` a learner of `cohort`. Raises EnrolError (nothing created) or
    AlreadyEnrolled (nothing changed). Flushes; the caller commits."""
    hold_places(cohort)
    check_enrolment(cohort, user)
    membership = Membership(cohort=cohort, user=user, role=MemberRole.LEARNER, joined_at=at)
    db.session.add(membership)
    db.session.flush()
    return membership


def cohort_by_key(key: str) -> Cohort | None:
    normalised = normalise_key(key or "")
    if not normalised:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.enrolment_key == normalised))


def enrol_with_key(key: str, user: User, at: datetime) -> Membership:
    """Join the cohort whose enrolment key this is, typed in any case, with or without the
    hyphen. Raises EnrolError or AlreadyEnrolled like `enrol`."""
    cohort = cohort_by_key(key)
    if cohort is None:
        raise EnrolError(WRONG_KEY)
    return enrol(cohort, user, at)


def create_invite(cohort: Cohort, created_by: User | None, at: datetime,
                  expires_at: datetime | None = None, email: str | None = None) -> Invite:
    """A link that enrols whoever follows it, until it expires or is revoked. Flushes."""
    invite = Invite(cohort=cohort, token=secrets.token_urlsafe(24), email=email,
                    created_by_id=created_by.id if created_by else None, created_at=at,
                    expires_at=expires_at)
    db.session.add(invite)
    db.session.flush()
    return invite


def usable_invite(token: str, at: datetime) -> Invite:
    """The invite behind a link, or EnrolError saying why it can't be used."""
    invite = db.session.scalar(select(Invite).where(Invite.token == token)) if token else None
    if invite is None:
        raise EnrolError("We don't recognise this invite link. Check you copied all of it, "
                         "or ask your facilitator for a new one.")
    if invite.revoked_at is not None:
        raise EnrolError("This invite link has been withdrawn. Ask your facilitator for a "
                         "new one, or join with the cohort's enrolment key.")
    if not invite.usable(at):
        raise EnrolError(f"This invite link expired on {exact_time(invite.expires_at)}. Ask your "
                         "facilitator for a new one, or join with the cohort's enrolment key.")
    return invite


def enrol_with_invite(token: str, user: User, at: datetime) -> Membership:
    """Join the cohort an invite link is for; counts a use when someone new joins.
    Raises EnrolError or AlreadyEnrolled like `enrol`."""
    invite = usable_invite(token, at)
    membership = enrol(invite.cohort, user, at)
    # Counted in SQL: of several joining at once through one link, each use counts.
    db.session.execute(update(Invite).where(Invite.id == invite.id)
                       .values(uses=Invite.uses + 1),
                       execution_options={"synchronize_session": False})
    db.session.expire(invite, ["uses"])
    return membership


def facilitators_of(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id, Membership.role == MemberRole.FACILITATOR,
               Membership.removed_at.is_(None))
        .order_by(User.name)
    ))
