"""Fixtures: one app and one database per worker, each test in a transaction rolled back after.

SQLite (a file in a temp folder) by default; PostgreSQL when TEST_DATABASE_URL is set. How the
database is shared and kept clean is in database.py; the rows tests build, in factories.py.
"""

import os
from pathlib import Path

import pytest
from flask import g
from jinja2 import FileSystemBytecodeCache

import database
import factories
import rich_world
from course_app import create_app
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.design.services import add_author
from course_app.extensions import db, limiter
from course_app.jobs import queue
from factories import DEFAULT_COURSE, PASSWORD, default_course_spec  # noqa: F401  (for tests)

database.route_sessions()

# Every app a test builds queues its jobs in this process's memory (jobs.queue.storage_for),
# also apps built with a config of their own (the migration and backup tests) and the servers
# tests start in a subprocess: create_app points the one huey queue at the app's storage, and a
# shared one (instance/jobs.sqlite, Redis at REDIS_URL) would let one xdist worker run or flush
# the jobs another worker's test queued.
os.environ["JOBS_STORAGE"] = "memory"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """This worker's database, with the schema and the default course."""
    named = os.environ.get("TEST_DATABASE_URL")
    if named:
        url = database.worker_url(named)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = _app(_config(url))
    with app.app_context():
        database.skip_fsync(db.engine)
        database.prepare()
        db.session.commit()
        db.engine.dispose()
    yield url
    if named:
        database.drop_worker_database(named, url)


def _config(database_url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:256:2:1",  # still scrypt, a sixteenth of the work
        "JOBS_STORAGE": "memory",  # tests run the queued jobs themselves (jobs.queue.run_pending)
        "MAIL_SERVER": "",
        "BASE_URL": "http://course.test",
        # A test's open transaction holds SQLite's write lock, so /healthz would wait its
        # full second for it; 100 ms still tells "takes writes" from "does not".
        "HEALTHZ_WRITE_TIMEOUT": 100,
        **overrides,
    }


# Compiled templates, kept on disk (in the temp folder) for every app the tests build, in every
# worker and run: without it each app compiles again each template it renders. Jinja checks a
# compiled template against its source, so an edited template is compiled anew.
TEMPLATE_CODE = FileSystemBytecodeCache()


def _app(config: dict):
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


def _forget_cached_user() -> None:
    """What one request cached in `g`: the logged-in user, the memberships looked up, the
    header's facts."""
    g.pop("_login_user", None)
    g.pop("_memberships", None)
    g.pop("_site_header", None)


def _test_app(database_url: str, **overrides):
    app = _app(_config(database_url, **overrides))
    # Tests hold one app context open, which requests reuse; Flask-Login caches the
    # user in `g`, so without this one client's login would leak into the next request.
    app.before_request(_forget_cached_user)
    with app.app_context():
        database.skip_fsync(db.engine)
        database.enable_sqlite_savepoints(db.engine)
    return app


@pytest.fixture(scope="session")
def base_app(database_url):
    """The app most tests share (made once: its routes and compiled templates are reused)."""
    app = _test_app(database_url)
    yield app
    database.close_shared()
    with app.app_context():
        db.engine.dispose()


def _demo_through_the_cli(app):
    with app.app_context():
        runner = app.test_cli_runner()
        imported = runner.invoke(args=["course", "import", str(DEFAULT_COURSE)])
        assert imported.exit_code == 0, imported.output
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        return result


# Rows that several tests only read and that cost a second or so to make: a fixture named here
# is made once for the consecutive tests that ask for it (see database.rolled_back).
SHARED_ROWS = {"demo_cli": _demo_through_the_cli}


def shared_rows(build):
    """Make `build(factory)` a fixture of rows that consecutive tests share (as SHARED_ROWS),
    each test's changes to them undone. `build` returns what the tests need by id: the session
    it made them in is closed when its test ends (load them again in each test). Name it as no
    test module names a fixture of its own: `transaction` picks shared rows by name, and fails
    a test whose module shadows them."""
    def made(app):
        with app.app_context():
            factories.reset_sequences(start=1000)
            value = build(Factory())
            db.session.commit()
            return value

    SHARED_ROWS[build.__name__] = made

    @pytest.fixture(name=build.__name__)
    def rows(transaction, request):
        return _given(request, transaction)

    rows.__doc__ = build.__doc__
    return rows


