"""Accounts: creating them, checking passwords, sessions."""

import secrets
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from .models import Role, User, normalise_email
from .passwords import password_problem


class AccountError(ValueError):
    """A problem with what was asked, worded for the person; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, at: datetime,
                role: Role = Role.LEARNER, about: str = "") -> User:
    """Create an account. Raises AccountError naming the field at fault. Flushes."""
    email = normalise_email(email)
    if not name.strip():
        raise AccountError("Enter the name other people will see.", "name")
    if find_by_email(email) is not None:
        raise AccountError("An account with this email already exists. Log in instead?", "email")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem, "password")
    user = User(email=email, name=name.strip(), role=role, about=about.strip(), created_at=at,
                session_token=secrets.token_hex(16))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str, at: datetime) -> User | None:
    user = find_by_email(email)
    if user is None or not user.check_password(password):
        return None
    user.last_login_at = at
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password; every other session and "remember me" cookie stops working."""
    if not user.check_password(current):
        raise AccountError("That is not your current password.", "current_password")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "new_password")
    user.set_password(new)
    user.session_token = secrets.token_hex(16)


def update_profile(user: User, name: str, about: str) -> None:
    if not name.strip():
        raise AccountError("Enter the name other people will see.", "name")
    user.name = name.strip()
    user.about = about.strip()


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<token>", so a password change ends old sessions."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user
