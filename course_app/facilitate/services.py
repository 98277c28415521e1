"""What a facilitator does to a cohort. Each action is one function that changes the data
through the domain services below and writes one audit entry. They flush, never commit."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..auth.models import User, normalise_email
from ..auth.services import find_by_email
from ..cohorts.models import Cohort, CohortState, Invite, MemberRole, Membership, StageRelease
from ..cohorts import services as cohorts
from ..courses.models import Course, Etivity
from ..discussions import services as discussions
from ..discussions.models import Post, Thread, ThreadKind
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress import evidence, overrides
from ..progress import rules
from ..progress.models import Override
from ..progress.standing import learner_progress
from .models import AuditEntry, Citation


class FacilitateError(ValueError):
    """Worded for the facilitator; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def audit(cohort: Cohort, actor: User, action: str, summary: str, at: datetime,
          target: str = "", detail: dict | None = None, intervention: bool = False) -> AuditEntry:
    entry = AuditEntry(cohort_id=cohort.id, actor_id=actor.id, action=action, target=target,
                       summary=summary, detail=detail or {}, intervention=intervention,
                       created_at=at)
    db.session.add(entry)
    db.session.flush()
    return entry


# ---- the cohort itself --------------------------------------------------------------

# The moves a person would expect, and no others.
TRANSITIONS: dict[CohortState, tuple[CohortState, ...]] = {
    CohortState.OPEN: (CohortState.RUNNING, CohortState.CLOSED),
    CohortState.RUNNING: (CohortState.CLOSED,),
    CohortState.CLOSED: (CohortState.RUNNING, CohortState.ARCHIVED),
    CohortState.ARCHIVED: (CohortState.CLOSED,),
}
# Running cohorts still take learners (cohorts.services.ACCEPTING); only closing stops joining.
STATE_WORDS = {
    CohortState.OPEN: "open for enrolment",
    CohortState.RUNNING: "running",
    CohortState.CLOSED: "closed (read only)",
    CohortState.ARCHIVED: "archived",
}
NAME_MAX = 120
WELCOME_MAX = 5000
SILENT_DAYS = range(1, 61)


def check_state_change(cohort: Cohort, to: CohortState) -> None:
    """Raise FacilitateError unless `to` is one of the moves TRANSITIONS allows now."""
    if to not in TRANSITIONS[cohort.state]:
        raise FacilitateError(
            f"A cohort that is {STATE_WORDS[cohort.state]} can't become {STATE_WORDS[to]}.")


def change_state(cohort: Cohort, to: CohortState, actor: User, at: datetime) -> None:
    check_state_change(cohort, to)
    before = cohort.state
    cohort.state = to
    audit(cohort, actor, "state", f"Changed the cohort from {STATE_WORDS[before]} to "
          f"{STATE_WORDS[to]}", at, detail={"from": before.value, "to": to.value})


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise FacilitateError("Give the cohort a name.", "name")
    if len(name) > NAME_MAX:
        raise FacilitateError(f"Use at most {NAME_MAX} characters.", "name")
    return name


def _check_silent_days(days: int) -> None:
    if days not in SILENT_DAYS:
        raise FacilitateError(f"Enter a number of days from {SILENT_DAYS.start} to "
                              f"{SILENT_DAYS.stop - 1}.", "silent_days")


def _check_release_dates(release_dates: dict[int, date | None]) -> list[date]:
    """A paced cohort needs a date for every stage, none before the one before. Errors name
    the field of the first stage at fault (release_N)."""
    missing = [n for n in range(1, 6) if not release_dates.get(n)]
    if missing:
        raise FacilitateError("A paced cohort needs a release date for every stage "
                              f"(missing: stage {', '.join(map(str, missing))}).",
                              f"release_{missing[0]}")
    days = [release_dates[n] for n in range(1, 6)]
    for number in range(2, 6):
        if days[number - 1] < days[number - 2]:
            raise FacilitateError("Release dates must not go backwards: each stage opens on or "
                                  f"after the one before (stage {number} is before stage "
                                  f"{number - 1}).", f"release_{number}")
    return days


