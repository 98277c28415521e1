"""`bench/seed`: an empty database, the app's schema and course, then a simulated national
programme written with bulk inserts. Ends with one JSON line for `bench/run` (also saved
beside the database)."""

import argparse
import gc
import json
import random
import time
from pathlib import Path

from . import activity, database
from .fill import fill
from .plan import Sizes, build
from .progressbar import Bar, step
from .write import write

DEFAULT_PASSWORD = "bench passphrase"


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/seed",
        description="Build a realistic large dataset fast: cohorts, learners, threads of skewed "
                    "lengths, reads, the activity log and completions that follow from them. "
                    "Sizes not given scale with --posts.",
        epilog="Prints one JSON line: password, learner_email, facilitator_email, cohort_id, "
               "long_thread_url, posts (also saved beside the database for bench/run).")
    parser.add_argument("--database", help="a SQLite file or a database URL "
                        "(default: $DATABASE_URL, else bench/data/bench.sqlite)")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts in all (1,000,000)")
    parser.add_argument("--cohorts", type=int, help="cohorts (200 at 1M posts; learners/100)")
    parser.add_argument("--learners", type=int,
                        help="learners (20,000 at 1M posts; posts/50, at least big cohort + 50)")
    parser.add_argument("--big-cohort", type=int, default=300,
                        help="learners in the cohort that holds the longest thread (300)")
    parser.add_argument("--long-thread", type=int,
                        help="posts in the longest thread (20,000 at 1M posts; posts/5)")
    parser.add_argument("--mid-threads", type=int,
                        help="threads of --mid-thread-length posts (10 at 1M posts)")
    parser.add_argument("--mid-thread-length", type=int,
                        help="(2,000 at 1M posts; posts/50)")
    parser.add_argument("--reads-per-post", type=float, default=1.0,
                        help="reads by other people per post, besides the author's own and "
                             "each replier's of the post answered (1.0)")
    parser.add_argument("--seed", type=int, default=10, help="random seed (10)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD,
                        help=f"everyone's password ({DEFAULT_PASSWORD!r})")
    parser.add_argument("--course", type=Path,
                        default=database.ROOT / "modules" / "engaging-online")
    parser.add_argument("--schema", choices=("migrations", "create-all"), default="migrations",
                        help="make the tables with the app's migrations (default) or create_all")
    parser.add_argument("--batch", type=int, default=20_000, help="rows per insert (20,000)")
    parser.add_argument("--force", action="store_true",
                        help="replace the SQLite file, or empty the PostgreSQL database")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    url = database.database_url(args.database)
    try:
        sizes = Sizes(args.posts, args.cohorts, args.learners, args.big_cohort, args.long_thread,
                      args.mid_threads, args.mid_thread_length, args.reads_per_post,
                      args.seed).resolved()
    except ValueError as error:
        raise SystemExit(f"bench/seed: {error}") from None
    step(f"{database.label(url)}: {sizes.posts:,} posts, {sizes.learners:,} learners in "
         f"{sizes.cohorts:,} cohorts (one of {sizes.big_cohort}), longest thread "
         f"{sizes.long_thread:,}, {sizes.mid_threads} of {sizes.mid_thread_length:,}")
    database.make_empty(url, args.force)
    app = database.make_app(url)
    database.create_schema(app, args.schema)
    course_id, shape = database.import_course(app, args.course)
    step(f"schema ({args.schema}) and course {args.course.name} imported")

    from werkzeug.security import generate_password_hash

    # Hashing is slow on purpose; everyone shares the one hash.
    password_hash = generate_password_hash(
        args.password, method=app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    gc.disable()  # millions of small tuples: the cycle collector would rescan them all
    rng = random.Random(sizes.seed + 2)
    try:
        # The last hour started: the same seed within an hour builds the same data.
        world = build(sizes, shape, time.time() // 3600 * 3600 - 60)
        step(f"planned {len(world.users):,} people, {len(world.threads):,} threads "
             f"(cohort ages × {world.age_scale:.2f})")
        fill(world, rng)
        step(f"posts placed ({len(world.post_order):,})")
        reads = activity.reads(world, rng)
        log = activity.activity_log(world, reads)
        done = activity.completions(world, log)
        notes = activity.notifications(world, done, rng)
        step(f"{len(reads):,} reads, {len(log):,} activity rows, {len(done):,} completions, "
             f"{len(notes):,} notifications")
        from course_app import models
        from course_app.extensions import db

        with app.app_context():
            written = write(db.engine, models, world, {"reads": reads, "log": log, "done": done,
                                                       "notes": notes},
                            course_id, password_hash, args.batch)
            count_kept(db, [co.id for co in world.cohorts])
            long_url = database.thread_path(app, world.big.id, world.long_thread.id)
            db.engine.dispose()
    finally:
        gc.enable()
    if not database.is_sqlite(url):
        _analyze(url)
    learner, facilitator = activity.pick_people(world, done)
    email = {u[0]: u[1] for u in world.users}
    result = {"password": args.password, "learner_email": email[learner],
              "facilitator_email": email[facilitator], "cohort_id": world.big.id,
              "long_thread_url": long_url, "posts": written["post"]}
    database.save_notes(url, result)
    step("done: " + ", ".join(f"{name} {count:,}" for name, count in written.items()))
    print(json.dumps(result), flush=True)


def count_kept(db, cohort_ids: list[int]) -> None:
    """The counts the app keeps as it goes (activity per learner and week, reply pairs, reads
    per thread), counted once from what was written, as `progress rebuild-counts` does."""
    from course_app.discussions import counts as discussion_counts
    from course_app.progress import counts as progress_counts

    bar = Bar(len(cohort_ids), "counting")
    for cohort_id in cohort_ids:
        progress_counts.rebuild_cohort(cohort_id)
        discussion_counts.rebuild_cohort(cohort_id)
        db.session.commit()
        bar.update(1, f"cohort {cohort_id}")
    bar.close()
    step("counts tables filled")


def _analyze(url: str) -> None:
    """PostgreSQL's autovacuum would soon do it; do it now so the first run isn't planned blind."""
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    step("ANALYZE done")
