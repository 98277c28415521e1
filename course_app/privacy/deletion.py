"""Deleting an account: the person goes, the conversation stays whole.

What happens, and why (docs/security.md says the same):

- **The account row stays, emptied**: name "A former learner", an address that can't receive
  mail, no password, no "about", disabled and marked deleted. Posts, threads and others'
  evidence point at it (a reply to a peer counts that peer), so removing the row would
  break threads and silently lower other learners' counts.
- **Their posts stay, shown as by "A former learner"**, so threads and the replies to them
  still read. Withdrawn posts lose their text now, and earlier versions of edited posts go.
- **What only they used goes**: logins, API tokens, notifications, which posts they had read,
  their consent to be named on a published toolkit.
- **Their evidence and completions stay**, attached to the emptied row: the cohort's past
  figures (an e-tivity's participants and completions, the weekly chart) don't change
  after the fact. They leave every cohort (as a removed learner does), so they drop out of
  the learner grid, the at-risk list and the interaction map.
- **Their name and email go from others' records too**: the audit log's entries about them
  or their posts and the nudges sent to them, invites sent to their address, and the reply
  notifications their posts caused.
"""

import re
from datetime import datetime

from sqlalchemy import delete, select, update

from ..auth.models import ApiToken, LoginSession, Role, User
from ..cohorts.models import Invite, MemberRole, Membership
from ..discussions.models import Post, PostRead, PostRevision
from ..discussions.weaves import Citation
from ..extensions import db
from ..facilitate.models import AuditAction, AuditEntry
from ..facilitate.nudges import NAMED, audit_summary
from ..facilitate.people import users_by_id
from ..feeds.models import CalendarFeed
from ..mailings.models import EmailPreference
from ..notifications.models import Notification
from ..toolkit.models import ToolkitConsent

FORMER = "A former learner"
NOT_A_PASSWORD = "!deleted"  # werkzeug's check_password_hash never accepts it
# In words someone wrote (a nudge's message), a name shorter than this is too likely to be
# a word of its own ("I", "A", "Al" in "Al fresco"): it is left as it is there.
NAME_MIN_IN_WORDS = 3


class DeletionRefused(ValueError):
    """Why the account was not deleted, worded for its owner; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def may_delete_own_account(user: User) -> bool:
    """Learners delete their own accounts. A facilitator's or admin's account carries their
    cohorts' audit trail: an admin disables it instead (`user disable`). So does a learner's
    account that co-facilitates a cohort: another facilitator removes them first."""
    if user.role != Role.LEARNER or user.is_deleted:
        return False
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == MemberRole.FACILITATOR,
        Membership.removed_at.is_(None)).limit(1)) is None


def delete_account(user: User, password: str, at: datetime) -> None:
    """The owner deletes their account, confirming with their password. Flushes."""
    if not may_delete_own_account(user):
        raise DeletionRefused("Accounts that facilitate can't be deleted here. Ask an admin, "
                              "who can disable the account.")
    if not user.check_password(password or ""):
        raise DeletionRefused("That is not your password.", "password")
    anonymise(user, at)


def without_name(text: str, name: str, shortest: int = 1) -> str:
    """`text` with `name` as FORMER wherever it stands as a whole word, never inside another
    ("Sam" goes from "Sam, Sample the Samba" only at the start). A word's edge is where
    letters and digits of any script stop (no letter or digit just before the name, none
    just after it), so "Zoë" ends at its "ë", and a name ending in "." or ")" still ends
    there. A name shorter than `shortest` characters is left. The migration f266fd228979
    keeps a copy of this."""
    name = name.strip()
    if len(name) < max(shortest, 1):
        return text
    return re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", FORMER, text)


def _their_posts(user: User) -> list[int]:
    return list(db.session.scalars(select(Post.id).where(Post.author_id == user.id)))


def _scrub_others_records(user: User, post_ids: list[int]) -> None:
    """Their name and email out of the audit log, invites and reply notifications."""
    name, email = user.name, user.email
    targets = {f"user {user.id}"} | {f"post {i}" for i in post_ids}
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.target.in_(targets))):
        entry.summary = without_name(entry.summary, name)
    for entry in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.INVITE)):
        emails = (entry.detail or {}).get("emails") or []
        if email in emails:
            entry.detail = {**entry.detail,
                            "emails": [None if e == email else e for e in emails]}
    _scrub_nudges(user)
    db.session.execute(update(Invite).where(Invite.email == email).values(email=None))
    links = {f"#post-{i}" for i in post_ids}
    for note in db.session.scalars(select(Notification).where(
            Notification.text.contains(name), Notification.user_id != user.id)):
        if any(note.link.endswith(link) for link in links):
            note.text = without_name(note.text, name)


def _scrub_nudges(user: User) -> None:
    """A nudge's entry names no target but up to NAMED learners in its line, and keeps the
    ids of all it went to: each line that named them is written again from those ids, with
    them as "A former learner", and their name goes from the message it keeps (as a whole
    word: `without_name`)."""
    cohorts = select(Membership.cohort_id).where(Membership.user_id == user.id)
    entries = [entry for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.NUDGE, AuditEntry.cohort_id.in_(cohorts)))
        if user.id in _nudged(entry)]
    named = users_by_id({i for entry in entries for i in _nudged(entry)[:NAMED]})
    for entry in entries:
        ids = _nudged(entry)
        if user.id in ids[:NAMED]:
            names = [FORMER if i == user.id or i not in named else named[i].name
                     for i in ids[:NAMED]]
            entry.summary = audit_summary(names, len(ids), entry.detail.get("group") or "")
        text = entry.detail.get("text")
        if isinstance(text, str) and user.name in text:
            entry.detail = {**entry.detail,
                            "text": without_name(text, user.name, NAME_MIN_IN_WORDS)}


def _nudged(entry: AuditEntry) -> list[int]:
    """The ids of the learners a nudge went to, in the order its line names them."""
    ids = (entry.detail or {}).get("learners")
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def anonymise(user: User, at: datetime) -> None:
    """Empty the account of who they were (see the module's docstring). Flushes."""
    post_ids = _their_posts(user)
    _scrub_others_records(user, post_ids)
    for model in (LoginSession, ApiToken, PostRead, Notification, ToolkitConsent,
                  EmailPreference, CalendarFeed):
        db.session.execute(delete(model).where(model.user_id == user.id))
    if post_ids:
        db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
        withdrawn = select(Post.id).where(Post.author_id == user.id, Post.deleted_at.is_not(None))
        db.session.execute(update(Citation).where(Citation.cited_post_id.in_(withdrawn))
                           .values(quote=""))
        db.session.execute(update(Post).where(Post.author_id == user.id,
                                              Post.deleted_at.is_not(None)).values(body=""))
    db.session.execute(update(Membership).where(Membership.user_id == user.id,
                                                Membership.removed_at.is_(None))
                       .values(removed_at=at))
    user.name = FORMER
    user.email = f"deleted-{user.id}@deleted.invalid"  # unique, and mail to it goes nowhere
    user.about = ""
    user.password_hash = NOT_A_PASSWORD
    user.last_login_at = None
    user.disabled_at = user.disabled_at or at
    user.deleted_at = at
    db.session.flush()
    db.session.expire_all()
