"""Throttling that holds: per account and per address, on login, registration, enrolment keys,
posting and the forms that ask for the current password; the client's address from a proxy
only when TRUSTED_PROXIES says so; logins that keep working when the limiter's store is down;
counts shared through Redis."""

import html
import importlib.util
import logging
import socket
import uuid
from pathlib import Path

import pytest

from conftest import PASSWORD
from course_app.auth import services as auth_services
from course_app.extensions import db, limiter
from learner_journey import start, text

ROOT = Path(__file__).resolve().parents[2]
WRONG = "not the password at all"


@pytest.fixture
def limited(app, make_app):
    """Make an app with rate limiting on and the given limits (everything else generous).

    The limiter is module-global: it takes its `enabled` flag and store from the app made
    last, so these apps are made after the `app` fixture's (which turns limiting off). Counts
    in memory are cleared before and after; a Redis store is left alone (its counts expire)."""
    made = []

    def make(**limits):
        config = {"LOGIN_RATE_LIMIT": "100 per minute",
                  "LOGIN_ADDRESS_RATE_LIMIT": "100 per minute",
                  "REGISTER_RATE_LIMIT": "100 per minute",
                  "REGISTER_ADDRESS_RATE_LIMIT": "100 per minute",
                  "ENROL_RATE_LIMIT": "100 per minute",
                  "ENROL_ADDRESS_RATE_LIMIT": "100 per minute",
                  "POST_RATE_LIMIT": "100 per minute", "POST_ADDRESS_RATE_LIMIT": "100 per minute",
                  "PASSWORD_RATE_LIMIT": "100 per minute",
                  "PASSWORD_ADDRESS_RATE_LIMIT": "100 per minute",
                  **limits}
        throttled = make_app(RATELIMIT_ENABLED=True, **config)
        if "RATELIMIT_STORAGE_URI" not in limits:
            with throttled.app_context():
                limiter.reset()
            made.append(throttled)
        return throttled

    yield make
    for throttled in made:
        with throttled.app_context():
            limiter.reset()


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/account/login", data={"email": email, "password": password}, **kwargs)


# ---- logging in ----------------------------------------------------------------------------

