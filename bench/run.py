"""Benchmarks: how long the main pages and commands take as a cohort grows.

Run with `make bench` (or `.venv/bin/python bench/run.py [--learners 10,100,300]`).
It builds a throwaway SQLite database (or uses BENCH_DATABASE_URL), fills a cohort with
learners who post, reply and read, then times each page in-process through the WSGI app
(median of several runs) and counts its SQL queries. Results go to stdout as a Markdown table.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import g  # noqa: E402
from sqlalchemy import event  # noqa: E402

from course_app import create_app  # noqa: E402
from course_app.auth.models import Role, User  # noqa: E402
from course_app.auth.services import create_user  # noqa: E402
from course_app.clock import utcnow  # noqa: E402
from course_app.cohorts.models import MemberRole  # noqa: E402
from course_app.cohorts.services import add_member, create_cohort  # noqa: E402
from course_app.content import load_course  # noqa: E402
from course_app.courses.services import import_course  # noqa: E402
from course_app.discussions import services as discussions  # noqa: E402
from course_app.extensions import db  # noqa: E402

PASSWORD = "benchmark passphrase"
REQUEST_CACHE = ("_login_user", "_memberships", "_site_header")


def fill(n_learners: int):
    """A cohort of n learners; each starts a piece in two stage-1 e-tivities, replies to
    two peers and reads a handful of threads."""
    now = utcnow() - timedelta(days=10)
    course = import_course(load_course(ROOT / "modules" / "engaging-online")).course
    facilitator = create_user("f@bench.example", "Facilitator", PASSWORD, at=now,
                              role=Role.FACILITATOR)
    cohort = create_cohort(course, f"Bench {n_learners}", facilitator, at=now)
    discussions.ensure_help_thread(cohort, facilitator, at=now)
    first = create_user("l0@bench.example", "Learner 0", PASSWORD, at=now)
    add_member(cohort, first, MemberRole.LEARNER, now)
    learners = [first, *join(cohort, n_learners - 1, "l", first.password_hash, now, start=1)]
    stage1 = course.etivities_in(1)
    threads = []
    for i, user in enumerate(learners):
        for etivity in stage1[1:3]:
            threads.append(discussions.start_thread(cohort, etivity, user, f"Piece {i}",
                                                    "Hello, this is my piece.", at=now))
    for i, user in enumerate(learners):
        for k in (1, 2):
            thread = threads[(2 * i + 2 * k) % len(threads)]
            if thread.author_id != user.id:
                discussions.reply(thread, user, "A reply to a peer.", at=now)
        for k in range(5):
            thread = threads[(3 * i + k) % len(threads)]
            discussions.mark_shown(thread, user, list(thread.posts), at=now)
    db.session.commit()
    return cohort, learners, threads


def join(cohort, n: int, prefix: str, password_hash: str, at, start: int = 0) -> list[User]:
    """n learners in the cohort, sharing one password hash (scrypt is slow on purpose: hash
    once, share the hash)."""
    users = [User(email=f"{prefix}{i}@bench.example", name=f"Learner {i}", created_at=at,
                  password_hash=password_hash) for i in range(start, start + n)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        add_member(cohort, user, MemberRole.LEARNER, at)
    return users


@contextmanager
def bench_app():
    """The app on a throwaway database (or BENCH_DATABASE_URL's, emptied) with the schema, its
    app context pushed; the tables are dropped afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench"})
        # One app context is held open for the run; requests reuse it, so forget what the
        # previous request cached in `g` (the user Flask-Login loaded, their memberships, the
        # header's facts): each client logs in.
        app.before_request(lambda: [g.pop(k, None) for k in REQUEST_CACHE] and None)
        with app.app_context():
            db.drop_all()
            db.create_all()
            try:
                yield app
            finally:
                db.session.remove()
                db.drop_all()
                db.engine.dispose()


def measure(client, url: str, runs: int) -> tuple[float, int, int]:
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url, follow_redirects=True)
        status = response.status_code
        queries = counter["n"]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url, follow_redirects=True)
            times.append(time.perf_counter() - start)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(times) * 1000, queries, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="10,100,300")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cohorts", default="1,10,40",
                        help="an admin's facilitator home with this many cohorts (30 learners "
                             "each); empty to skip")
    args = parser.parse_args()
    # The table is the output: the security log of the benchmark's own logins and exports
    # would come between its rows.
    logging.getLogger("course_app.security").setLevel(logging.WARNING)
    print("| learners | page | median ms | SQL queries |")
    print("| ---: | --- | ---: | ---: |")
    for n in (int(x) for x in args.learners.split(",")):
        with bench_app() as app:
            started = time.perf_counter()
            cohort, learners, threads = fill(n)
            fill_s = time.perf_counter() - started
            client = app.test_client()
            client.post("/account/login", data={"email": learners[0].email,
                                                "password": PASSWORD})
            pages = {
                "course page": "/courses/engaging-online",
                "course map": f"/cohorts/{cohort.id}",
                "e-tivity page":
                    f"/cohorts/{cohort.id}/e/{cohort.course.etivities_in(1)[1].slug}",
                "thread": f"/cohorts/{cohort.id}/threads/{threads[0].id}",
                "my progress": f"/cohorts/{cohort.id}/progress",
                "my progress report": f"/reports/cohorts/{cohort.id}/learners/"
                                      f"{learners[0].id}",
            }
            staff = app.test_client()
            staff.post("/account/login", data={"email": "f@bench.example",
                                               "password": PASSWORD})
            for name, page in pages.items():
                ms, queries, status = measure(client, page, args.runs)
                if status == 200:
                    print(f"| {n} | {name} | {ms:.1f} | {queries} |")
            for name, page in (("progress API (facilitator)",
                                f"/api/v1/cohorts/{cohort.id}/progress"),
                               ("reports dashboard (facilitator)",
                                f"/reports/cohorts/{cohort.id}"),
                               ("CSV export (facilitator)",
                                f"/reports/cohorts/{cohort.id}/progress.csv"),
                               ("facilitator's cohort page",
                                f"/facilitate/cohorts/{cohort.id}"),
                               ("first posts nobody has answered, all (facilitator)",
                                f"/facilitate/cohorts/{cohort.id}/waiting/unanswered"),
                               ("weave a summary (facilitator)",
                                f"/facilitate/cohorts/{cohort.id}/e/"
                                f"{cohort.course.etivities_in(1)[1].slug}/weave")):
                ms, queries, status = measure(staff, page, max(3, args.runs // 3))
                if status == 200:
                    print(f"| {n} | {name} | {ms:.1f} | {queries} |")
            print(f"| {n} | building the cohort (setup) | {fill_s * 1000:.0f} | – |")
    if args.cohorts:
        facilitator_home([int(x) for x in args.cohorts.split(",")], args.runs)


def facilitator_home(sizes: list[int], runs: int) -> None:
    """An admin's /facilitate/ and /reports/ (which show every cohort) as cohorts are added."""
    print()
    print("| cohorts | page | median ms | SQL queries |")
    print("| ---: | --- | ---: | ---: |")
    with bench_app() as app:
        now = utcnow() - timedelta(days=10)
        course = import_course(load_course(ROOT / "modules" / "engaging-online")).course
        admin = create_user("a@bench.example", "Admin", PASSWORD, at=now, role=Role.ADMIN)
        facilitator = create_user("f@bench.example", "Facilitator", PASSWORD, at=now,
                                  role=Role.FACILITATOR)
        client = app.test_client()
        client.post("/account/login", data={"email": admin.email, "password": PASSWORD})
        made = 0
        for size in sizes:
            for c in range(made, size):
                cohort = create_cohort(course, f"Bench {c}", facilitator, at=now)
                join(cohort, 30, f"c{c}l", admin.password_hash, now)
            made = max(made, size)
            db.session.commit()
            for name, page in (("facilitator home (admin)", "/facilitate/"),
                               ("reports (admin)", "/reports/")):
                ms, queries, status = measure(client, page, max(3, runs // 3))
                if status == 200:
                    print(f"| {size} | {name} | {ms:.1f} | {queries} |")


if __name__ == "__main__":
    main()