def open_cohort(course: Course, name: str, facilitator: User, at: datetime,
                starts_on: date | None, paced: bool, capacity: int | None,
                release_dates: dict[int, date | None] | None = None,
                silent_days: int = 5) -> Cohort:
    """Open a cohort with its first facilitator and its help thread. In a paced cohort, a
    stage without a given date opens the suggested days after the one before (stage 1: on
    the start date, or today)."""
    name = _check_name(name)
    if not facilitator.is_staff:
        raise FacilitateError(f"{facilitator.name} has a learner account. Only facilitators "
                              "and admins can run a cohort.")
    if capacity is not None and capacity < 1:
        raise FacilitateError("Enter a number from 1 upwards, or leave it empty.", "capacity")
    _check_silent_days(silent_days)
    dates: dict[int, date] = {}
    if paced:
        given, day = release_dates or {}, starts_on or at.date()
        for stage in course.stages:  # like cohorts.default_release_dates, from given dates on
            dates[stage.number] = given.get(stage.number) or day
            day = dates[stage.number] + timedelta(days=stage.suggested_days)
        _check_release_dates(dates)
    cohort = cohorts.create_cohort(course, name, facilitator, at, starts_on=starts_on,
                                   paced=paced, capacity=capacity)
    cohort.silent_days = silent_days
    for release in cohort.releases:
        release.opens_on = dates[release.stage_number]
    discussions.ensure_help_thread(cohort, facilitator, at)
    audit(cohort, facilitator, "open", f"Opened the cohort “{cohort.name}” of {course.title}"
          + (" (paced)" if paced else " (self-paced)"), at,
          detail={"paced": paced, "capacity": capacity,
                  "releases": {str(n): d.isoformat() for n, d in sorted(dates.items())}})
    return cohort


# What each setting is called in the audit log.
SETTING_WORDS = {
    "name": "the name", "starts_on": "the start date", "capacity": "the capacity",
    "silent_days": "the days before someone counts as silent", "paced": "the pacing",
}


def update_settings(cohort: Cohort, actor: User, at: datetime, *, name: str,
                    starts_on: date | None, capacity: int | None, silent_days: int,
                    welcome_message: str, paced: bool,
                    release_dates: dict[int, date | None]) -> None:
    """Change name, dates, pacing, capacity and welcome; a paced cohort needs every date.
    A changed welcome message is logged on its own, as an intervention ("welcome")."""
    name = _check_name(name)
    enrolled = cohorts.learner_count(cohort)
    if capacity is not None and capacity < max(enrolled, 1):
        raise FacilitateError(f"{enrolled} learners are already enrolled; capacity can't be "
                              "lower than that." if enrolled else
                              "Enter a number from 1 upwards, or leave it empty.", "capacity")
    _check_silent_days(silent_days)
    if len(welcome_message.strip()) > WELCOME_MAX:
        raise FacilitateError(f"Keep the welcome under {WELCOME_MAX:,} characters.",
                              "welcome_message")
    if paced:
        _check_release_dates(release_dates)
    changes = {}
    for attr, value in (("name", name), ("starts_on", starts_on), ("capacity", capacity),
                        ("silent_days", silent_days), ("welcome_message", welcome_message.strip()),
                        ("paced", paced)):
        if getattr(cohort, attr) != value:
            changes[attr] = str(value)
            setattr(cohort, attr, value)
    existing = {r.stage_number: r for r in cohort.releases}
    for number in range(1, 6):
        day = release_dates.get(number) if paced else None
        release = existing.get(number)
        if day and release is None:
            cohort.releases.append(StageRelease(stage_number=number, opens_on=day))
            changes[f"stage {number}"] = day.isoformat()
        elif day and release.opens_on != day:
            release.opens_on = day
            changes[f"stage {number}"] = day.isoformat()
        elif not day and release is not None:
            cohort.releases.remove(release)
            changes[f"stage {number}"] = "self-paced"
    welcome = changes.pop("welcome_message", None)
    if welcome is not None:
        audit(cohort, actor, "welcome", "Changed the welcome message" if welcome else
              "Removed the welcome message", at, detail={"welcome_message": welcome},
              intervention=True)
    if changes:
        words = [SETTING_WORDS.get(key, f"the {key} release date") for key in changes]
        said = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        audit(cohort, actor, "settings", f"Changed {said}", at, detail=changes)


def regenerate_key(cohort: Cohort, actor: User, at: datetime) -> str:
    cohort.enrolment_key = cohorts.new_enrolment_key()
    audit(cohort, actor, "key", "Made a new enrolment key (the old one no longer works)", at)
    return cohort.enrolment_key


# ---- invitations --------------------------------------------------------------------

@dataclass
class BulkInviteResult:
    invites: list[Invite] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, why)


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