@pytest.fixture
def transaction(base_app, request):
    """The test's transaction: everything the test changes is rolled back afterwards.

    Yields the shared rows' value when the test asks for one of SHARED_ROWS, else None."""
    with base_app.app_context():
        engine = db.engine
    wanted = [name for name in SHARED_ROWS if name in request.fixturenames]
    shared = (wanted[0], lambda: SHARED_ROWS[wanted[0]](base_app)) if wanted else None
    with database.rolled_back(engine, shared) as value:
        yield value
    queue.huey.flush()  # jobs a test queued and did not run
    if wanted and not request.node.stash.get(_ROWS_GIVEN, False):
        pytest.fail(f"`{wanted[0]}` names shared rows (conftest.SHARED_ROWS), but this test's "
                    "module has a fixture of its own by that name: rename one of them")


_ROWS_GIVEN = pytest.StashKey[bool]()


def _given(request, value):
    """Shared rows handed to a test (so `transaction` knows no fixture of a module shadowed
    them)."""
    request.node.stash[_ROWS_GIVEN] = True
    return value


@pytest.fixture(scope="module", autouse=True)
def _shared_rows_last_one_module_at_most():
    yield
    database.close_shared()


@pytest.fixture
def make_app(database_url, transaction):
    """Build another app with extra config (CSRF on, throttling on, another database)."""
    apps = []
    limiter_was_on = limiter.enabled

    def make(**overrides):
        app = _test_app(database_url, **overrides)
        apps.append(app)
        return app

    yield make
    # The limiter is one object: each app made sets whether it is on, for every app.
    limiter.enabled = limiter_was_on
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(base_app, transaction):
    with base_app.app_context():
        yield base_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_cli(app, transaction, request):
    """The demo, made by `course import` and `demo` on the command line: the Click result.

    Made once for consecutive tests that ask for it; what each test changes is undone."""
    return _given(request, transaction)


@pytest.fixture
def empty_database(app):
    """No rows at all, not even the default course (for this test only)."""
    database.empty()
    db.session.commit()


# ---- factories ---------------------------------------------------------------

class Factory:
    """Short calls for the factories in factories.py, in the shape most tests want."""

    def user(self, role: Role = Role.LEARNER, name: str | None = None, email: str | None = None,
             password: str = PASSWORD):
        given = {"name": name, "email": email}
        return factories.UserFactory(role=role, password=password,
                                     **{k: v for k, v in given.items() if v is not None})

    def course(self):
        return factories.CourseFactory()

    def cohort(self, course=None, facilitator=None, paced=False, starts_on=None, name=None):
        given = {"course": course, "facilitator": facilitator, "name": name}
        return factories.CohortFactory(paced=paced, starts_on=starts_on,
                                       **{k: v for k, v in given.items() if v is not None})

    def member(self, cohort, role: MemberRole, **kwargs):
        """Someone new in `cohort` with `role`; kwargs as for `user`."""
        user = self.user(**kwargs)
        factories.MembershipFactory(cohort=cohort, user=user, role=role)
        return user

    def learner_in(self, cohort, **kwargs):
        return self.member(cohort, MemberRole.LEARNER, **kwargs)

    def reviewer_in(self, cohort, **kwargs):
        return self.member(cohort, MemberRole.REVIEWER, **kwargs)


@pytest.fixture
def factory(app):
    factories.reset_sequences()
    return Factory()


# ---- what many test files share ----------------------------------------------

@shared_rows
def rich(factory) -> rich_world.World:
    """The rich world (tests/rich_world.py) of the tests that walk every route and of the
    privacy tests, made once for a module's consecutive tests; what each test changes is
    undone."""
    return rich_world.build(factory)


@pytest.fixture
def course(factory):
    return factory.course()


