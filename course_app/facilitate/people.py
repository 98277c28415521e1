"""The people of a cohort as a facilitator sees them: co-facilitators and reviewers added,
someone removed, and the lists behind the people page, the home page and "which learner"."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..auth.models import User
from ..auth.services import find_by_email
from ..cohorts import services as cohorts
from ..cohorts.models import Cohort, MemberRole, Membership
from ..database import added
from ..extensions import db
from ..paging import paginate
from ..rendering import plural
from .audit import record
from .errors import FacilitateError
from .models import AuditAction


def add_staff(cohort: Cohort, actor: User, email: str, role: MemberRole,
              at: datetime) -> Membership:
    """Add a co-facilitator or a reviewer (read-only reports, e.g. a sponsor) by email."""
    if role not in (MemberRole.FACILITATOR, MemberRole.REVIEWER):
        raise FacilitateError("Choose facilitator or reviewer.", "role")
    user = find_by_email(email)
    if user is None:
        raise FacilitateError("Nobody has an account with that email yet. Ask them to create "
                              "one first, then add them here.", "email")
    _check_account_fits(user, role)
    membership = cohorts.membership_of(cohort.id, user.id)
    if membership is not None and membership.active:
        raise _already_in(user, membership)
    if membership is None:
        membership = Membership(cohort_id=cohort.id, user_id=user.id, role=role, joined_at=at)
        done_here = added(membership)
        if not done_here:  # another facilitator added them at this same moment
            membership = cohorts.membership_of(cohort.id, user.id)
    else:  # removed once: brought back, on the row as it is now (another may be at it too);
        cohorts.lock(cohort)  # the cohort first, then the membership: the one order
        db.session.refresh(membership, with_for_update=True)
        done_here = not membership.active
        if done_here:
            membership.role, membership.removed_at, membership.joined_at = role, None, at
    if not done_here:  # done by the other request: as asked, so done; else say what it did
        if membership.active and membership.role == role:
            return membership
        raise _already_in(user, membership)
    record(cohort, actor, AuditAction.STAFF, f"Added {user.name} as {role.value}", at,
           target=f"user {user.id}")
    return membership


def _already_in(user: User, membership: Membership) -> FacilitateError:
    return FacilitateError(f"{user.name} is already in this cohort as a "
                           f"{membership.role.value}.", "email")


def _check_account_fits(user: User, role: MemberRole) -> None:
    """Only facilitator and admin accounts can facilitate a cohort, and a deleted account
    joins none: deleting it took its owner out of every cohort for good (docs/security.md)."""
    if user.is_deleted:
        raise FacilitateError("That account was deleted by its owner, and a deleted account "
                              "can't come back into a cohort.", "email")
    if role == MemberRole.FACILITATOR and not user.is_staff:
        raise FacilitateError(f"{user.name} has a learner account. Only facilitator or admin "
                              "accounts can facilitate; add them as a reviewer instead.", "role")


def remove_member(cohort: Cohort, membership: Membership, actor: User, at: datetime) -> None:
    """Take someone out of the cohort. Their posts stay; they can no longer enter."""
    if membership.cohort_id != cohort.id:
        raise FacilitateError("That person is not in this cohort.")
    if membership.user_id == actor.id:
        raise FacilitateError("You can't remove yourself; ask another facilitator.")
    # One removal at a time, each counting what the one before left: two facilitators
    # removing each other at once leave one of them.
    cohorts.lock(cohort)
    if not _facilitates_now(cohort, actor):  # removed by another a moment ago
        raise FacilitateError("Another facilitator removed you from this cohort a moment ago, "
                              "so nobody was removed.")
    db.session.refresh(membership)
    if not membership.active:
        raise FacilitateError(f"Another facilitator removed {membership.user.name} from the "
                              "cohort a moment ago.")
    if membership.role == MemberRole.FACILITATOR:
        others = db.session.scalar(select(func.count(Membership.id)).where(
            Membership.cohort_id == cohort.id, Membership.role == MemberRole.FACILITATOR,
            Membership.removed_at.is_(None), Membership.id != membership.id))
        if not others:
            raise FacilitateError("A cohort needs at least one facilitator.")
    membership.removed_at = at
    record(cohort, actor, AuditAction.REMOVE, f"Removed {membership.user.name} "
           f"({membership.role.value}) from the cohort; their posts stay", at,
           target=f"user {membership.user_id}")


def _facilitates_now(cohort: Cohort, actor: User) -> bool:
    """Read under the cohort's lock: the page that sent the request checked it before."""
    return actor.is_admin or bool(db.session.scalar(select(func.count(Membership.id)).where(
        Membership.cohort_id == cohort.id, Membership.user_id == actor.id,
        Membership.role == MemberRole.FACILITATOR, Membership.removed_at.is_(None))))


