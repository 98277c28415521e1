"""Making a cohort large cheaply, for tests that compare a page on small and large data:
bulk inserts of people, posts, reads and evidence (what `bench/seed` does at scale), then
the kept counts rebuilt from them, as `progress rebuild-counts` would."""

import random
from datetime import timedelta

from sqlalchemy import func, insert, select

from course_app.auth.models import Role, User
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole, Membership
from course_app.discussions import counts as discussion_counts
from course_app.discussions.models import Post, PostRead, Thread, ThreadKind
from course_app.extensions import db
from course_app.progress import counts as progress_counts
from course_app.progress.models import Activity, Mode


def grow(cohort_id: int, long_thread_id: int, *, learners: int = 60, replies: int = 640,
         pieces: int = 45, seed: int = 3) -> list[int]:
    """Add `learners` learners to the cohort, `replies` replies to the long thread (by them),
    `pieces` more conversation pieces with a reply each in the long thread's e-tivity, reads
    of the long thread's first pages by each new learner, and the evidence all that earns.
    Returns the new learners' ids. Commits."""
    rng = random.Random(seed)
    thread = db.session.get(Thread, long_thread_id)
    etivity_id = thread.etivity_id
    at = utcnow() - timedelta(days=1)
    password_hash = db.session.scalar(select(User.password_hash).limit(1))
    start = db.session.scalar(select(func.count(User.id)))
    ids = list(db.session.scalars(insert(User).returning(User.id), [
        {"email": f"bulk{start + n}@example.org", "name": f"Bulk {start + n:04d}", "about": "",
         "password_hash": password_hash, "role": Role.LEARNER, "created_at": at}
        for n in range(learners)]))
    db.session.execute(insert(Membership), [
        {"cohort_id": cohort_id, "user_id": user_id, "role": MemberRole.LEARNER,
         "joined_at": at} for user_id in ids])

    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                   Post.position == 0))
    last = db.session.scalar(select(func.max(Post.position)).where(Post.thread_id == thread.id))
    authors = [rng.choice(ids) for _ in range(replies)]
    post_ids = list(db.session.scalars(insert(Post).returning(Post.id), [
        {"thread_id": thread.id, "position": last + 1 + n, "author_id": author,
         "parent_id": opening.id, "body": f"Bulk reply {n}.",
         "created_at": at + timedelta(seconds=n)} for n, author in enumerate(authors)]))
    thread.last_post_at = at + timedelta(seconds=replies)

    threads = list(db.session.scalars(insert(Thread).returning(Thread.id), [
        {"cohort_id": cohort_id, "etivity_id": etivity_id, "author_id": rng.choice(ids),
         "kind": ThreadKind.PIECE, "title": f"Bulk piece {n}", "created_at": at,
         "last_post_at": at - timedelta(hours=n + 1)} for n in range(pieces)]))
    piece_authors = dict(db.session.execute(
        select(Thread.id, Thread.author_id).where(Thread.id.in_(threads))).all())
    openings = list(db.session.scalars(insert(Post).returning(Post.id), [
        {"thread_id": t, "position": 0, "author_id": piece_authors[t], "body": "A piece.",
         "created_at": at} for t in threads]))
    repliers = [rng.choice([i for i in ids if i != piece_authors[t]]) for t in threads]
    answers = list(db.session.scalars(insert(Post).returning(Post.id), [
        {"thread_id": t, "position": 1, "author_id": replier, "parent_id": first,
         "body": "A reply.", "created_at": at + timedelta(minutes=5)}
        for t, first, replier in zip(threads, openings, repliers, strict=True)]))

    reads, log = [], []
    for reader in ids:
        for post_id, author in list(zip(post_ids, authors, strict=True))[:rng.randint(20, 60)]:
            reads.append({"user_id": reader, "post_id": post_id, "thread_id": thread.id,
                          "read_at": at})
            if author != reader:
                log.append((reader, Mode.OBSERVE, post_id, author))
    for t, first, answer, replier in zip(threads, openings, answers, repliers, strict=True):
        log.append((piece_authors[t], Mode.INITIATE, first, None))
        log.append((replier, Mode.INTERACT, answer, piece_authors[t]))
    db.session.execute(insert(PostRead), reads)
    db.session.execute(insert(Activity), [
        {"cohort_id": cohort_id, "user_id": user, "etivity_id": etivity_id, "kind": kind,
         "post_id": post, "peer_id": peer, "created_at": at} for user, kind, post, peer in log])
    progress_counts.rebuild_cohort(cohort_id)
    discussion_counts.rebuild_cohort(cohort_id)
    db.session.commit()
    return ids
