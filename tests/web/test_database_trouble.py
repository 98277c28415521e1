"""Database trouble never loses text: a busy SQLite file is waited for and retried; when it
stays busy the writer gets a 503 page with exactly what they typed; /healthz says whether the
database takes writes; error handlers roll back first and their pages never fail.

The lock is held the way a backup or a long report would: another connection to the same
SQLite file in BEGIN EXCLUSIVE. The app under test waits only 100 ms for it.
"""

import html
import re
import sqlite3
import threading

import pytest
from sqlalchemy import func, select

import database
from conftest import PASSWORD, login
from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.discussions.models import Post, PostRead
from course_app.extensions import db

BODY = "Twenty minutes of careful words.\n\nA second paragraph, with <angle> & \"quotes\"."


@pytest.fixture
def transaction(base_app):
    """These tests hold SQLite's write lock from another connection, which a test's own
    open transaction would block: here the tests commit for real (this overrides conftest's
    rolled-back `transaction`), and the database is put back to its start afterwards."""
    database.close_shared()
    yield None
    with base_app.app_context():
        database.reset()
        db.session.remove()


@pytest.fixture
def lock(app):
    """Hold the write lock of the test database's SQLite file from another connection."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock (PostgreSQL waits for row locks instead)")
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)
    guard = threading.Lock()

    class Lock:
        def take(self):
            db.session.rollback()  # the test's own session must hold nothing
            holder.execute("BEGIN EXCLUSIVE")

        def release(self):
            with guard:
                if holder.in_transaction:
                    holder.execute("ROLLBACK")

        def release_after(self, seconds: float) -> threading.Timer:
            timer = threading.Timer(seconds, self.release)
            timer.start()
            return timer

    taken = Lock()
    yield taken
    taken.release()
    holder.close()


@pytest.fixture
def busy(make_app):
    """The app, waiting at most 100 ms for the lock, then trying once more."""
    return make_app(SQLITE_BUSY_TIMEOUT=100, DB_BUSY_RETRIES=1)


@pytest.fixture
def place(factory):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort, name="Ana"), factory.learner_in(cohort, name="Ben")
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ben, "Ben's hello", "Hello from Ben",
                                   utcnow())
    db.session.commit()
    return cohort, ana, thread


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def posts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Post.id)))


def hidden(response, name: str) -> str:
    tag = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">',
                    response.get_data(as_text=True))
    assert tag, f"no hidden {name!r} to send again"
    return html.unescape(tag.group(1))


# ---- /healthz ------------------------------------------------------------------------------

def test_healthz_says_ok_when_the_database_takes_writes(busy):
    response = busy.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_while_another_process_holds_the_write_lock(busy, lock):
    lock.take()
    response = busy.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    lock.release()
    assert busy.test_client().get("/healthz").status_code == 200


# ---- writes while the database is busy -----------------------------------------------------

def test_a_reply_while_the_database_stays_busy_comes_back_with_its_text(busy, place, lock):
    cohort, ana, thread = place
    client = busy.test_client()
    login(client, ana)
    before = posts()
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    lock.take()
    response = client.post(url, data={"body": BODY, "submission_key": "a" * 32},
                           headers={"Origin": "http://localhost"})
    lock.release()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Security-Policy"]
    body = page(response)
    assert "Nothing was saved" in body and "What you wrote" in body
    assert f">{BODY}</textarea>" in body, "the text comes back exactly as typed"
    assert hidden(response, "body") == BODY
    assert hidden(response, "submission_key") == "a" * 32
    assert f'action="{url}"' in body
    assert posts() == before

    # Sent again once the database is free: stored once.
    again = client.post(url, data={"body": hidden(response, "body"),
                                   "submission_key": hidden(response, "submission_key")})
    assert again.status_code == 302
    assert posts() == before + 1


def test_the_busy_reply_also_waits_in_its_form(busy, place, lock):
    cohort, ana, thread = place
    client = busy.test_client()
    login(client, ana)
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    lock.take()
    client.post(url, data={"body": BODY, "submission_key": "b" * 32},
                headers={"Origin": "http://localhost"})
    lock.release()
    form_page = page(client.get(url))
    assert "We kept what you wrote" in form_page
    assert BODY in form_page


def test_a_lock_released_while_waiting_is_retried_and_stores_once(make_app, place, lock):
    """The first attempt times out (100 ms); the retry, 200 ms later, finds the lock free."""
    cohort, ana, thread = place
    client = make_app(SQLITE_BUSY_TIMEOUT=100, DB_BUSY_RETRIES=2).test_client()
    login(client, ana)
    before = posts()
    lock.take()
    timer = lock.release_after(0.15)
    response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}",
                           data={"body": BODY, "submission_key": "c" * 32})
    timer.join()
    assert response.status_code == 302, page(response)
    assert posts() == before + 1


def test_reading_a_thread_while_busy_still_shows_it(busy, place, lock):
    """Reading records what was read, a write: when the database can't take it, the reader
    reads anyway, and what they were shown is recorded on their next visit."""
    cohort, ana, thread = place
    client = busy.test_client()
    login(client, ana)
    url = f"/cohorts/{cohort.id}/threads/{thread.id}?page=1"
    lock.take()
    response = client.get(url)
    lock.release()
    assert response.status_code == 200 and "Hello from Ben" in page(response)
    assert reads(ana) == 0
    assert client.get(url).status_code == 200
    assert reads(ana) == 1


def reads(user) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(PostRead).where(
        PostRead.user_id == user.id))


def test_logging_in_while_busy_is_a_503_that_never_echoes_the_password(busy, factory, lock):
    user = factory.user()
    client = busy.test_client()
    lock.take()
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD},
                           headers={"Origin": "http://localhost"})
    lock.release()
    assert response.status_code == 503
    assert PASSWORD not in page(response)
    assert "Please try again in a moment" in page(response)
    assert client.post("/account/login",
                       data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_a_busy_api_request_answers_json(busy, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("course_app.reports.api.cohort_or_404", locked)
    response = busy.test_client().get("/api/v1/cohorts/1/progress")
    assert response.status_code == 503
    assert response.get_json()["error"]


# ---- error handlers roll back and never fail -------------------------------------------------

@pytest.fixture
def failing(make_app):
    """An app with a route that fails on purpose, and errors handled as in production."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    return app


