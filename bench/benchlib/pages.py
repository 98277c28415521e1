"""What `bench/run` measures: the one route table, and the URLs it can only learn by
looking (the e-tivity the long thread belongs to, its last page, the stylesheet, a few
shorter threads), found by fetching pages as a browser would, with the database as fallback."""

import math
import re
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from .client import Browser


@dataclass(frozen=True)
class Page:
    key: str  # what --only names
    title: str
    who: str  # "anyone", "learner" or "facilitator"
    path: str
    kind: str = "get"  # "get", "reply" or "mixed"


@dataclass
class Found:
    """The seeded data the pages are about, and the URLs learnt from it."""

    cohort_id: int
    thread: str  # the long thread's path
    etivity: str = ""
    stylesheet: str = "/static/css/app.css"
    last_page: int = 1
    short_threads: list[str] = field(default_factory=list)


def route_table(f: Found) -> list[Page]:
    """Every measured page, in the order measured: reads first, then the writes."""
    c = f.cohort_id
    middle = max((f.last_page + 1) // 2, 1)
    return [
        Page("static", "static file (floor)", "anyone", f.stylesheet),
        Page("healthz", "/healthz", "anyone", "/healthz"),
        Page("map", "course map", "learner", f"/cohorts/{c}"),
        Page("etivity", "e-tivity page", "learner", f.etivity),
        Page("thread-first", "thread, first page", "learner", f"{f.thread}?page=1"),
        Page("thread-middle", f"thread, middle page ({middle})", "learner",
             f"{f.thread}?page={middle}"),
        Page("thread-last", f"thread, last page ({f.last_page})", "learner",
             f"{f.thread}?page={f.last_page}"),
        Page("progress", "my progress", "learner", f"/cohorts/{c}/progress"),
        Page("dashboard", "cohort dashboard", "facilitator", f"/reports/cohorts/{c}"),
        Page("csv", "CSV export", "facilitator", f"/reports/cohorts/{c}/progress.csv"),
        Page("api", "progress API", "facilitator", f"/api/v1/cohorts/{c}/progress"),
        Page("reply", "reply (POST)", "learner", f.thread, "reply"),
        Page("mixed", "mixed, 16 users", "learner", f.thread, "mixed"),
    ]


def discover(browser: Browser, notes: dict, url: str) -> Found:
    """Follow links from the long thread's first page as the seeded learner."""
    found = Found(notes["cohort_id"], notes["long_thread_url"])
    status, page, _, _ = browser.get(f"{found.thread}?page=1")
    if status != 200:
        raise RuntimeError(f"the long thread {found.thread} answered HTTP {status}")
    stylesheet = re.search(r'href="(/static/[^"]+\.css[^"]*)"', page)
    if stylesheet:
        found.stylesheet = stylesheet.group(1).replace("&amp;", "&")
    thread_re = re.escape(found.thread)
    pages = [int(n) for n in re.findall(thread_re + r'\?(?:[^"]*&(?:amp;)?)?page=(\d+)', page)]
    etivity = re.search(rf'href="(/cohorts/{found.cohort_id}/e/[^"/?#]+)"', page)
    with create_engine(url).connect() as conn:
        count = conn.scalar(text("SELECT COUNT(*) FROM post WHERE thread_id = :t"),
                            {"t": int(found.thread.rstrip("/").rsplit("/", 1)[1])})
        slug = conn.scalar(text(
            "SELECT e.slug FROM thread t JOIN etivity e ON e.id = t.etivity_id WHERE t.id = :t"),
            {"t": int(found.thread.rsplit("/", 1)[1])})
        found.etivity = etivity.group(1) if etivity else f"/cohorts/{found.cohort_id}/e/{slug}"
    found.last_page = max(pages + [math.ceil(count / 20)])
    status, page, _, _ = browser.get(found.etivity)
    others = re.findall(rf'href="(/cohorts/{found.cohort_id}/threads/\d+)"', page)
    found.short_threads = list(dict.fromkeys(t for t in others if t != found.thread))[:5]
    return found


def notes_from_database(url: str, password: str) -> dict:
    """What the seed would have printed, when its notes file is missing: the cohort with most
    learners, its longest thread, its learner with most completions, its first facilitator."""
    with create_engine(url).connect() as conn:
        cohort = conn.scalar(text(
            "SELECT cohort_id FROM membership WHERE role = 'learner' AND removed_at IS NULL "
            "GROUP BY cohort_id ORDER BY COUNT(*) DESC, cohort_id LIMIT 1"))
        thread = conn.scalar(text(
            "SELECT p.thread_id FROM post p JOIN thread t ON t.id = p.thread_id "
            "WHERE t.cohort_id = :c AND t.etivity_id IS NOT NULL "
            "GROUP BY p.thread_id ORDER BY COUNT(*) DESC LIMIT 1"), {"c": cohort})
        learner = conn.scalar(text(
            "SELECT u.email FROM membership m JOIN users u ON u.id = m.user_id "
            "LEFT JOIN completion c ON c.user_id = m.user_id AND c.cohort_id = m.cohort_id "
            "WHERE m.cohort_id = :c AND m.role = 'learner' GROUP BY u.id, u.email "
            "ORDER BY COUNT(c.id) DESC, u.id LIMIT 1"), {"c": cohort})
        facilitator = conn.scalar(text(
            "SELECT u.email FROM membership m JOIN users u ON u.id = m.user_id "
            "WHERE m.cohort_id = :c AND m.role = 'facilitator' ORDER BY m.id LIMIT 1"),
            {"c": cohort})
        posts = conn.scalar(text("SELECT COUNT(*) FROM post"))
    return {"password": password, "learner_email": learner, "facilitator_email": facilitator,
            "cohort_id": cohort, "long_thread_url": f"/cohorts/{cohort}/threads/{thread}",
            "posts": posts}


def learner_emails(url: str, cohort_id: int, count: int, first: str) -> list[str]:
    """`first`, then other active learners of the cohort: the mixed workload's users."""
    with create_engine(url).connect() as conn:
        emails = list(conn.scalars(text(
            "SELECT u.email FROM membership m JOIN users u ON u.id = m.user_id "
            "WHERE m.cohort_id = :c AND m.role = 'learner' AND m.removed_at IS NULL "
            "ORDER BY u.id"), {"c": cohort_id}))
    others = [e for e in emails if e != first]
    step = max(len(others) // max(count - 1, 1), 1)
    return [first] + others[::step][:count - 1]
