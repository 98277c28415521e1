"""What needs a facilitator now: the e-moderation queue, nudge groups and the reading view.
Read-only; each list comes from a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cohorts.models import Cohort, Invite, MemberRole, Membership
from ..courses.models import Etivity
from ..discussions import services as discussions
from ..discussions.models import Post, Thread, ThreadKind
from ..extensions import db
from ..progress.models import Activity, Completion, Mode, Override
from ..progress.rules import Counts
from ..progress.standing import cohort_progress, counts_for, is_stuck
from .models import AuditEntry
from .services import citations_for


@dataclass(frozen=True)
class Waiting:
    """A learner (or a thread) waiting for the facilitator, and since when."""

    user: User
    since: datetime | date | None
    detail: str
    thread: Thread | None = None
    stage: int | None = None
    post_id: int | None = None  # the thread's opening post, to link straight to it


@dataclass
class Queue:
    unanswered: list[Waiting]
    silent: list[Waiting]
    stuck: list[Waiting]
    observers: list[Waiting]

    @property
    def total(self) -> int:
        return len(self.unanswered) + len(self.silent) + len(self.stuck) + len(self.observers)


def _learners(cohort: Cohort) -> dict[int, tuple[User, Membership]]:
    rows = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id).where(
            Membership.cohort_id == cohort.id, Membership.role == MemberRole.LEARNER,
            Membership.removed_at.is_(None))
    ).all()
    return {u.id: (u, m) for u, m in rows}


def _last_posts(cohort: Cohort) -> dict[int, datetime]:
    return dict(db.session.execute(
        select(Post.author_id, func.max(Post.created_at)).join(Thread)
        .where(Thread.cohort_id == cohort.id).group_by(Post.author_id)
    ).all())


def unanswered_first_posts(cohort: Cohort) -> list[Waiting]:
    """Conversation pieces by learners that nobody else has replied to, oldest first."""
    learners = _learners(cohort)
    threads = db.session.scalars(
        select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.PIECE,
                             Thread.author_id.in_(learners))
        .order_by(Thread.created_at)
    ).all()
    if not threads:
        return []
    ids = [t.id for t in threads]
    answered = set(db.session.scalars(
        select(Post.thread_id).join(Thread)
        .where(Thread.id.in_(ids), Post.author_id != Thread.author_id,
               Post.hidden_at.is_(None))
        .distinct()
    ))
    opening = dict(db.session.execute(
        select(Post.thread_id, func.min(Post.id)).where(Post.thread_id.in_(ids))
        .group_by(Post.thread_id)
    ).all())
    return [Waiting(learners[t.author_id][0], t.created_at, t.title, thread=t,
                    post_id=opening.get(t.id))
            for t in threads if t.id not in answered]


def queue(cohort: Cohort, now: datetime) -> Queue:
    today = now.date()
    learners = _learners(cohort)
    standings = cohort_progress(cohort, today, set(learners))
    last_posts = _last_posts(cohort)
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    silent, stuck, observers = [], [], []
    quiet_since = now - timedelta(days=cohort.silent_days)
    for user_id, (user, membership) in sorted(learners.items(), key=lambda kv: kv[1][0].name):
        standing = standings[user_id]
        last = last_posts.get(user_id)
        if (last or membership.joined_at) < quiet_since:
            silent.append(Waiting(user, last or membership.joined_at,
                                  "joined, no posts yet" if last is None else "last post"))
        if is_stuck(standing, suggested, today):
            number = standing.current_stage
            stuck.append(Waiting(user, standing.opened_on.get(number), f"in stage {number} since",
                                 stage=number))
        totals = standing.totals
        if totals.observe and not totals.interact and not totals.initiate:
            observers.append(Waiting(user, standing.last_activity_at,
                                     f"read {totals.observe} posts, no replies or pieces yet"))
    return Queue(unanswered_first_posts(cohort), silent, stuck, observers)


# ---- nudge groups ------------------------------------------------------------------------

GROUPS = {
    "all": "every learner",
    "silent": "learners who have been silent",
    "stuck": "learners stuck in a stage",
    "observers": "learners who have only read so far",
    "in-stage": "learners now in a stage",
}


def learners_in_group(cohort: Cohort, group: str, now: datetime, stage: int | None = None
                      ) -> list[User]:
    """The learners a nudge goes to. With a stage, "observers" means those who have only
    read in that stage's e-tivities, and "in-stage" those whose current stage it is."""
    learners = _learners(cohort)
    if group == "all":
        return sorted((u for u, _ in learners.values()), key=lambda u: u.name)
    if group in ("silent", "stuck"):
        waiting = getattr(queue(cohort, now), group)
        return [w.user for w in waiting if stage is None or w.stage in (None, stage)]
    standings = cohort_progress(cohort, now.date(), set(learners))
    chosen = []
    for user_id, (user, _m) in learners.items():
        standing = standings[user_id]
        if group == "in-stage":
            if stage is not None and standing.current_stage == stage:
                chosen.append(user)
        elif group == "observers":
            items = standing.in_stage(stage) if stage else standing.etivities
            o = sum(p.counts.observe for p in items)
            i = sum(p.counts.interact + p.counts.initiate for p in items)
            if o and not i:
                chosen.append(user)
    return sorted(chosen, key=lambda u: u.name)