def invite_many(cohort: Cohort, actor: User, text: str, at: datetime,
                expires_in_days: int | None = 14) -> BulkInviteResult:
    """One invite link per good address; bad lines are reported by number, good ones kept."""
    result = BulkInviteResult()
    seen: set[str] = set()
    expires_at = at + timedelta(days=expires_in_days) if expires_in_days else None
    for number, raw in _emails_from(text):
        try:
            email = normalise_email(validate_email(raw, check_deliverability=False).normalized)
        except EmailNotValidError as e:
            result.problems.append((number, raw, str(e)))
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
        audit(cohort, actor, "invite", f"Invited {len(result.invites)} "
              f"{'person' if len(result.invites) == 1 else 'people'} by email", at,
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
    audit(cohort, actor, "invite-link", "Made an invite link "
          + (f"that expires in {expires_in_days} days" if expires_in_days
             else "that works until it is revoked"), at, target=f"invite {invite.id}")
    return invite


def revoke_invite(cohort: Cohort, invite: Invite, actor: User, at: datetime) -> None:
    if invite.cohort_id != cohort.id:
        raise FacilitateError("That invite belongs to another cohort.")
    if invite.revoked_at is None:
        invite.revoked_at = at
        audit(cohort, actor, "invite-revoked", f"Revoked the invite for {invite.email or 'a link'}",
              at, target=f"invite {invite.id}")


# ---- people -------------------------------------------------------------------------

def add_staff(cohort: Cohort, actor: User, email: str, role: MemberRole, at: datetime) -> Membership:
    """Add a co-facilitator or a reviewer (read-only reports, e.g. a sponsor) by email."""
    if role not in (MemberRole.FACILITATOR, MemberRole.REVIEWER):
        raise FacilitateError("Choose facilitator or reviewer.", "role")
    user = find_by_email(email)
    if user is None:
        raise FacilitateError("Nobody has an account with that email yet. Ask them to create "
                              "one first, then add them here.", "email")
    if role == MemberRole.FACILITATOR and not user.is_staff:
        raise FacilitateError(f"{user.name} has a learner account. Only facilitator or admin "
                              "accounts can facilitate; add them as a reviewer instead.", "role")
    membership = cohorts.membership_of(cohort.id, user.id)
    if membership is not None and membership.active:
        raise FacilitateError(f"{user.name} is already in this cohort as a "
                              f"{membership.role.value}.", "email")
    if membership is None:
        membership = cohorts.add_member(cohort, user, role, at)
    else:
        membership.role, membership.removed_at, membership.joined_at = role, None, at
    audit(cohort, actor, "staff", f"Added {user.name} as {role.value}", at,
          target=f"user {user.id}")
    return membership


def remove_member(cohort: Cohort, membership: Membership, actor: User, at: datetime) -> None:
    """Take someone out of the cohort. Their posts stay; they can no longer enter."""
    if membership.cohort_id != cohort.id:
        raise FacilitateError("That person is not in this cohort.")
    if membership.user_id == actor.id:
        raise FacilitateError("You can't remove yourself; ask another facilitator.")
    if membership.role == MemberRole.FACILITATOR:
        others = [m for m in cohort.memberships if m.role == MemberRole.FACILITATOR and m.active
                  and m.id != membership.id]
        if not others:
            raise FacilitateError("A cohort needs at least one facilitator.")
    membership.removed_at = at
    audit(cohort, actor, "remove", f"Removed {membership.user.name} ({membership.role.value}) "
          "from the cohort; their posts stay", at, target=f"user {membership.user_id}")


# ---- threads and posts ----------------------------------------------------------------

def _post_in(cohort: Cohort, post: Post) -> None:
    if post.thread.cohort_id != cohort.id:
        raise FacilitateError("That post is not in this cohort.")


HIDE_REASON_MAX = 500


def hide_post(cohort: Cohort, post: Post, actor: User, reason: str, at: datetime) -> None:
    """Hide a post with a reason: its author sees that and why; the text is kept; it stops
    counting towards completions not yet earned."""
    _post_in(cohort, post)
    reason = reason.strip()
    if not reason:
        raise FacilitateError("Say why you are hiding it; the author will see your reason.",
                              "reason")
    if len(reason) > HIDE_REASON_MAX:
        raise FacilitateError(f"Keep the reason under {HIDE_REASON_MAX} characters; this one "
                              f"has {len(reason)}.", "reason")
    if post.hidden_at is not None:
        raise FacilitateError("That post is already hidden.")
    if post.deleted_at is not None:
        raise FacilitateError("Its author has already withdrawn that post.")
    post.hidden_at, post.hidden_reason, post.hidden_by_id = at, reason, actor.id
    evidence.void_post(post.id, at)
    notify(post.author_id, NotificationKind.MESSAGE,
           f"A facilitator hid your post in “{post.thread.title}”: {reason}", at,
           link=f"/cohorts/{cohort.id}/threads/{post.thread_id}#post-{post.id}", cohort_id=cohort.id)
    audit(cohort, actor, "hide", f"Hid a post by {post.author.name}: {reason}", at,
          target=f"post {post.id}", detail={"reason": reason})


def show_post(cohort: Cohort, post: Post, actor: User, at: datetime) -> None:
    _post_in(cohort, post)
    if post.hidden_at is None:
        raise FacilitateError("That post is not hidden.")
    post.hidden_at, post.hidden_reason, post.hidden_by_id = None, None, None
    evidence.restore_post(post.id)
    audit(cohort, actor, "show", f"Showed a post by {post.author.name} again", at,
          target=f"post {post.id}")


def set_thread_flags(cohort: Cohort, thread: Thread, actor: User, at: datetime, *,
                     pinned: bool | None = None, locked: bool | None = None) -> None:
    if thread.cohort_id != cohort.id:
        raise FacilitateError("That thread is not in this cohort.")
    for attr, value, on, off in (("pinned", pinned, "Pinned", "Unpinned"),
                                 ("locked", locked, "Locked", "Unlocked")):
        if value is not None and getattr(thread, attr) != value:
            setattr(thread, attr, value)
            audit(cohort, actor, attr, f"{on if value else off} “{thread.title}”", at,
                  target=f"thread {thread.id}")


def weave(cohort: Cohort, etivity: Etivity, actor: User, title: str, body: str,
          cited: list[tuple[Post, str]], at: datetime) -> Thread:
    """A summary that draws posts together, citing each (link and a short quote); it is
    pinned at the top of the e-tivity."""
    if not (title or "").strip():
        raise FacilitateError("Give the summary a title.", "title")
    if not (body or "").strip():
        raise FacilitateError("Write the summary itself: what the posts you cite add up to.",
                              "body")
    if not cited:
        raise FacilitateError("Choose at least one post to cite.", "cited")
    unique: dict[int, tuple[Post, str]] = {}
    for post, quote in cited:
        _post_in(cohort, post)
        if post.thread.etivity_id != etivity.id or post.thread.kind == ThreadKind.WEAVE:
            raise FacilitateError("Cite posts from this e-tivity's conversations only.", "cited")
        if not post.visible:
            raise FacilitateError(f"The post by {post.author.name} is hidden or withdrawn; "
                                  "cite another.", "cited")
        unique.setdefault(post.id, (post, quote))
    cited = list(unique.values())
    try:
        title = discussions.check_title(title)
        body = discussions.check_body(body)
    except discussions.PostError as error:
        raise FacilitateError(str(error), error.field) from None
    thread = Thread(cohort_id=cohort.id, etivity_id=etivity.id, author=actor,
                    kind=ThreadKind.WEAVE, title=title, created_at=at, last_post_at=at,
                    pinned=True)
    summary = Post(author=actor, body=body, created_at=at)
    thread.posts.append(summary)
    db.session.add(thread)
    db.session.flush()
    for post, quote in cited:
        quote = (quote or post.body).strip()
        if len(quote) > 280:
            quote = quote[:277].rstrip() + "…"
        db.session.add(Citation(weave_post_id=summary.id, cited_post_id=post.id, quote=quote))
    db.session.flush()
    audit(cohort, actor, "weave", f"Wove a summary “{title}” citing {len(cited)} posts in "
          f"“{etivity.title}”", at, target=f"thread {thread.id}", intervention=True,
          detail={"cited": [p.id for p, _ in cited]})
    return thread


def citations_for(post_ids: list[int]) -> dict[int, list[tuple[Citation, Post]]]:
    """{weave post id: [(citation, cited post)]} for showing weaves with their sources."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Citation, Post).join(Post, Post.id == Citation.cited_post_id)
        .where(Citation.weave_post_id.in_(post_ids)).order_by(Citation.id)
    ).all()
    out: dict[int, list[tuple[Citation, Post]]] = {}
    for citation, post in rows:
        out.setdefault(citation.weave_post_id, []).append((citation, post))
    return out


# ---- overrides ------------------------------------------------------------------------

def _check_learner(cohort: Cohort, learner: User) -> None:
    membership = cohorts.membership_of(cohort.id, learner.id)
    if membership is None or not membership.active or membership.role != MemberRole.LEARNER:
        raise FacilitateError(f"{learner.name} is not a learner in this cohort.", "learner")


def _check_etivity(cohort: Cohort, etivity: Etivity) -> None:
    if etivity.course_id != cohort.course_id or etivity.retired:
        raise FacilitateError("That e-tivity is not part of this cohort's course.", "etivity")


def _entry(cohort: Cohort, learner: User, etivity: Etivity, at: datetime):
    standing = learner_progress(cohort, learner.id, at.date())
    return standing, next(p for p in standing.etivities if p.etivity.id == etivity.id)


def open_early(cohort: Cohort, actor: User, at: datetime, *, stage_number: int | None = None,
               etivity: Etivity | None = None, learner: User | None = None) -> None:
    """Open a stage or an e-tivity early for one learner or (learner None) everyone.
    Opening what is already open is refused, so each entry in the log changed something."""
    if (stage_number is None) == (etivity is None):
        raise FacilitateError("Choose either a stage or an e-tivity to open.", "stage")
    if stage_number is not None and stage_number not in rules.STAGES[1:]:
        raise FacilitateError("Choose stage 2, 3, 4 or 5: stage 1 is always open.", "stage")
    field = "stage" if stage_number else "etivity"
    if etivity is not None:
        _check_etivity(cohort, etivity)
    what = f"stage {stage_number}" if stage_number else f"“{etivity.title}”"
    subject = what[0].upper() + what[1:]
    for_everyone = db.session.scalar(select(Override.id).where(
        Override.cohort_id == cohort.id, Override.user_id.is_(None),
        Override.stage_number == stage_number if stage_number else Override.etivity_id == etivity.id,
    ).limit(1))
    if for_everyone is not None:
        raise FacilitateError(f"{subject} is already open early for everyone.", field)
    if learner is not None:
        _check_learner(cohort, learner)
        if stage_number:
            standing = learner_progress(cohort, learner.id, at.date())
            already = standing.stages[stage_number].open
        else:
            already = _entry(cohort, learner, etivity, at)[1].state != rules.EtivityState.LOCKED
        if already:
            raise FacilitateError(f"{subject} is already open for {learner.name}.", field)
    overrides.open_early(cohort, actor.id, at, stage_number=stage_number,
                         etivity_id=etivity.id if etivity else None,
                         user_id=learner.id if learner else None)
    who = learner.name if learner else "everyone"
    if learner is not None:
        notify(learner.id, NotificationKind.STAGE_OPENED,
               f"Your facilitator opened {what} for you in {cohort.name}.", at,
               link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    audit(cohort, actor, "open-early", f"Opened {what} early for {who}", at,
          target=f"user {learner.id}" if learner else "everyone",
          detail={"stage": stage_number, "etivity": etivity.id if etivity else None})


def mark_complete(cohort: Cohort, actor: User, learner: User, etivity: Etivity,
                  at: datetime) -> None:
    """Recorded as done by hand, with who did it. Completion is kept for good (as when it
    is earned), so this can't be undone."""
    _check_learner(cohort, learner)
    _check_etivity(cohort, etivity)
    if _entry(cohort, learner, etivity, at)[1].state == rules.EtivityState.COMPLETE:
        raise FacilitateError(f"{learner.name} has already completed “{etivity.title}”.",
                              "etivity")
    overrides.mark_complete_by_hand(cohort, learner.id, etivity.id, actor.id, at)
    notify(learner.id, NotificationKind.MESSAGE,
           f"Your facilitator marked “{etivity.title}” complete for you in {cohort.name}.", at,
           link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    audit(cohort, actor, "complete-by-hand",
          f"Marked “{etivity.title}” complete for {learner.name} by hand", at,
          target=f"user {learner.id}", detail={"etivity": etivity.id})


# ---- nudges ---------------------------------------------------------------------------

def nudge(cohort: Cohort, actor: User, learners: list[User], text: str, at: datetime,
          group: str = "") -> list[tuple[str, str, str]]:
    """Write to one learner or a group: an in-app notification each, one intervention in the
    log. Returns the emails to send (to, subject, body) once the caller has committed."""
    text = text.strip()
    if not text:
        raise FacilitateError("Write the message first.", "text")
    if len(text) > 2000:
        raise FacilitateError("Keep a nudge under 2,000 characters.", "text")
    if not learners:
        raise FacilitateError("Nobody matches that choice, so nothing was sent.", "group")
    from .messages import fill

    mails = []
    for learner in learners:
        personal = fill(text, learner.name, cohort.name)
        notify(learner.id, NotificationKind.MESSAGE, f"{actor.name} wrote to you: {personal}",
               at, link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
        mails.append((learner.email, f"A message from {actor.name} in {cohort.name}", personal))
    names = ", ".join(u.name for u in learners[:5]) + (" and others" if len(learners) > 5 else "")
    audit(cohort, actor, "nudge", f"Nudged {len(learners)} learner"
          f"{'s' if len(learners) != 1 else ''}{f' ({group})' if group else ''}: {names}", at,
          intervention=True, detail={"learners": [u.id for u in learners], "text": text,
                                     "group": group})
    return mails