@pytest.fixture
def facilitator(factory):
    return factory.user(Role.FACILITATOR, name="Fran Facilitator")


@pytest.fixture
def cohort(factory, course, facilitator):
    return factory.cohort(course=course, facilitator=facilitator, name="Spring cohort")


@pytest.fixture
def author(factory, course):
    """Ann Author, who writes `course` in the designer (a learner's account otherwise)."""
    user = factory.user(Role.LEARNER, name="Ann Author")
    add_author(course, user, utcnow())
    db.session.commit()
    return user


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN, name="Ada Admin")


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

# Debian's Chromium in its headless form (apt-get install chromium-headless-shell): the same
# Blink, without the desktop browser's machinery, and what Playwright itself uses for headless
# runs; the browser suite takes a quarter less time with it. Debian's full browser (apt-get
# install chromium) is the fallback.
CHROMIUMS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
CHROMIUM = next((path for path in CHROMIUMS if Path(path).exists()), CHROMIUMS[0])
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations():
    """Playwright's `expect` waits 5 s by default; CI's machine, busy with two workers, has
    been seen three times slower than a quick day, so a page that is right but late must not
    fail. Only a failing wait takes longer."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium; skip them with a reason where it is absent.

    CI sets REQUIRE_BROWSER=1: there a missing browser stops the run with the same reason,
    before any test, since a browser test that never runs must not pass.
    """
    browser_tests = [item for item in items if "browser" in item.keywords]
    if Path(CHROMIUM).exists() or not browser_tests:
        return
    reason = (f"browser tests need Debian's Chromium at one of {', '.join(CHROMIUMS)}: "
              "apt-get install chromium-headless-shell (or chromium)")
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"{reason} (REQUIRE_BROWSER=1 forbids skipping them)")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=reason))


# Test modules whose tests share a worker: each browser module starts one live server for its
# tests, test_test_database's second test checks what the first left behind, and the CLI tests
# share one demo (demo_cli) per module. The accessibility journeys and the keyboard walks are
# the exceptions: each is long (10 s or more) and stands alone, so they spread over the
# workers, each worker starting its own live server for the ones it runs (together, the seven
# walks kept one worker busy long after the other had finished).
ONE_WORKER_PER_MODULE = ("tests/browser/", "tests/unit/test_test_database.py",
                         "tests/unit/test_cli.py", "tests/unit/test_report_cli.py")
SPREAD_MODULES = ("tests/browser/test_accessibility.py", "tests/browser/test_keyboard_walk.py")


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook; without xdist, never called
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's "load" scheduling (each test to the next free worker), except that the
    modules above go whole to one worker. (`--dist loadgroup` would do this with marks, but
    with pytest 9.2 it silently stops grouping: pytest-xdist issue #1386.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            together = module.startswith(ONE_WORKER_PER_MODULE) and module not in SPREAD_MODULES
            return module if together else nodeid

    return ModulesTogether(config, log)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _demo() -> None:
    from course_app.demo import load_demo

    load_demo(factories.default_course())
    db.session.commit()


def demo_again(app) -> None:
    """The live server's database as the demo left it, for a test that makes the same
    changes as one before it in the module (the same walk at another width). On SQLite a
    copy back, in milliseconds; on PostgreSQL the demo is made again."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            database.reset()
        database.built_once("demo", _demo)


@pytest.fixture(scope="module")
def live_server(database_url):
    """The app with the default course and demo cohort, served on a free port by a real
    WSGI server in a thread. Yields (base_url, app). It commits for real (another thread
    can't share a test's connection), so the database is reset afterwards."""
    import threading

    from werkzeug.serving import make_server

    app = _app(_config(database_url))
    with app.app_context():
        database.skip_fsync(db.engine)
        database.built_once("demo", _demo)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            database.built_once("prepared", database.reset)
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test: tests/smtp_server.py."""
    from smtp_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailing_app(make_app, smtp_server):
    """An app that sends through the test's SMTP server; its context is pushed."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    with app.app_context():
        yield app

