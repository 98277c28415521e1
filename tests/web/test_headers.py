"""Headers and content: no-store on every page for someone logged in, HSTS when cookies are
HTTPS-only, a strict CSP on every response (error pages too), images in posts only from this
site, and no notifications about a cohort for people removed from it."""

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import login
from course_app import errors
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.facilitate.people import remove_member
from course_app.notifications.models import Notification, NotificationKind
from course_app.notifications.services import notify
from learner_journey import start

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy")


# ---- Cache-Control -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/account/profile", "/notifications", "/enrol",
                                  "/no-such-page"])
def test_every_response_to_someone_logged_in_is_no_store(client, factory, path):
    login(client, factory.user())
    assert client.get(path).headers.get("Cache-Control") == "no-store"


def test_a_cohort_page_is_no_store(client, factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    login(client, learner)
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_and_static_files_may_be_cached(client, factory):
    assert "no-store" not in client.get("/account/login").headers.get("Cache-Control", "")
    login(client, factory.user())
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_static_addresses_carry_the_files_version_and_are_kept_a_year(client):
    page = client.get("/account/login").get_data(as_text=True)
    address = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', page)
    assert address, "the style sheet's address has no version"
    with open(Path(client.application.static_folder) / "css" / "app.css", "rb") as css:
        assert address.group(2) == hashlib.sha256(css.read()).hexdigest()[:12]
    assert client.get(address.group(1)).headers["Cache-Control"] == (
        "public, max-age=31536000, immutable")
    # An old version or none: checked each time, never kept a year.
    for old in ("/static/css/app.css?v=000000000000", "/static/css/app.css"):
        assert "immutable" not in client.get(old).headers.get("Cache-Control", ""), old


def test_reports_keep_their_own_private_no_store(client, factory):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    login(client, facilitator)
    response = client.get(f"/api/v1/cohorts/{cohort.id}/progress")
    assert response.headers["Cache-Control"] == "private, no-store"


# ---- HSTS and CSP --------------------------------------------------------------------------

def test_hsts_only_when_cookies_are_https_only(make_app):
    plain = make_app().test_client().get("/account/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/account/login")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_csp_allows_nothing_inline_and_images_only_from_here(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("method, path, code", [
    ("get", "/no-such-page", 404), ("get", "/account/logout", 405),
    ("post", "/account/profile", 302), ("get", "/api/v1/cohorts/999/progress", 404)])
def test_error_responses_carry_the_security_headers(client, method, path, code):
    response = getattr(client, method)(path)
    assert response.status_code == code
    for header in SECURITY_HEADERS:
        assert header in response.headers, header


@pytest.mark.parametrize("code, title", [(400, "We couldn't use what you sent"),
                                         (403, "You can't open this page"),
                                         (404, "We can't find that page"),
                                         (405, "That didn't work"),
                                         (413, "That was too much to send"),
                                         (429, "Too many attempts"),
                                         (500, "Something went wrong on our side"),
                                         (503, "The app is busy or under maintenance")])
def test_each_error_has_its_own_page_and_json_under_the_api(make_app, code, title):
    from flask import abort

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/fail", "fail", lambda: abort(code))
    app.add_url_rule("/api/fail", "api_fail", lambda: abort(code))
    client = app.test_client()
    page = client.get("/fail")
    assert page.status_code == code
    assert f"<h1>{title}" in page.get_data(as_text=True).replace("&#39;", "'")
    assert page.headers["Content-Security-Policy"]
    api = client.get("/api/fail")
    assert api.status_code == code
    # The API's 403 and 404 are in its own words (test_api_progress.py checks them).
    assert api.get_json()["error"] == errors.API_MESSAGES.get(code, (title,))[0]


def test_a_body_too_large_gets_the_friendly_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/account/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "That was too much to send" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


# ---- notifications for removed learners -------------------------------------------------------

def notifications_of(user):
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_a_removed_learner_hears_nothing_more_about_the_cohort(factory):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself", title="Ana's hello")
    db.session.commit()
    remove_member(cohort, membership_of(cohort.id, ana.id), facilitator, utcnow())
    db.session.commit()

    discussions.reply(thread, ben, "Welcome, Ana!", utcnow())
    db.session.commit()

    assert notifications_of(ana) == []


def test_notify_sends_about_a_cohort_only_to_its_people(factory):
    cohort = factory.cohort()
    member, outsider = factory.learner_in(cohort), factory.user()
    admin = factory.user(Role.ADMIN)
    at = utcnow()
    assert notify(member.id, NotificationKind.MESSAGE, "Hi", at, cohort_id=cohort.id)
    assert notify(outsider.id, NotificationKind.MESSAGE, "Hi", at, cohort_id=cohort.id) is None
    assert notify(admin.id, NotificationKind.MESSAGE, "Hi", at, cohort_id=cohort.id)
    assert notify(outsider.id, NotificationKind.MESSAGE, "Not about a cohort", at)
