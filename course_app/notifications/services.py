"""In-app notifications. Domain services call `notify`; the header shows `unread_count`.

`notify` is the one place that decides whether someone still hears about a cohort: a
notification about a cohort goes only to people still in it (a learner a facilitator removed
hears nothing more), or to an admin.
"""

from datetime import datetime

from sqlalchemy import exists, func, or_, select, update

from ..auth.models import Role, User
from ..cohorts.models import Membership
from ..extensions import db
from ..paging import paginate
from .models import Notification, NotificationKind


def still_in(user_id: int, cohort_id: int) -> bool:
    return bool(db.session.scalar(select(or_(
        exists().where(Membership.user_id == user_id, Membership.cohort_id == cohort_id,
                       Membership.removed_at.is_(None)),
        exists().where(User.id == user_id, User.role == Role.ADMIN),
    ))))


def notify(user_id: int, kind: NotificationKind, text: str, at: datetime,
           link: str = "", cohort_id: int | None = None) -> Notification | None:
    """Store a notification; None (nothing stored) when it is about a cohort the person is
    no longer in. Flushes."""
    if cohort_id is not None and not still_in(user_id, cohort_id):
        return None
    notification = Notification(user_id=user_id, kind=kind, text=text, link=link,
                                cohort_id=cohort_id, created_at=at)
    db.session.add(notification)
    db.session.flush()
    return notification


def unread(user_id: int):
    """SQL: how many of the person's notifications are unread (the header asks it in its
    one query)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))


def unread_count(user_id: int) -> int:
    return db.session.scalar(unread(user_id)) or 0


def mark_read(user_id: int, at: datetime, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of a user's notifications read. Returns how many."""
    query = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=at)).rowcount


PER_PAGE = 20


def page_of(user_id: int, page: int, per_page: int = PER_PAGE):
    """One page of a user's notifications, newest first (a Flask-SQLAlchemy Pagination)."""
    return paginate(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page, per_page)


def open_notification(user_id: int, notification_id: int, at: datetime) -> Notification | None:
    """The user's own notification, marked read; None when it isn't theirs or doesn't exist."""
    notification = db.session.scalar(
        select(Notification).where(Notification.id == notification_id,
                                   Notification.user_id == user_id)
    )
    if notification is not None and notification.read_at is None:
        notification.read_at = at
        db.session.flush()
    return notification