# ---- reading view -------------------------------------------------------------------------

@dataclass
class ReaderRow:
    user: User
    posts_read: int
    peers: list[tuple[User, int]]  # whose posts they read, and how many
    counts: Counts


def reading_view(cohort: Cohort, etivity: Etivity) -> list[ReaderRow]:
    """Who has read which peers' posts in an e-tivity: the evidence behind "observe"."""
    learners = _learners(cohort)
    rows = db.session.execute(
        select(Activity.user_id, Activity.peer_id, func.count(func.distinct(Activity.post_id)))
        .where(Activity.cohort_id == cohort.id, Activity.etivity_id == etivity.id,
               Activity.kind == Mode.OBSERVE, Activity.voided_at.is_(None))
        .group_by(Activity.user_id, Activity.peer_id)
    ).all()
    by_reader: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for reader, peer, n in rows:
        by_reader[reader].append((peer, n))
    counts = counts_for(cohort.id)
    result = []
    for user_id, (user, _m) in sorted(learners.items(), key=lambda kv: kv[1][0].name):
        peers = sorted(((learners[p][0], n) for p, n in by_reader.get(user_id, [])
                        if p in learners), key=lambda pn: (-pn[1], pn[0].name))
        result.append(ReaderRow(user, sum(n for _, n in peers), peers,
                                counts.get((user_id, etivity.id), Counts())))
    return result



# ---- moderation: weaves, overrides, the audit log -----------------------------------------

def learner_choices(cohort: Cohort) -> list[User]:
    """The cohort's learners (not removed), by name: for "which learner" selects."""
    return sorted((u for u, _m in _learners(cohort).values()), key=lambda u: (u.name, u.id))


def _pages_of(posts: list[Post]) -> dict[int, int]:
    """{post id: the page of its thread it is on}, so a link to a post lands on it."""
    thread_ids = {p.thread_id for p in posts}
    if not thread_ids:
        return {}
    positions: dict[int, int] = {}
    seen: dict[int, int] = defaultdict(int)
    for post_id, thread_id in db.session.execute(
        select(Post.id, Post.thread_id).where(Post.thread_id.in_(thread_ids)).order_by(Post.id)
    ):
        positions[post_id] = seen[thread_id]
        seen[thread_id] += 1
    return {p.id: discussions.page_for_position(positions.get(p.id, 0)) for p in posts}


@dataclass(frozen=True)
class PostLink:
    post: Post
    page: int  # the page of its thread the post is on


def weavable_posts(cohort: Cohort, etivity: Etivity) -> list[PostLink]:
    """The e-tivity's visible posts a weave can cite, thread by thread, oldest first."""
    posts = db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
               Thread.kind != ThreadKind.WEAVE, Post.hidden_at.is_(None),
               Post.deleted_at.is_(None))
        .order_by(Thread.created_at, Thread.id, Post.id)
        .options(selectinload(Post.author), selectinload(Post.thread))
    ).all()
    pages = _pages_of(list(posts))
    return [PostLink(p, pages[p.id]) for p in posts]