def bring_back(cohort: Cohort, membership: Membership, actor: User, at: datetime) -> None:
    """Undo a removal: the person is in the cohort again in the role they had, with their
    posts and progress as they were."""
    name = membership.user.name
    if membership.cohort_id != cohort.id:
        raise FacilitateError("That person is not in this cohort.")
    if membership.active:
        raise FacilitateError(f"{name} is already in this cohort.")
    _check_account_fits(membership.user, membership.role)
    if membership.role == MemberRole.LEARNER:
        cohorts.hold_places(cohort)
        if cohorts.is_full(cohort):
            raise FacilitateError(f"{cohort.name} is full "
                                  f"({plural(cohort.capacity, 'learner', 'learners')}): give it "
                                  "more places in Settings first.")
    membership.removed_at = None
    record(cohort, actor, AuditAction.BRING_BACK, f"Brought {name} ({membership.role.value}) "
           "back into the cohort", at, target=f"user {membership.user_id}")


# ---- reading ------------------------------------------------------------------------

def learners_of(cohort: Cohort) -> dict[int, tuple[User, Membership]]:
    """{user id: (user, membership)} of the cohort's active learners."""
    rows = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.active_learners(cohort.id))
    ).all()
    return {u.id: (u, m) for u, m in rows}


def learner_choices(cohort: Cohort) -> list[User]:
    """The cohort's active learners, by name: for "which learner" selects."""
    return sorted((u for u, _m in learners_of(cohort).values()), key=lambda u: (u.name, u.id))


def users_by_id(ids: set[int | None]) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def facilitated_by(user: User, live: bool):
    """The cohorts a person runs (all of them for an admin), live ones (open or running) or
    the others, newest first: a query, to page through."""
    query = (select(Cohort)
             .where(Cohort.live_condition() if live else ~Cohort.live_condition())
             .order_by(Cohort.created_at.desc(), Cohort.id.desc()))
    if not user.is_admin:
        query = query.join(Membership, Membership.cohort_id == Cohort.id).where(
            Membership.user_id == user.id, Membership.role == MemberRole.FACILITATOR,
            Membership.removed_at.is_(None))
    return query


def learner_counts(cohort_ids: list[int]) -> dict[int, int]:
    """{cohort id: active learners} in one query."""
    if not cohort_ids:
        return {}
    return dict(db.session.execute(
        select(Membership.cohort_id, func.count(Membership.id))
        .where(Membership.cohort_id.in_(cohort_ids), Membership.active_learners())
        .group_by(Membership.cohort_id)
    ).all())


def learners_page(cohort: Cohort, page: int, per_page: int = 50):
    """A page of the cohort's active learners (memberships, by name)."""
    return paginate(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.active_learners(cohort.id)).order_by(User.name, User.id),
        page, per_page)


def staff(cohort: Cohort) -> tuple[list[Membership], list[Membership]]:
    """(facilitators, reviewers) in the cohort now, each by name."""
    rows = db.session.scalars(
        select(Membership).join(Membership.user).options(contains_eager(Membership.user))
        .where(Membership.cohort_id == cohort.id, Membership.removed_at.is_(None),
               Membership.role != MemberRole.LEARNER)
        .order_by(User.name, User.id)
    ).all()
    return ([m for m in rows if m.role == MemberRole.FACILITATOR],
            [m for m in rows if m.role == MemberRole.REVIEWER])


def removed(cohort: Cohort):
    """The people taken out of the cohort, the most recently removed first: a query, to page
    through."""
    return (select(Membership).options(selectinload(Membership.user))
            .where(Membership.cohort_id == cohort.id, Membership.removed_at.is_not(None))
            .order_by(Membership.removed_at.desc(), Membership.id.desc()))
