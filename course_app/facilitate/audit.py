"""The audit log: `record` writes one entry per facilitator action; `log_page` and
`targets` read it back for the audit page."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cohorts.models import Cohort
from ..discussions.models import Post, Thread
from ..discussions.reading import pages_of
from ..extensions import db
from ..paging import paginate
from .models import AuditAction, AuditEntry

PER_PAGE = 50


def record(cohort: Cohort, actor: User, action: AuditAction, summary: str, at: datetime,
           target: str = "", detail: dict | None = None, intervention: bool = False,
           submission_key: str | None = None) -> AuditEntry:
    """Write one entry. `target` is "post 12", "thread 3", "user 7", "invite 4" or
    "everyone"; `summary` is one line a person can read. `submission_key` is the form's
    that did it: a second entry with the same key and actor is refused (IntegrityError),
    undoing the second send of the same form."""
    entry = AuditEntry(cohort_id=cohort.id, actor_id=actor.id, action=AuditAction(action),
                       target=target, summary=summary, detail=detail or {},
                       intervention=intervention, created_at=at,
                       submission_key=submission_key or None)
    db.session.add(entry)
    db.session.flush()
    return entry


def find_submission(actor: User, submission_key: str | None) -> AuditEntry | None:
    """The entry an earlier send of the same form (a weave's, a nudge's) made, if any."""
    if not submission_key:
        return None
    return db.session.scalar(select(AuditEntry).where(
        AuditEntry.actor_id == actor.id, AuditEntry.submission_key == submission_key))


# ---- reading ------------------------------------------------------------------------

def actions_in(cohort: Cohort) -> list[AuditAction]:
    """The kinds of action the cohort's log holds, for the filter."""
    return sorted(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.cohort_id == cohort.id).distinct()))


def log_page(cohort: Cohort, page: int, action: AuditAction | None = None,
             interventions_only: bool = False):
    """One page (a db.paginate Pagination) of the cohort's log, newest first; a page past
    the end shows the last."""
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if interventions_only:
        query = query.where(AuditEntry.intervention.is_(True))
    query = (query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
             .options(selectinload(AuditEntry.actor)))
    return paginate(query, page, PER_PAGE)


@dataclass(frozen=True)
class Target:
    """What an audit entry was done to, in words, with a link where there is one."""

    label: str
    thread_id: int | None = None
    post_id: int | None = None
    page: int | None = None


def targets(entries: list[AuditEntry]) -> dict[int, Target]:
    """{entry id: its target}, loaded for a page of entries in a few queries."""
    parsed: dict[int, tuple[str, int | None]] = {}
    for entry in entries:
        kind, _, raw = (entry.target or "").partition(" ")
        parsed[entry.id] = (kind, int(raw) if raw.isdigit() else None)

    def wanted(name: str) -> set[int]:
        return {n for k, n in parsed.values() if k == name and n is not None}

    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(wanted("post")))
        .options(selectinload(Post.author), selectinload(Post.thread)))} if wanted("post") else {}
    pages = pages_of(list(posts.values()))
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_(wanted("thread"))))} if wanted("thread") else {}
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(wanted("user"))))} if wanted("user") else {}
    out = {}
    for entry_id, (kind, number) in parsed.items():
        if kind == "post" and number in posts:
            post = posts[number]
            out[entry_id] = Target(f"{post.author.name}’s post in “{post.thread.title}”",
                                   post.thread_id, post.id, pages[post.id])
        elif kind == "thread" and number in threads:
            out[entry_id] = Target(f"“{threads[number].title}”", number)
        elif kind == "user" and number in users:
            out[entry_id] = Target(users[number].name)
        elif kind == "everyone":
            out[entry_id] = Target("Everyone in the cohort")
        elif kind == "invite":
            out[entry_id] = Target("An invitation")
        elif kind:
            out[entry_id] = Target("Something since deleted" if number else kind)
    return out
