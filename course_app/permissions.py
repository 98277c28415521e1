"""Who may do what in a cohort: named predicates shared by views and templates.

`cohort_or_404` is the one way views load a cohort: it 404s for anyone outside the cohort
(so cohorts never reveal each other) and 403s for members who lack the right.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from flask import abort, g
from flask_login import current_user
from sqlalchemy import exists, select

from .auth.models import User
from .cohorts.models import Cohort, MemberRole, Membership
from .cohorts.services import membership_of
from .courses.models import Course, CourseAuthor, Etivity
from .extensions import db


# Discussions sit above this module: their threads and posts are passed in, never imported.
# What the predicates read of them:
class ThreadLike(Protocol):
    locked: bool
    etivity: Etivity | None
    cohort: Cohort


class PostLike(Protocol):
    author_id: int
    visible: bool
    hidden_at: datetime | None
    thread: ThreadLike


def _membership(user, cohort: Cohort) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("_memberships", {})
    key = (user.id, cohort.id)
    if key not in cache:
        cache[key] = membership_of(cohort.id, user.id)
    membership = cache[key]
    return membership if membership is not None and membership.active else None


def role_in(user, cohort: Cohort) -> MemberRole | None:
    membership = _membership(user, cohort)
    return membership.role if membership else None


def can_view_cohort(user, cohort: Cohort) -> bool:
    return bool(getattr(user, "is_authenticated", False) and
                (user.is_admin or _membership(user, cohort) is not None))


def is_learner(user, cohort: Cohort) -> bool:
    return role_in(user, cohort) == MemberRole.LEARNER


def can_facilitate(user, cohort: Cohort) -> bool:
    return bool(getattr(user, "is_authenticated", False) and
                (user.is_admin or role_in(user, cohort) == MemberRole.FACILITATOR))


def can_review(user, cohort: Cohort) -> bool:
    """Read the cohort's reports: facilitators, admins and reviewers (e.g. a sponsor)."""
    return can_facilitate(user, cohort) or role_in(user, cohort) == MemberRole.REVIEWER


def can_see_learner_report(user, cohort: Cohort, learner_id: int) -> bool:
    """A learner's progress report: the learner themself (their own only), and whoever may
    review the cohort."""
    return can_review(user, cohort) or (is_learner(user, cohort) and user.id == learner_id)


def reviews_any(user_id: int):
    """SQL: the person facilitates or reviews at least one cohort (`can_review_any` for
    anyone but an admin; the header asks it in its one query)."""
    return exists().where(
        Membership.user_id == user_id, Membership.removed_at.is_(None),
        Membership.role.in_([MemberRole.FACILITATOR, MemberRole.REVIEWER]))


def can_review_any(user) -> bool:
    """Has some cohort's reports to read (the header's "Reports" link): admins, and the
    facilitators and reviewers of at least one cohort. One small indexed query."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or bool(db.session.scalar(select(reviews_any(user.id))))


def can_post(user, cohort: Cohort) -> bool:
    """Post in the cohort at all (the e-tivity's own state is checked by the caller)."""
    return cohort.accepts_posts and (is_learner(user, cohort) or can_facilitate(user, cohort))


def can_reply(user, thread: ThreadLike) -> bool:
    """Reply in a thread: whoever may post in its cohort, unless a facilitator locked the
    thread or its e-tivity has been retired from the course. (A learner never reaches a thread
    of an e-tivity that isn't open to them yet: the view turns them away before asking.)"""
    etivity = thread.etivity
    return (not thread.locked and (etivity is None or not etivity.retired)
            and can_post(user, thread.cohort))


def _is_author(user, post: PostLike) -> bool:
    return bool(getattr(user, "is_authenticated", False) and post.author_id == user.id)


def can_edit_post(user, post: PostLike) -> bool:
    """Change your own post's text: while it is shown (not hidden, not withdrawn) and you may
    still post in the cohort. A locked thread doesn't stop it: locking stops new replies."""
    return _is_author(user, post) and post.visible and can_post(user, post.thread.cohort)


def can_withdraw_post(user, post: PostLike) -> bool:
    """Withdraw your own post: whenever you could edit it (its text is kept for the record)."""
    return can_edit_post(user, post)


def can_hide_post(user, post: PostLike) -> bool:
    """Hide a post with a reason: the cohort's facilitators, while the post is shown."""
    return post.visible and can_facilitate(user, post.thread.cohort)


def can_show_post(user, post: PostLike) -> bool:
    """Show a hidden post again: the cohort's facilitators."""
    return post.hidden_at is not None and can_facilitate(user, post.thread.cohort)


def can_see_hidden_text(user, post: PostLike) -> bool:
    """Read the text of a post a facilitator hid: its author and the cohort's facilitators."""
    return _is_author(user, post) or can_facilitate(user, post.thread.cohort)


# ---- designing courses ------------------------------------------------------

def _authorship(user, course: Course) -> CourseAuthor | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("_authorships", {})
    key = (user.id, course.id)
    if key not in cache:
        cache[key] = db.session.scalar(select(CourseAuthor).where(
            CourseAuthor.course_id == course.id, CourseAuthor.user_id == user.id))
    return cache[key]


def can_author(user, course: Course) -> bool:
    """Design the course (change its content, export it, duplicate it): its authors and
    admins."""
    return bool(getattr(user, "is_authenticated", False) and
                (user.is_admin or _authorship(user, course) is not None))


def can_manage_authors(user, course: Course) -> bool:
    """Grant and take away authorship of the course: its owner and admins."""
    authorship = _authorship(user, course)
    return bool(getattr(user, "is_authenticated", False) and
                (user.is_admin or (authorship is not None and authorship.owner)))


def designs_any(user_id: int):
    """SQL: the person is an author of at least one course (`can_design_any` for anyone but
    an admin; the header asks it in its one query)."""
    return exists().where(CourseAuthor.user_id == user_id)


def can_design_any(user) -> bool:
    """Has a course to design, and so may start new ones (the header's "Design" link):
    admins, and the authors of at least one course."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or bool(db.session.scalar(select(designs_any(user.id))))


def cohort_or_404(cohort_id: int, allowed: Callable[[User, Cohort], bool] = can_view_cohort
                  ) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_view_cohort(current_user, cohort):
        abort(404)
    if not allowed(current_user, cohort):
        abort(403)
    return cohort


def belongs_or_404(obj, cohort: Cohort):
    """The object a cohort route names (anything with a cohort_id), or 404 when it is missing
    or belongs to another cohort: cohorts never reveal each other's things."""
    if obj is None or obj.cohort_id != cohort.id:
        abort(404)
    return obj