def test_one_address_trying_many_accounts_is_throttled(limited, factory):
    app = limited(LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    user = factory.user()
    client = app.test_client()
    for n in range(3):
        assert log_in(client, f"guess{n}@example.org", PASSWORD).status_code == 401
    response = log_in(client, user.email)
    assert response.status_code == 429
    assert "Too many failed attempts" in text(response)


def test_one_account_tried_from_many_addresses_is_throttled(limited, factory):
    app = limited(LOGIN_RATE_LIMIT="3 per minute")
    user = factory.user()
    for n in range(3):
        assert log_in(from_address(app, f"203.0.113.{n}"), user.email, WRONG).status_code == 401
    assert log_in(from_address(app, "203.0.113.99"), user.email).status_code == 429
    # Another account from those addresses is not held up.
    other = factory.user()
    assert log_in(from_address(app, "203.0.113.1"), other.email).status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(client, factory):
    user = factory.user()
    unknown = log_in(client, "nobody-here@example.org", WRONG)
    wrong = log_in(client, user.email, WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert auth_services.LOGIN_REFUSED in text(unknown)
    assert auth_services.LOGIN_REFUSED in text(wrong)


def test_an_unknown_email_costs_a_password_check_too(client, factory, monkeypatch):
    """So the answer takes as long as a wrong password's: timing tells nothing."""
    checks = []
    real = auth_services.check_password_hash

    def counting(hashed, password):
        checks.append(password)
        return real(hashed, password)

    monkeypatch.setattr(auth_services, "check_password_hash", counting)
    assert log_in(client, "nobody-here@example.org", WRONG).status_code == 401
    assert checks == [WRONG]


# ---- registering, enrolling, posting ---------------------------------------------------------

def register(client, email):
    return client.post("/account/register", data={
        "email": email, "name": "Someone", "password": "a long enough passphrase",
        "confirm": "a long enough passphrase"})


def test_registrations_from_one_address_are_throttled(limited):
    app = limited(REGISTER_ADDRESS_RATE_LIMIT="2 per minute")
    for n in range(2):
        assert register(app.test_client(), f"new{n}@example.org").status_code == 302
    response = register(app.test_client(), "new9@example.org")
    assert response.status_code == 429
    assert "Wait a minute" in text(response)
    assert auth_services.find_by_email("new9@example.org") is None


def test_registering_one_email_over_and_over_is_throttled(limited, factory):
    app = limited(REGISTER_RATE_LIMIT="2 per hour")
    taken = factory.user()
    for n in range(2):
        assert register(from_address(app, f"198.51.100.{n}"), taken.email).status_code == 400
    response = register(from_address(app, "198.51.100.9"), taken.email)
    assert response.status_code == 429
    assert "Wait up to an hour" in text(response), "the words match the limit's window"


def test_enrolment_keys_tried_from_one_address_are_throttled(limited, factory):
    app = limited(ENROL_ADDRESS_RATE_LIMIT="2 per minute")
    cohort = factory.cohort()
    people = [factory.user() for _ in range(3)]
    clients = []
    for person in people:
        client = app.test_client()
        assert log_in(client, person.email).status_code == 302
        clients.append(client)
    for client in clients[:2]:
        assert client.post("/enrol", data={"key": "WRNG-KEYS"}).status_code == 400
    response = clients[2].post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 429
    assert "Wait a minute" in text(response)


# ---- the forms that ask for the current password -----------------------------------------

def test_guessing_the_password_through_change_and_delete_is_throttled(limited, factory):
    """One count for both forms: a session left open can't be used to guess the password.
    Only refusals count; the password is never shown back on the 429 page."""
    app = limited(PASSWORD_RATE_LIMIT="3 per minute")
    person = factory.user()
    client = app.test_client()
    assert log_in(client, person.email).status_code == 302
    change = {"current_password": WRONG, "new_password": "a long new passphrase 2026",
              "confirm": "a long new passphrase 2026"}
    assert client.post("/account/password", data=change).status_code == 400
    assert client.post("/account/delete", data={"password": WRONG}).status_code == 400
    assert client.post("/account/password", data=change).status_code == 400
    response = client.post("/account/delete", data={"password": WRONG})
    assert response.status_code == 429
    assert WRONG not in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 200  # the page still opens
    other = app.test_client()  # someone else is not held back
    assert log_in(other, factory.user().email).status_code == 302
    assert other.post("/account/delete", data={"password": WRONG}).status_code == 400


@pytest.fixture
def conversation(factory):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ben, "introduce-yourself", title="Ben says hello")
    db.session.commit()
    return cohort, ana, thread


def test_posting_too_fast_is_throttled_and_keeps_the_text(limited, conversation):
    app = limited(POST_RATE_LIMIT="2 per minute")
    cohort, ana, thread = conversation
    client = app.test_client()
    log_in(client, ana.email)
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    for n in range(2):
        assert client.post(url, data={"body": f"Reply {n}"}).status_code == 302
    typed = "My third thought,\nwhich took a while to write."
    response = client.post(url, data={"body": typed}, headers={"Origin": "http://localhost"})
    assert response.status_code == 429
    page = html.unescape(response.get_data(as_text=True))
    assert "Wait a minute" in page
    assert f">{typed}</textarea>" in page
    assert "Send it again" in page


def test_posting_from_one_address_is_throttled_across_accounts(limited, conversation, factory):
    app = limited(POST_ADDRESS_RATE_LIMIT="2 per minute")
    cohort, ana, thread = conversation
    cara = factory.learner_in(cohort)
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    first, second = app.test_client(), app.test_client()
    log_in(first, ana.email)
    log_in(second, cara.email)
    assert first.post(url, data={"body": "One"}).status_code == 302
    assert second.post(url, data={"body": "Two"}).status_code == 302
    assert second.post(url, data={"body": "Three"}).status_code == 429


# ---- behind a reverse proxy -------------------------------------------------------------------

def test_forwarded_addresses_are_ignored_unless_proxies_are_trusted(limited, factory):
    """Otherwise anyone could send a new X-Forwarded-For with each guess."""
    app = limited(LOGIN_ADDRESS_RATE_LIMIT="2 per minute")
    client = app.test_client()
    for n in range(2):
        log_in(client, f"guess{n}@example.org", WRONG,
               headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert log_in(client, "guess9@example.org", WRONG,
                  headers={"X-Forwarded-For": "192.0.2.9"}).status_code == 429


def test_with_a_trusted_proxy_each_client_has_its_own_count(limited, factory):
    """Behind the proxy every request comes from its address: one client's failures must not
    lock everyone else out."""
    app = limited(LOGIN_ADDRESS_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    user = factory.user()
    proxy = app.test_client()  # every request arrives from the proxy's address
    for n in range(2):
        log_in(proxy, f"guess{n}@example.org", WRONG, headers={"X-Forwarded-For": "192.0.2.66"})
    assert log_in(proxy, "guess9@example.org", WRONG,
                  headers={"X-Forwarded-For": "192.0.2.66"}).status_code == 429
    assert log_in(proxy, user.email, headers={"X-Forwarded-For": "192.0.2.7"}).status_code == 302


# ---- the store -----------------------------------------------------------------------------------

def test_logins_keep_working_when_the_limiters_store_is_down(limited, factory, caplog):
    app = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")  # nothing listens there
    user = factory.user()
    try:
        with caplog.at_level(logging.WARNING):
            response = log_in(app.test_client(), user.email)
        assert response.status_code == 302
        assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
        assert log_in(app.test_client(), user.email, WRONG).status_code == 401
    finally:
        limiter._storage_dead = False  # the module-global limiter would remember for later apps


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        return False
    return importlib.util.find_spec("redis") is not None


@pytest.mark.skipif(not _redis_listening(), reason="needs Redis on 127.0.0.1:6379")
def test_counts_in_redis_are_shared_by_every_process(limited, factory):
    """A fresh app (another worker) sees the failures counted by the first."""
    email = f"shared-{uuid.uuid4().hex}@example.org"
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                "LOGIN_RATE_LIMIT": "3 per minute"}
    first = limited(**settings)
    for _ in range(3):
        assert log_in(first.test_client(), email, WRONG).status_code == 401
    second = limited(**settings)
    assert log_in(second.test_client(), email, WRONG).status_code == 429


# ---- warnings at start-up ------------------------------------------------------------------------

def test_memory_store_with_several_workers_warns_loudly(make_app, monkeypatch, caplog):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with caplog.at_level(logging.WARNING):
        make_app(RATELIMIT_ENABLED=True)
    assert any("RATE LIMITS ARE COUNTED PER PROCESS" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("workers, storage", [("1", "memory://"),
                                              ("4", "redis://127.0.0.1:6379")])
def test_one_worker_or_a_shared_store_does_not_warn(make_app, monkeypatch, caplog, workers,
                                                    storage):
    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    with caplog.at_level(logging.WARNING):
        make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage)
    assert not any("PER PROCESS" in r.getMessage() for r in caplog.records)


class _Log:
    def __init__(self):
        self.lines = []

    def warning(self, message, *args):
        self.lines.append(message % args if args else message)


class _Server:
    def __init__(self, workers):
        self.log = _Log()
        self.cfg = type("Cfg", (), {"workers": workers})()


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(ROOT) / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("workers, storage, warns", [
    (4, "", True), (4, "memory://", True), (1, "", False), (4, "redis://127.0.0.1:6379", False)])
def test_gunicorn_config_warns_when_workers_would_count_apart(monkeypatch, workers, storage,
                                                              warns):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    server = _Server(workers)
    _gunicorn_conf().when_ready(server)
    assert any("COUNTED PER PROCESS" in line for line in server.log.lines) == warns


def test_a_gunicorn_worker_freezes_what_it_loaded_out_of_the_collectors_reach():
    import gc

    before = gc.get_freeze_count()
    try:
        _gunicorn_conf().post_worker_init(worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
