"""The security log records logins, failures, logouts, refused access, CSRF failures,
throttling, enrolments, exports and API token use: who, what, when, which cohort, from where;
never a password, a token or a session id."""

import logging

import pytest

from conftest import PASSWORD, login
from course_app.auth import tokens
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.extensions import db, limiter


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="course_app.security")

    def lines(event=None):
        found = [r.getMessage() for r in caplog.records if r.name == "course_app.security"]
        return [line for line in found if event is None or f" event={event} " in line + " "]
    return lines


def test_login_failure_and_logout_are_logged_without_the_password(client, factory, events):
    user = factory.user()
    client.post("/account/login", data={"email": "nobody@example.org", "password": PASSWORD})
    client.post("/account/login", data={"email": user.email, "password": "wrong one here"})
    login(client, user)
    session_cookie = client.get_cookie("session").value
    client.post("/account/logout")

    [unknown, wrong] = events("login.failed")
    assert "email=nobody@example.org" in unknown and "reason=unknown" in unknown
    assert "reason=wrong-password" in wrong and "ip=127.0.0.1" in wrong
    [ok] = events("login")
    assert f"user={user.id}" in ok
    [out] = events("logout")
    assert f"user={user.id}" in out
    everything = "\n".join(events())
    for secret in (PASSWORD, "wrong one here", session_cookie):
        assert secret not in everything


def test_refused_access_and_csrf_failures_are_logged(make_app, client, factory, events):
    cohort, other = factory.cohort(), factory.cohort()
    learner = factory.learner_in(cohort)
    login(client, learner)
    assert client.get(f"/api/v1/cohorts/{cohort.id}/progress").status_code == 403
    assert client.get(f"/cohorts/{other.id}").status_code == 404
    [refused] = events("access.refused")
    assert f"user={learner.id}" in refused and f"cohort={cohort.id}" in refused
    [hidden] = events("access.not_found")
    assert f"cohort={other.id}" in hidden

    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    strict.post("/account/login", data={"email": learner.email, "password": PASSWORD})
    [csrf] = events("csrf.failed")
    assert "path=/account/login" in csrf and PASSWORD not in csrf


def test_enrolments_are_logged_with_their_cohort(client, factory, events):
    cohort = factory.cohort()
    user = factory.user()
    login(client, user)
    client.post("/enrol", data={"key": "WRNG-KEYS"})
    client.post("/enrol", data={"key": cohort.enrolment_key})
    [refused] = events("enrol.refused")
    assert cohort.enrolment_key not in refused and "WRNG-KEYS" not in refused
    [joined] = events("enrol")
    assert f"user={user.id}" in joined and f"cohort={cohort.id}" in joined
    assert "via=key" in joined


def test_exports_and_token_use_are_logged_without_the_token(app, client, factory, events):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    token, secret = tokens.create_token(facilitator, "sheet", utcnow())
    db.session.commit()
    login(client, facilitator)
    assert client.get(f"/reports/cohorts/{cohort.id}/progress.csv").status_code == 200
    api = app.test_client()
    assert api.get(f"/api/v1/cohorts/{cohort.id}/progress",
                   headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    api.get(f"/api/v1/cohorts/{cohort.id}/progress",
            headers={"Authorization": "Bearer cat_made-up"})

    download, by_api = events("export")
    assert "format=csv" in download and f"cohort={cohort.id}" in download
    assert "via=api" in by_api
    [used] = events("token.used")
    assert f"token_id={token.id}" in used and f"user={facilitator.id}" in used
    assert events("token.refused")
    everything = "\n".join(events())
    assert secret not in everything and secret[:10] not in everything
    assert "cat_made-up" not in everything


def test_throttling_is_logged(app, make_app, factory, events):
    throttled = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    with throttled.app_context():
        limiter.reset()
    try:
        user = factory.user()
        client = throttled.test_client()
        client.post("/account/login", data={"email": user.email, "password": "wrong one"})
        assert client.post("/account/login",
                           data={"email": user.email, "password": PASSWORD}).status_code == 429
        [line] = events("throttled")
        assert "endpoint=auth.login" in line
    finally:
        with throttled.app_context():
            limiter.reset()


def test_cli_exports_and_account_changes_are_logged(runner, factory, events):
    cohort = factory.cohort()
    user = factory.user()
    runner.invoke(args=["report", str(cohort.id)])
    runner.invoke(args=["user", "disable", user.email])
    [export] = events("export")
    assert "via=cli" in export and f"cohort={cohort.id}" in export
    [disabled] = events("account.disabled")
    assert f"user={user.id}" in disabled


def test_account_and_token_changes_are_logged(client, factory, events):
    client.post("/account/register", data={
        "email": "new.person@example.org", "name": "New Person",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase"})
    [created] = events("account.created")
    assert "a long enough passphrase" not in created
    client.post("/account/logout")

    admin = factory.user(Role.ADMIN)
    login(client, admin)
    made = client.post("/reports/tokens", data={"name": "sheet"})
    assert made.status_code == 200
    [token_created] = events("token.created")
    token_id = token_created.split("token_id=")[1].split()[0]
    client.post(f"/reports/tokens/{token_id}/revoke", data={"confirm": "yes"})
    assert events("token.revoked")
    client.post("/account/password", data={"current_password": PASSWORD,
                                           "new_password": "another long passphrase",
                                           "confirm": "another long passphrase"})
    [changed] = events("password.changed")
    assert f"user={admin.id}" in changed and "tokens_revoked=0" in changed
    assert "another long passphrase" not in "\n".join(events())