@dataclass(frozen=True)
class Cited:
    post: Post
    quote: str
    page: int  # the page of its thread the cited post is on


@dataclass(frozen=True)
class Weave:
    thread: Thread
    summary: Post  # the weave's opening post
    cited: list[Cited]


def weaves(cohort: Cohort, etivity: Etivity | None = None, thread: Thread | None = None
           ) -> list[Weave]:
    """Facilitators' summaries with the posts they cite, newest first: an e-tivity's, or the
    one `thread`. The discussion pages show them through the template global `weaves_for`."""
    query = select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.WEAVE)
    if etivity is not None:
        query = query.where(Thread.etivity_id == etivity.id)
    if thread is not None:
        query = query.where(Thread.id == thread.id)
    threads = db.session.scalars(query.order_by(Thread.created_at.desc(), Thread.id.desc())).all()
    if not threads:
        return []
    first_ids = (select(func.min(Post.id)).where(Post.thread_id.in_([t.id for t in threads]))
                 .group_by(Post.thread_id))
    summaries = {p.thread_id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(first_ids)).options(selectinload(Post.author)))}
    cites = citations_for([p.id for p in summaries.values()])
    pages = _pages_of([post for rows in cites.values() for _c, post in rows])
    return [
        Weave(t, summaries[t.id], [Cited(post, c.quote, pages[post.id])
                                   for c, post in cites.get(summaries[t.id].id, [])])
        for t in threads if t.id in summaries
    ]


@dataclass(frozen=True)
class OverrideRow:
    override: Override
    learner: User | None  # None: everyone
    etivity: Etivity | None  # None: a whole stage
    by: User | None


@dataclass(frozen=True)
class ByHandRow:
    completion: Completion
    learner: User
    etivity: Etivity
    by: User | None


def _users(ids: set[int | None]) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def overrides(cohort: Cohort) -> tuple[list[OverrideRow], list[ByHandRow]]:
    """What facilitators opened early, and what they marked complete by hand; newest first."""
    opened = db.session.scalars(
        select(Override).where(Override.cohort_id == cohort.id)
        .order_by(Override.created_at.desc(), Override.id.desc())
    ).all()
    by_hand = db.session.scalars(
        select(Completion).where(Completion.cohort_id == cohort.id,
                                 Completion.by_hand_by_id.is_not(None))
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    ).all()
    users = _users({o.user_id for o in opened} | {o.created_by_id for o in opened}
                   | {c.user_id for c in by_hand} | {c.by_hand_by_id for c in by_hand})
    etivities = {e.id: e for e in cohort.course.etivities}
    return (
        [OverrideRow(o, users.get(o.user_id), etivities.get(o.etivity_id),
                     users.get(o.created_by_id)) for o in opened],
        [ByHandRow(c, users[c.user_id], etivities[c.etivity_id], users.get(c.by_hand_by_id))
         for c in by_hand if c.user_id in users and c.etivity_id in etivities],
    )


AUDIT_PER_PAGE = 50


@dataclass(frozen=True)
class Target:
    """What an audit entry was done to, in words, with a link where there is one."""

    label: str
    thread_id: int | None = None
    post_id: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    number: int  # 1-based
    pages: int
    total: int
    targets: dict[int, Target]  # entry id -> its target


def audit_actions(cohort: Cohort) -> list[str]:
    """The kinds of action the cohort's log holds, for the filter."""
    return sorted(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.cohort_id == cohort.id).distinct()))


