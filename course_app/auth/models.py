import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import UTCDateTime, utcnow
from ..extensions import db, str_enum


class Role(enum.StrEnum):
    LEARNER = "learner"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively: we store and compare them lower-cased."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    about: Mapped[str] = mapped_column(Text, default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        str_enum(Role),
        default=Role.LEARNER,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an admin (`user disable`): no login, no session, no API token works meanwhile.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person deleted their account (privacy.deletion): the row stays, emptied of who they
    # were, so their posts and others' progress stay whole; nobody can log in to it.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Which login this object was loaded through (see auth.sessions); not a column.
    login_key = None

    def set_password(self, password: str) -> None:
        # scrypt by default; tests set a cheaper scrypt cost through PASSWORD_HASH_METHOD.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and the remember-me cookie carry: the user and their login.

        Ending the login (auth.sessions) ends both cookies, on every server."""
        if not self.login_key:
            raise RuntimeError("start a login with auth.sessions.start() before login_user()")
        return f"{self.id}:{self.login_key}"

    def __eq__(self, other):
        """The same account. (Flask-Login's mixin compares get_id(), which names a login
        and needs one.)"""
        if isinstance(other, User):
            return self.id is not None and self.id == other.id
        return NotImplemented

    __hash__ = object.__hash__  # as the mixin: identity, since a new user has no id yet

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to log in an inactive user; auth.sessions loads none."""
        return self.disabled_at is None

    @property
    def is_deleted(self) -> bool:
        """Its owner deleted it (privacy.deletion): the emptied row stays for their posts, but
        it never logs in, is turned on again or comes back into a cohort."""
        return self.deleted_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Facilitators and admins may open cohorts."""
        return self.role in (Role.FACILITATOR, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginSession(db.Model):
    """One login on one device. The session cookie and the remember-me cookie name it, and
    every request checks it is still here, so logging out (which deletes it) ends both
    cookies at once on every server, even copies taken before. Only a hash of its key is
    stored: the database alone can't make a working cookie."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(db.Model):
    """A named token a facilitator or reviewer uses to fetch reports from the API.

    Only a SHA-256 hash is stored: the token itself is shown once, when it is made.
    It acts with its owner's rights, on GET requests under /api/ only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so people can tell them apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
