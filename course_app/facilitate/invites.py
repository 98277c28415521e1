"""Invitations: email addresses in bulk (pasted or a CSV), a shareable link, revoking one,
and the list of a cohort's invites."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..auth.services import NOT_AN_EMAIL, email_address
from ..cohorts import services as cohorts
from ..cohorts.models import Cohort, Invite, Membership
from ..extensions import db
from ..paging import paginate
from ..rendering import exact_time, plural
from .audit import record
from .errors import FacilitateError
from .models import AuditAction


@dataclass
class BulkInviteResult:
    invites: list[Invite] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, why)
    # Lines of people in the cohort already (or removed from it), or with an invite that
    # still works: reported with the problems, but there is nothing to fix, so they are not
    # put back in the box to send again.
    settled_lines: set[int] = field(default_factory=set)

    @property
    def to_fix(self) -> list[str]:
        return [raw for line, raw, _why in self.problems if line not in self.settled_lines]


def _emails_from(text: str) -> list[tuple[int, str]]:
    """(line number, cell) from a pasted list or CSV: one address per line, or the first
    cell that looks like an address; a header line such as "email" is skipped."""
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        email = next((c for c in cells if "@" in c), cells[0])
        if number == 1 and email.lower() in {"email", "e-mail", "email address"}:
            continue
        rows.append((number, email))
    return rows


def _members_by_email(cohort: Cohort) -> dict[str, Membership]:
    """Everyone in the cohort or removed from it, by their (normalised) email address."""
    rows = db.session.execute(
        select(User.email, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == cohort.id))
    return {email: membership for email, membership in rows}


def _already_there(membership: Membership) -> str:
    """Why an invite for a member would do nothing: it can't enrol them again, and someone
    removed can't rejoin by invite (`cohorts.services.check_enrolment`)."""
    if not membership.active:
        return "was removed from the cohort: bring them back from People instead"
    return f"already in the cohort (as a {membership.role.value})"


def _working_invites_by_email(cohort: Cohort, at: datetime) -> dict[str, Invite]:
    """The cohort's email invites that still work (`Invite.usable`), by address; the newest
    where an address has more than one."""
    invites = db.session.scalars(
        select(Invite).where(Invite.cohort_id == cohort.id, Invite.email.is_not(None),
                             Invite.revoked_at.is_(None))
        .order_by(Invite.created_at, Invite.id))
    return {invite.email: invite for invite in invites if invite.usable(at)}


def _invited_already(invite: Invite) -> str:
    """Why a second invite would only make a second working link for the same person."""
    works = (f"that link works until {exact_time(invite.expires_at)}" if invite.expires_at
             else "that link works until you revoke it")
    return (f"already invited on {exact_time(invite.created_at)}; {works}: copy it from "
            "Invitations so far, or revoke it to send a new one")


def invite_many(cohort: Cohort, actor: User, text: str, at: datetime,
                expires_in_days: int | None = 14) -> BulkInviteResult:
    """One invite link per good address; bad lines (not an address, someone in the cohort
    already, someone whose invite still works, an address twice) are reported by number,
    good ones kept."""
    result = BulkInviteResult()
    seen: set[str] = set()
    members = _members_by_email(cohort)
    invited = _working_invites_by_email(cohort, at)
    expires_at = at + timedelta(days=expires_in_days) if expires_in_days else None
    for number, raw in _emails_from(text):
        email = email_address(raw)
        if email is None:
            result.problems.append((number, raw, NOT_AN_EMAIL))
            continue
        if email in members:
            result.problems.append((number, raw, _already_there(members[email])))
            result.settled_lines.add(number)
            continue
        if email in invited:
            result.problems.append((number, raw, _invited_already(invited[email])))
            result.settled_lines.add(number)
            continue
        if email in seen:
            result.problems.append((number, raw, "this address is already earlier in the list"))
            continue
        seen.add(email)
        result.invites.append(cohorts.create_invite(cohort, actor, at, expires_at=expires_at,
                                                    email=email))
    if not result.invites and not result.problems:
        raise FacilitateError("Paste at least one email address, one per line.", "emails")
    if result.invites:
        record(cohort, actor, AuditAction.INVITE,
               f"Invited {plural(len(result.invites), 'person', 'people')} by email", at,
               detail={"emails": [i.email for i in result.invites]})
    return result


def create_link_invite(cohort: Cohort, actor: User, at: datetime,
                       expires_in_days: int | None = 14) -> Invite:
    """One shareable link for anyone who has it (not tied to an email address)."""
    if expires_in_days is not None and not 1 <= expires_in_days <= 365:
        raise FacilitateError("Enter a number of days from 1 to 365, or leave it empty.",
                              "expires_in_days")
    expires_at = at + timedelta(days=expires_in_days) if expires_in_days else None
    invite = cohorts.create_invite(cohort, actor, at, expires_at=expires_at)
    record(cohort, actor, AuditAction.INVITE_LINK, "Made an invite link "
           + (f"that expires in {plural(expires_in_days, 'day', 'days')}" if expires_in_days
              else "that works until it is revoked"), at, target=f"invite {invite.id}")
    return invite


def revoke_invite(cohort: Cohort, invite: Invite, actor: User, at: datetime) -> None:
    if invite.cohort_id != cohort.id:
        raise FacilitateError("That invite belongs to another cohort.")
    if invite.revoked_at is None:
        invite.revoked_at = at
        record(cohort, actor, AuditAction.INVITE_REVOKED,
               f"Revoked the invite for {invite.email or 'a link'}", at,
               target=f"invite {invite.id}")


def invites_page(cohort: Cohort, page: int, per_page: int = 50):
    """The cohort's invites, newest first."""
    return paginate(
        select(Invite).where(Invite.cohort_id == cohort.id)
        .order_by(Invite.created_at.desc(), Invite.id.desc()),
        page, per_page)
