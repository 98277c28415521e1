"""`bench/run`: serve a seeded database with gunicorn, log in as the seed's learner and
facilitator, and measure each page with wrk; the table and raw figures go to bench/results/."""

import argparse
import os
import sys
import urllib.parse

from . import database, pages, report, wrk
from .client import Browser, csrf_token
from .serve import Server, free_port
from .wrk import Target


def parse(argv=None) -> argparse.Namespace:
    keys = [p.key for p in pages.route_table(pages.Found(0, "/t"))]
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Serve the app with gunicorn (2 workers) on 127.0.0.1 against a seeded "
                    "database and measure each page with wrk: req/s, p50/p95/p99, and each p50 "
                    "as a multiple of the static-file floor measured in the same run.",
        epilog=f"Pages: {', '.join(keys)}. Results: bench/results/<date>-<database>.md/.json.")
    parser.add_argument("--database", help="the seeded SQLite file or database URL "
                        "(default: $DATABASE_URL, else bench/data/bench.sqlite)")
    parser.add_argument("--duration", type=float, default=10, help="seconds a page (10)")
    parser.add_argument("--max-page-seconds", type=float, default=60,
                        help="a page slower than duration/8 runs longer, up to this (60)")
    parser.add_argument("--only", help="comma-separated pages (the static floor always runs)")
    parser.add_argument("--connections", type=int, default=4, help="per page (4)")
    parser.add_argument("--users", type=int, default=16,
                        help="users and connections of the mixed workload (16)")
    parser.add_argument("--port", type=int, help="(default: a free one)")
    parser.add_argument("--password", default="bench passphrase",
                        help="when the seed's notes are missing")
    parser.add_argument("--queries", action="store_true",
                        help="also count each page's SQL queries, in-process, after the load")
    parser.add_argument("--out", default=str(database.ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    args.only = set(args.only.split(",")) if args.only else None
    unknown = (args.only or set()) - set(keys)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


def main(argv=None) -> None:
    args = parse(argv)
    if not wrk.available():
        sys.exit("wrk is not installed: apt-get install -y wrk")
    url = database.database_url(args.database)
    notes = database.load_notes(url) or pages.notes_from_database(url, args.password)
    meta = report.meta(url, notes, args)
    rows = []
    with Server(url, args.port or free_port()) as server:
        learner = Browser(server.base)
        learner.login(notes["learner_email"], notes["password"])
        facilitator = Browser(server.base)
        facilitator.login(notes["facilitator_email"], notes["password"])
        found = pages.discover(learner, notes, url)
        meta["long_thread_pages"] = found.last_page
        browsers = {"learner": learner, "facilitator": facilitator, "anyone": None}
        for page in pages.route_table(found):
            if args.only and page.key not in args.only and page.key != "static":
                continue
            row = _measure(page, browsers, found, server.base, url, notes, args)
            rows.append(row)
            report.progress(row, rows[0])
    meta["load_after"] = os.getloadavg()
    if args.queries:
        from .queries import count_queries

        count_queries(url, notes, found, rows)
    paths = report.write(args.out, meta, rows)
    print(report.markdown(meta, rows))
    print(f"written: {', '.join(str(p) for p in paths)}")


def _measure(page: pages.Page, browsers: dict, found: pages.Found, base: str, url: str,
             notes: dict, args) -> dict:
    browser = browsers[page.who]
    connections = args.connections
    if page.kind == "get":
        probe = browser or Browser(base)
        status, body, seconds, _ = probe.get(page.path)
        cookie = browser.cookie_header() if browser else None
        targets = [Target(page.path, cookie)]
    elif page.kind == "reply":
        status, body, seconds, _ = browser.get(page.path + f"?page={found.last_page}")
        token = csrf_token(body)
        if token is None:
            raise RuntimeError(f"no reply form on {page.path} for the learner")
        targets = [Target(page.path, browser.cookie_header(), csrf=urllib.parse.quote(token))]
    else:
        targets, seconds = _mixed(found, base, url, notes, args.users)
        status, connections = 200, args.users
    run_for, timeout = _budget(seconds, args)
    result, output = wrk.run(base, targets, run_for, connections, timeout=timeout)
    return {"key": page.key, "title": page.title, "who": page.who, "path": page.path,
            "probe_status": status, "probe_seconds": round(seconds, 3),
            "connections": connections, **result.as_dict(), "wrk_output": output}


def _budget(probe_seconds: float, args) -> tuple[float, float]:
    """Run long enough for a slow page to answer a few times, and let wrk wait for it."""
    run_for = args.duration
    if probe_seconds * 8 > run_for:
        run_for = min(args.max_page_seconds, max(run_for, probe_seconds * 8))
    timeout = min(max(10.0, probe_seconds * 6 + 5), 290.0)
    return run_for, timeout


def _mixed(found: pages.Found, base: str, url: str, notes: dict, users: int):
    """Mostly reads, a tenth replies, spread over `users` learners of the cohort, each with
    their own session and CSRF token."""
    targets, slowest = [], 0.0
    shorts = found.short_threads or [found.thread]
    middle = max((found.last_page + 1) // 2, 1)
    for n, email in enumerate(pages.learner_emails(url, found.cohort_id, users,
                                                   notes["learner_email"])):
        browser = Browser(base)
        browser.login(email, notes["password"])
        status, body, seconds, _ = browser.get(f"{found.thread}?page=1")
        slowest = max(slowest, seconds)
        token = csrf_token(body) if status == 200 else None
        cookie = browser.cookie_header()
        short = shorts[n % len(shorts)]
        c = found.cohort_id
        targets += [
            Target(f"/cohorts/{c}", cookie, 15),
            Target(f"/cohorts/{c}/progress", cookie, 10),
            Target(found.etivity, cookie, 15),
            Target(f"{found.thread}?page=1", cookie, 10),
            Target(f"{found.thread}?page={middle}", cookie, 10),
            Target(f"{found.thread}?page={found.last_page}", cookie, 15),
            Target(f"{short}?page=1", cookie, 15),
        ]
        if token:
            quoted = urllib.parse.quote(token)
            targets += [Target(found.thread, cookie, 5, quoted), Target(short, cookie, 5, quoted)]
    return targets, slowest
