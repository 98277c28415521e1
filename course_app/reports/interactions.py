"""Who replied to whom in a cohort (the dashboard's interaction map and the pairs download),
from the reply pairs `discussions.counts` keeps as replies come and go."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..discussions.models import ReplyPair
from ..extensions import db


@dataclass
class InteractionMap:
    people: list[tuple[User, str]]  # (person, role) – learners and facilitators
    edges: dict[tuple[int, int], int]  # (from, to) → replies: every pair, or the busiest
    not_replied_to: list[User]  # learners nobody replied to
    pairs: int = -1  # pairs in all (more than `edges` holds when summarised)
    replies: int = -1  # replies in all

    def __post_init__(self):
        if self.pairs < 0:
            self.pairs = len(self.edges)
        if self.replies < 0:
            self.replies = sum(self.edges.values())

    @property
    def summarised(self) -> bool:
        """Only the busiest pairs are in `edges`: the rest are in the pairs download."""
        return len(self.edges) < self.pairs


def interaction_map(cohort: Cohort, top: int | None = None) -> InteractionMap:
    """Who replied to whom (shown replies between members of the cohort), from the reply
    pairs kept as replies come and go: one row per pair, however many posts. With `top`,
    `edges` keeps that many pairs, those with the most replies; the totals count them all.

    The database counts and picks the pairs: Python sees the busiest `top` and the totals,
    not the cohort's thousands of pairs. Pairs with someone who is no longer a learner or
    facilitator here (removed, or a reviewer) are left out by naming those few people."""
    members = list(db.session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id).where(
            Membership.cohort_id == cohort.id, Membership.removed_at.is_(None),
            Membership.role.in_([MemberRole.LEARNER, MemberRole.FACILITATOR]))
        .order_by(Membership.role, User.name)
    ).all())
    ids = {u.id for u, _ in members}
    involved = set(db.session.scalars(
        select(ReplyPair.from_id).where(ReplyPair.cohort_id == cohort.id)
        .union(select(ReplyPair.to_id).where(ReplyPair.cohort_id == cohort.id))))
    where = [ReplyPair.cohort_id == cohort.id, ReplyPair.replies > 0]
    if outsiders := sorted(involved - ids):
        where += [ReplyPair.from_id.not_in(outsiders), ReplyPair.to_id.not_in(outsiders)]
    pairs, replies = db.session.execute(
        select(func.count(), func.coalesce(func.sum(ReplyPair.replies), 0)).where(*where)).one()
    answered = set(db.session.scalars(select(ReplyPair.to_id).where(*where).distinct()))
    busiest = (select(ReplyPair.from_id, ReplyPair.to_id, ReplyPair.replies).where(*where)
               .order_by(ReplyPair.replies.desc(), ReplyPair.from_id, ReplyPair.to_id))
    if top is not None:
        busiest = busiest.limit(top)
    return InteractionMap(
        people=[(u, r.value) for u, r in members],
        edges={(a, b): n for a, b, n in db.session.execute(busiest)},
        not_replied_to=[u for u, r in members if r == MemberRole.LEARNER and u.id not in answered],
        pairs=pairs, replies=replies,
    )