def break_the_database(monkeypatch):
    """From here on every query fails, as when the database server has gone away."""
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    for name in ("execute", "scalar", "scalars", "get"):
        monkeypatch.setattr(db.session, name, broken)


@pytest.mark.parametrize("path, code", [("/boom", 500), ("/nowhere", 404)])
def test_every_error_handler_rolls_back_first(failing, monkeypatch, path, code):
    calls = []
    real = db.session.rollback

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(db.session, "rollback", counting)
    response = failing.test_client().get(path)
    assert response.status_code == code
    assert calls, "the handler rolled the session back"


def test_an_error_page_that_cant_be_drawn_falls_back_to_a_plain_one(failing, factory,
                                                                    monkeypatch):
    user = factory.user()
    client = failing.test_client()
    login(client, user)
    break_the_database(monkeypatch)  # the full page would look the user up: it can't
    response = client.get("/boom")
    assert response.status_code == 500
    body = page(response)
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_database_that_is_gone_gives_a_503_with_the_text_kept(failing, place,
                                                                  monkeypatch):
    cohort, ana, thread = place
    client = failing.test_client()
    login(client, ana)
    break_the_database(monkeypatch)
    response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}",
                           data={"body": BODY, "submission_key": "d" * 32},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 503
    assert f">{BODY}</textarea>" in page(response)


def test_healthz_is_503_when_the_database_is_read_only(app, make_app):
    """It answers reads, but would refuse a write (a read-only copy, a standby server)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        read_only = make_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{url.removeprefix('sqlite:///')}"
                                    "?mode=ro&uri=true")
    else:
        read_only = make_app(SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}})
    client = read_only.test_client()
    assert client.get("/").status_code == 200, "reads still work"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "read-only or busy"
