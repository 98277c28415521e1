"""Accounts: creating them, checking passwords, disabling them."""

from datetime import datetime
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import database
from ..extensions import db
from ..text import is_blank, one_line
from . import sessions, tokens
from .models import Role, User, normalise_email
from .passwords import password_problem

# The one answer to a failed login, whatever failed: nobody learns which emails have accounts.
LOGIN_REFUSED = "That email and password don't match an account. Check them and try again."
ACCOUNT_EXISTS = "An account with this email already exists. Log in instead?"
CURRENT_PASSWORD_WRONG = "That is not your current password."
NAME_MISSING = "Enter the name other people will see."
# What someone is told about a typed address that isn't one: beside a form's field, and after
# a line's number in a list of addresses (invites). email_validator's own messages ("The part
# after the @-sign contains invalid characters") are for programmers, never shown.
ENTER_AN_EMAIL = "Enter an email address like name@example.org."
NOT_AN_EMAIL = "not an email address (they look like name@example.org)"


class AccountError(ValueError):
    """A problem with what was asked, worded for the person; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LoginRefused(AccountError):
    """A failed login. `reason` ("unknown", "wrong-password", "disabled") is for the security
    log; the message shown is the same for an unknown email and a wrong password."""

    def __init__(self, reason: str, message: str = LOGIN_REFUSED):
        super().__init__(message, "password")
        self.reason = reason


def email_address(text: str) -> str | None:
    """`text` as the address we store (`normalise_email`), or None when it isn't an email
    address. The one check of an address's shape: forms (`auth.forms.EmailAddress`) and
    invites call it, and word the refusal with ENTER_AN_EMAIL or NOT_AN_EMAIL."""
    try:
        return normalise_email(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def find_by_email(email: str) -> User | None:
    """The account of this address, as `create_user` stored it (`email_address`: one Unicode
    form, any case, the domain in letters); text that isn't an address, lower-cased. Also
    as only lower-cased: accounts made before create_user stored `email_address`'s form."""
    typed = normalise_email(email or "")
    forms = {email_address(typed) or typed, typed}
    return db.session.scalar(select(User).where(User.email.in_(forms)).order_by(User.id))


def create_user(email: str, name: str, password: str, at: datetime,
                role: Role = Role.LEARNER, about: str = "") -> User:
    """Create an account. Raises AccountError naming the field at fault. Flushes. The address
    is stored as `email_address` gives it, the form every lookup compares (`find_by_email`,
    invites' "already in the cohort")."""
    address, name = email_address((email or "").strip()), one_line(name)
    if address is None:  # for every caller, not only the forms that check first
        raise AccountError(ENTER_AN_EMAIL, "email")
    email = address
    if is_blank(name):
        raise AccountError(NAME_MISSING, "name")
    if find_by_email(email) is not None:
        raise AccountError(ACCOUNT_EXISTS, "email")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem, "password")
    user = User(email=email, name=name, role=role, about=about.strip(), created_at=at)
    user.set_password(password)
    if not database.added(user):  # the same address registered at the same moment
        raise AccountError(ACCOUNT_EXISTS, "email")
    return user


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def authenticate(email: str, password: str, at: datetime) -> User:
    """The user with this email and password, or LoginRefused.

    An unknown email costs one password check too (against a stand-in hash), so the answer
    takes as long as for a wrong password: timing doesn't tell which emails have accounts.
    """
    user = find_by_email(email)
    if user is None:
        check_password_hash(_stand_in_hash(current_app.config.get("PASSWORD_HASH_METHOD",
                                                                  "scrypt")), password)
        raise LoginRefused("unknown")
    if not user.check_password(password):
        raise LoginRefused("wrong-password")
    if not user.is_active:  # only someone who knows the password learns this
        raise LoginRefused("disabled", "This account has been disabled. Ask the person who "
                                       "runs your course to turn it back on.")
    user.last_login_at = at
    return user


def change_password(user: User, current: str, new: str, at: datetime) -> int:
    """Change a password. Every login of this user ends, on every device (the caller starts
    a new one for the device that asked), and every API token is revoked: whoever knew the
    old password may have made one. Returns how many tokens were revoked. Flushes."""
    if not user.check_password(current):
        raise AccountError(CURRENT_PASSWORD_WRONG, "current_password")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "new_password")
    user.set_password(new)
    sessions.end_all(user)
    revoked = tokens.revoke_all(user, at)
    db.session.flush()
    return revoked


def disable(user: User, at: datetime) -> int:
    """An admin turns an account off: its logins end at their next request, its API tokens
    are revoked, and it can't log in until enabled again. Its posts stay. Returns how many
    tokens were revoked. Flushes."""
    if user.disabled_at is None:
        user.disabled_at = at
    sessions.end_all(user)
    revoked = tokens.revoke_all(user, at)
    db.session.flush()
    return revoked


def enable(user: User) -> None:
    if user.is_deleted:
        raise AccountError("This account was deleted by its owner: it can't be turned on again.")
    user.disabled_at = None


def update_profile(user: User, name: str, about: str) -> None:
    name = one_line(name)
    if is_blank(name):
        raise AccountError(NAME_MISSING, "name")
    user.name = name
    user.about = about.strip()