def audit_log(cohort: Cohort, number: int, action: str | None = None,
              interventions_only: bool = False) -> AuditPage:
    """One page of the cohort's audit log, newest first; a page past the end shows the last."""
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if interventions_only:
        query = query.where(AuditEntry.intervention.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(-(-total // AUDIT_PER_PAGE), 1)
    number = min(max(number, 1), pages)
    entries = db.session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset((number - 1) * AUDIT_PER_PAGE).limit(AUDIT_PER_PAGE)
        .options(selectinload(AuditEntry.actor))
    ).all()
    return AuditPage(list(entries), number, pages, total, _targets(entries))


def _targets(entries) -> dict[int, Target]:
    """Targets are stored as "post 12", "thread 3", "user 7", "invite 4" or "everyone"."""
    parsed: dict[int, tuple[str, int | None]] = {}
    for entry in entries:
        kind, _, raw = (entry.target or "").partition(" ")
        parsed[entry.id] = (kind, int(raw) if raw.isdigit() else None)
    wanted = lambda name: {n for k, n in parsed.values() if k == name and n is not None}  # noqa: E731
    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(wanted("post")))
        .options(selectinload(Post.author), selectinload(Post.thread)))} if wanted("post") else {}
    pages = _pages_of(list(posts.values()))
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_(wanted("thread"))))} if wanted("thread") else {}
    users = _users(wanted("user"))
    targets = {}
    for entry_id, (kind, number) in parsed.items():
        if kind == "post" and number in posts:
            post = posts[number]
            targets[entry_id] = Target(f"{post.author.name}’s post in “{post.thread.title}”",
                                       post.thread_id, post.id, pages[post.id])
        elif kind == "thread" and number in threads:
            targets[entry_id] = Target(f"“{threads[number].title}”", number)
        elif kind == "user" and number in users:
            targets[entry_id] = Target(users[number].name)
        elif kind == "everyone":
            targets[entry_id] = Target("Everyone in the cohort")
        elif kind == "invite":
            targets[entry_id] = Target("An invitation")
        elif kind:
            targets[entry_id] = Target("Something since deleted" if number else kind)
    return targets

# ---- my cohorts, people, invites ----------------------------------------------------------

def facilitated_by(user: User) -> list[Cohort]:
    """The cohorts a person runs, newest first: all of them for an admin."""
    query = select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if not user.is_admin:
        query = query.join(Membership, Membership.cohort_id == Cohort.id).where(
            Membership.user_id == user.id, Membership.role == MemberRole.FACILITATOR,
            Membership.removed_at.is_(None))
    return list(db.session.scalars(query))


def learner_counts(cohort_ids: list[int]) -> dict[int, int]:
    """{cohort id: active learners} in one query."""
    if not cohort_ids:
        return {}
    return dict(db.session.execute(
        select(Membership.cohort_id, func.count(Membership.id)).where(
            Membership.cohort_id.in_(cohort_ids), Membership.role == MemberRole.LEARNER,
            Membership.removed_at.is_(None)).group_by(Membership.cohort_id)
    ).all())


def learners_page(cohort: Cohort, page: int, per_page: int = 50):
    """A page of the cohort's active learners (memberships, by name)."""
    return db.paginate(
        select(Membership).join(User, User.id == Membership.user_id).where(
            Membership.cohort_id == cohort.id, Membership.role == MemberRole.LEARNER,
            Membership.removed_at.is_(None)).order_by(User.name, User.id),
        page=page, per_page=per_page, error_out=False)


def staff_and_removed(cohort: Cohort
                      ) -> tuple[list[Membership], list[Membership], list[Membership]]:
    """(facilitators, reviewers, removed people), each by name."""
    rows = db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id).where(
            Membership.cohort_id == cohort.id,
            (Membership.role != MemberRole.LEARNER) | Membership.removed_at.is_not(None))
        .order_by(User.name, User.id)
    ).all()
    active = [m for m in rows if m.removed_at is None]
    return ([m for m in active if m.role == MemberRole.FACILITATOR],
            [m for m in active if m.role == MemberRole.REVIEWER],
            [m for m in rows if m.removed_at is not None])


def invites_page(cohort: Cohort, page: int, per_page: int = 50):
    """The cohort's invites, newest first."""
    return db.paginate(
        select(Invite).where(Invite.cohort_id == cohort.id)
        .order_by(Invite.created_at.desc(), Invite.id.desc()),
        page=page, per_page=per_page, error_out=False)
