"""Fixtures: an app per test on a shared schema, emptied after each test; factories.

SQLite (a file in a temp folder) by default; PostgreSQL when TEST_DATABASE_URL is set.
"""

import os
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import delete

from course_app import create_app
from course_app.auth.models import Role
from course_app.auth.services import create_user
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member, create_cohort
from course_app.content import load_course
from course_app.courses.services import import_course
from course_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE = ROOT / "modules" / "engaging-online"
PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def _config(database_url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # still scrypt, cheaper to compute
        **overrides,
    }


def empty_database() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def _forget_cached_user() -> None:
    """What one request cached in `g`: the logged-in user, the memberships looked up."""
    g.pop("_login_user", None)
    g.pop("_memberships", None)


@pytest.fixture
def make_app(database_url):
    """Build an app with extra config; the database is emptied afterwards."""
    apps = []

    def make(**overrides):
        app = create_app(_config(database_url, **overrides))
        # Tests hold one app context open, which requests reuse; Flask-Login caches the
        # user in `g`, so without this one client's login would leak into the next request.
        app.before_request(_forget_cached_user)
        apps.append(app)
        return app

    yield make
    emptied = False
    for app in apps:
        with app.app_context():
            db.session.rollback()
            if not emptied and app.config["SQLALCHEMY_DATABASE_URI"] == database_url:
                empty_database()
                emptied = True
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@cache
def default_course_spec():
    return load_course(DEFAULT_COURSE)


# ---- factories ---------------------------------------------------------------

class Factory:
    """Builds rows through the app's own services, so tests see what users would."""

    def __init__(self):
        self.n = 0

    def user(self, role: Role = Role.LEARNER, name: str | None = None, email: str | None = None,
             password: str = PASSWORD):
        self.n += 1
        name = name or f"Person {self.n}"
        email = email or f"person{self.n}@example.org"
        user = create_user(email, name, password, at=utcnow(), role=role)
        db.session.commit()
        return user

    def course(self):
        course = import_course(default_course_spec()).course
        db.session.commit()
        return course

    def cohort(self, course=None, facilitator=None, paced=False, starts_on=None, name=None):
        course = course or self.course()
        facilitator = facilitator or self.user(Role.FACILITATOR)
        cohort = create_cohort(course, name or f"Cohort {self.n}", facilitator, at=utcnow(),
                               paced=paced, starts_on=starts_on)
        db.session.commit()
        return cohort

    def learner_in(self, cohort, **kwargs):
        user = self.user(**kwargs)
        add_member(cohort, user, MemberRole.LEARNER, utcnow() - timedelta(minutes=1))
        db.session.commit()
        return user


@pytest.fixture
def factory(app):
    return Factory()


def login(client, user, password: str = PASSWORD, remember: bool = False):
    response = client.post("/account/login", data={
        "email": user.email, "password": password, "remember": "y" if remember else ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login_as(client):
    """Log in as someone, logging out whoever was logged in before."""
    def switch(user, **kw):
        client.post("/account/logout")
        return login(client, user, **kw)
    return switch


# ---- browser tests -------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium; skip them with a reason where it is absent.

    CI sets REQUIRE_BROWSER=1, so there a missing browser fails instead of skipping.
    """
    if Path(CHROMIUM).exists() or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM} "
                                   "(apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def live_server(database_url):
    """The app with the default course and demo cohort, served on a free port by a real
    WSGI server in a thread. Yields (base_url, app). The data is removed afterwards."""
    import threading

    from werkzeug.serving import make_server

    from course_app.demo import load_demo

    app = create_app(_config(database_url))
    with app.app_context():
        course = import_course(default_course_spec()).course
        load_demo(course)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.session.remove()
            empty_database()
            db.engine.dispose()
