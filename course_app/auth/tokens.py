"""API tokens: made, named, listed, revoked; stored hashed, shown once.

A token acts with its owner's rights, checked on every request, so losing a cohort's reviewer
role also takes that cohort out of reach of the owner's tokens. Tokens are credentials, like a
password, so they live with accounts: changing a password revokes them all (`revoke_all`), and
a disabled account's tokens stop working. Who may make one is a question of cohort roles,
answered by the reports' token pages (`reports.token_views.may_make_tokens`).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..text import is_blank
from .models import ApiToken, User

PREFIX = "cat_"  # "course app token": easy to spot in a leaked config file
MAX_LIVE = 20  # live tokens per person: enough for every script, few enough to keep track of
# A script that polls the API shouldn't write on every call; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_secret(secret: str) -> str:
    """How a secret is kept (API tokens, login keys, calendar links): a long random secret
    needs no salt or slow hash, and a lookup finds it by equality."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, at: datetime) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is never shown again. Flushes.

    A name one of the person's working tokens has is refused (letters' case aside): two
    alike in the list can't be told apart when one must be revoked. A revoked token's name
    is free again."""
    name = (name or "").strip()
    if is_blank(name):
        raise TokenError("Name the token after where you'll use it, "
                         "e.g. \u201cweekly spreadsheet\u201d.", "name")
    if len(name) > 80:
        raise TokenError("Keep the name under 80 characters.", "name")
    names = list(db.session.scalars(select(ApiToken.name).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    taken = next((n for n in names if n.casefold() == name.casefold()), None)
    if taken is not None:
        raise TokenError(f"You have a token called \u201c{taken}\u201d already: name this one "
                         f"for where it will be used, e.g. \u201c{taken} (laptop)\u201d.", "name")
    live = len(names)
    if live >= MAX_LIVE:
        raise TokenError(f"You have {live} tokens that still work. Revoke one you no longer use, "
                         "then make this one.", "name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret),
                     prefix=secret[:10], created_at=at)
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """Newest first; revoked ones too, so people can see what stopped working and when."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_of(user: User, token_id: int) -> ApiToken | None:
    """One of this person's tokens; None for someone else's, so it can't be told from none."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke_token(user: User, token_id: int, at: datetime) -> ApiToken:
    """Revoking twice keeps the first time. Flushes."""
    token = token_of(user, token_id)
    if token is None:
        raise TokenError("That token doesn't exist or isn't yours.")
    if token.revoked_at is None:
        token.revoked_at = at
        db.session.flush()
    return token


def revoke_all(user: User, at: datetime) -> int:
    """Revoke every token of this person that still works (a password change does). Returns
    how many. Flushes."""
    return db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at)).rowcount


def token_for(secret: str, at: datetime) -> ApiToken | None:
    """The live token with this secret, whose owner's account is active, noting when it was
    used; None for unknown, revoked or disabled."""
    if not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = at  # so people can see which tokens are still in use; caller commits
    return token
