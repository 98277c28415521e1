"""Logins that end when they should: one `LoginSession` row per login on a device.

The session cookie and the remember-me cookie both carry "<user id>:<login key>" (User.get_id),
and Flask-Login's user loader (`user_for`) accepts them only while that login's row exists,
has not expired, and the account is not disabled. The check reads the database, so it holds
on every worker and server at the next request:

- logging out deletes this device's row (other devices stay logged in);
- "log out everywhere", a password change and disabling an account delete every row;
- a row lives as long as its cookie may (`lifetime`), then stops working even if kept.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..extensions import db
from .models import LoginSession, User
from .tokens import hash_secret


def lifetime(config, remember: bool) -> timedelta:
    """How long a login may last: as long as the cookie that carries it."""
    return config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]


def start(user: User, at: datetime, lasts: timedelta) -> None:
    """A new login for `user`, whose key `user.get_id()` now carries. Also drops this user's
    expired logins, so rows don't pile up. Flushes."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.expires_at <= at))
    key = secrets.token_urlsafe(24)
    db.session.add(LoginSession(user_id=user.id, key_hash=hash_secret(key), created_at=at,
                                expires_at=at + lasts))
    db.session.flush()
    user.login_key = key


def user_for(session_id: str, at: datetime) -> User | None:
    """Flask-Login's loader: the active user whose login this is, or None. One query."""
    user_id, _, key = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 19) or not key:
        return None
    user = db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == int(user_id), LoginSession.key_hash == hash_secret(key),
               LoginSession.expires_at > at, User.disabled_at.is_(None)))
    if user is not None:
        user.login_key = key
    return user


def end(user: User) -> None:
    """Log out this login only (the device it was made on). Flushes."""
    if user.login_key:
        db.session.execute(delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.key_hash == hash_secret(user.login_key)))
    user.login_key = None


def end_all(user: User) -> int:
    """Log out every login of this user, on every device. Returns how many ended."""
    ended = db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount
    user.login_key = None
    return ended


def others(user: User, at: datetime) -> int:
    """How many other live logins this user has (other devices or browsers)."""
    query = select(func.count(LoginSession.id)).where(
        LoginSession.user_id == user.id, LoginSession.expires_at > at)
    if user.login_key:
        query = query.where(LoginSession.key_hash != hash_secret(user.login_key))
    return db.session.scalar(query) or 0
