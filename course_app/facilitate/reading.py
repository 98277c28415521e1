"""The reading view: who has read which peers' posts in an e-tivity, the evidence behind
"observe"."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from ..auth.models import User
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..progress import standing as progress
from ..progress.models import Activity, Mode
from ..progress.rules import Counts
from .people import learners_of


@dataclass
class ReaderRow:
    user: User
    posts_read: int
    peers: list[tuple[User, int]]  # whose posts they read, and how many
    counts: Counts


def reading_view(cohort: Cohort, etivity: Etivity) -> list[ReaderRow]:
    """One row per active learner, by name; peers who have since left are not listed."""
    learners = learners_of(cohort)
    rows = db.session.execute(
        select(Activity.user_id, Activity.peer_id, func.count(func.distinct(Activity.post_id)))
        .where(Activity.cohort_id == cohort.id, Activity.etivity_id == etivity.id,
               Activity.kind == Mode.OBSERVE, Activity.voided_at.is_(None))
        .group_by(Activity.user_id, Activity.peer_id)
    ).all()
    by_reader: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for reader, peer, n in rows:
        by_reader[reader].append((peer, n))
    counts = progress.counts_for(cohort.id)
    result = []
    for user_id, (user, _m) in sorted(learners.items(), key=lambda kv: kv[1][0].name):
        peers = sorted(((learners[p][0], n) for p, n in by_reader.get(user_id, [])
                        if p in learners), key=lambda pn: (-pn[1], pn[0].name))
        result.append(ReaderRow(user, sum(n for _, n in peers), peers,
                                counts.get((user_id, etivity.id), Counts())))
    return result
