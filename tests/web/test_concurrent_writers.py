"""Many writers at once, through a real server: gunicorn with 3 workers on 127.0.0.1 serves the
app (CSRF on, as deployed) against a database of its own: an SQLite file, or a PostgreSQL
database made for the test when TEST_DATABASE_URL is PostgreSQL. WRITERS learners, each
logged in on their own, reply POSTS times at once (each to a different peer's thread) and
send one reply twice, as a double click would. Afterwards: no 5xx, every reply stored
exactly once, and each learner's progress (`cohort_progress`, and the completions earned)
agrees with a count made straight from the posts.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from conftest import default_course_spec
from course_app import create_app
from course_app.auth.services import create_user
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole
from course_app.cohorts.services import add_member, create_cohort
from course_app.courses.services import import_course
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from course_app.progress.models import Completion
from course_app.progress.rules import Counts, meets
from course_app.progress.standing import cohort_progress
from database import own_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
# 30 writers keep all three server workers writing at once for the whole test; 8 replies
# each (270 POSTs with the double clicks) keeps the same 30 at once for fewer rounds than
# the 20 each this test used to send, in 40% of the time.
WRITERS = 30
POSTS = 8
PASSWORD = "a long enough passphrase"
SLUG = "introduce-yourself"

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="needs gunicorn in the venv")


def config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "concurrency-test",
            "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}


@pytest.fixture
def database(tmp_path):
    """A database for this test only: an SQLite file, or a new PostgreSQL database."""
    with own_database(tmp_path, "course_writers") as url:
        yield url


def prepare(url: str):
    """The schema, the course, a cohort, WRITERS learners each with a thread of their own."""
    app = create_app(config(url))
    with app.app_context():
        db.create_all()
        course = import_course(default_course_spec()).course
        facilitator = create_user("fay@example.org", "Fay", PASSWORD, utcnow())
        cohort = create_cohort(course, "Busy cohort", facilitator, utcnow())
        etivity = next(e for e in course.etivities if e.slug == SLUG)
        learners, threads = [], []
        for n in range(WRITERS):
            learner = create_user(f"writer{n}@example.org", f"Writer {n}", PASSWORD, utcnow())
            add_member(cohort, learner, MemberRole.LEARNER, utcnow())
            threads.append(discussions.start_thread(cohort, etivity, learner, f"Thread {n}",
                                                    f"Opening post {n}", utcnow()).id)
            learners.append(learner.email)
        db.session.commit()
        ids = cohort.id, learners, threads
        db.session.remove()
        db.engine.dispose()
    return app, ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path, database):
    app, ids = prepare(database)
    (tmp_path / "serve.py").write_text(
        "from course_app import create_app\n"
        f"app = create_app({config(database)!r})\n")
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [str(GUNICORN), "-w", "3", "--no-control-socket", "-b", f"127.0.0.1:{port}",
         "--timeout", "60", "--pythonpath", str(ROOT), "serve:app"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Client(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield port, app, ids, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        with app.app_context():
            db.engine.dispose()


class Client:
    """One browser: its own cookies, a new connection per request (no redirects followed)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def writer(port, cohort_id, email, n, threads, statuses, errors):
    try:
        client = Client(port)
        token = client.csrf_token("/account/login")
        status, _ = client.request("POST", "/account/login",
                                   {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 302, f"{email} could not log in ({status})"
        token = client.csrf_token("/account/profile")  # a page that records no reading
        for j in range(POSTS):
            thread_id = threads[(n + j + 1) % WRITERS]  # POSTS different peers' threads
            form = {"csrf_token": token, "body": f"Reply {j} from writer {n}",
                    "submission_key": uuid.uuid4().hex}
            path = f"/cohorts/{cohort_id}/threads/{thread_id}"
            statuses.append(client.request("POST", path, form)[0])
            if j == POSTS // 2:  # a double click: the same form again
                statuses.append(client.request("POST", path, form)[0])
    except BaseException as error:  # reported by the test
        errors.append(f"writer {n}: {error!r}")


def test_many_writers_at_once_store_every_post_once_and_progress_adds_up(server):
    port, app, (cohort_id, emails, threads), log = server
    statuses: list[int] = []
    errors: list[str] = []
    started = time.monotonic()
    workers = [threading.Thread(target=writer, args=(port, cohort_id, email, n, threads,
                                                     statuses, errors))
               for n, email in enumerate(emails)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    took = time.monotonic() - started
    assert not errors, "\n".join(errors) + "\n" + log.read_text()[-3000:]
    assert len(statuses) == WRITERS * (POSTS + 1)
    assert not [s for s in statuses if s >= 500], (Counter(statuses), log.read_text()[-3000:])
    assert Counter(statuses) == {302: WRITERS * (POSTS + 1)}, Counter(statuses)

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        rows = db.session.execute(
            select(Post.author_id, Post.body, Post.parent_id, Thread.id, Thread.author_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Thread.cohort_id == cohort_id)).all()
        replies = Counter(body for _, body, parent, _, _ in rows if parent is not None)
        expected = {f"Reply {j} from writer {n}" for n in range(WRITERS) for j in range(POSTS)}
        assert set(replies) == expected
        assert set(replies.values()) == {1}  # each stored exactly once

        # Progress, counted again straight from the posts: every reply answers a thread's
        # opening post, by a different peer; every writer started one thread.
        opening_author = {thread_id: thread_author for *_, thread_id, thread_author in rows}
        peers: dict[int, set[int]] = defaultdict(set)
        started_threads: Counter = Counter()
        for author, _body, parent, thread_id, thread_author in rows:
            if parent is None:
                started_threads[author] += 1
            elif opening_author[thread_id] != author:
                peers[author].add(thread_author)
        etivity = next(e for e in cohort.course.etivities if e.slug == SLUG)
        standing = cohort_progress(cohort, utcnow().date())
        assert len(standing) == WRITERS
        completed = set(db.session.scalars(select(Completion.user_id).where(
            Completion.cohort_id == cohort_id, Completion.etivity_id == etivity.id)))
        for user_id, progress in standing.items():
            entry = next(p for p in progress.etivities if p.etivity.id == etivity.id)
            assert entry.counts.interact == len(peers[user_id]) == POSTS
            assert entry.counts.initiate == started_threads[user_id] == 1
            recount = Counts(entry.counts.observe, len(peers[user_id]), started_threads[user_id])
            assert (user_id in completed) == meets(etivity.rule, recount)
        db.session.remove()
    assert took < 120
