"""Sessions that really end: logout, log out everywhere, a password change and a disabled
account end the session cookie and the remember-me cookie, even copies, on every server."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from conftest import PASSWORD
from course_app.auth import tokens
from course_app.auth.models import ApiToken, LoginSession, User
from course_app.auth.services import disable
from course_app.clock import utcnow
from course_app.extensions import db
from learner_journey import text

NEW_PASSWORD = "a brand new long passphrase"


def log_in(client, user, password=PASSWORD, remember=False):
    response = client.post("/account/login", data={
        "email": user.email, "password": password, "remember": "y" if remember else ""})
    assert response.status_code == 302, text(response)
    return response


def logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def copy_of(client, app, *names):
    """Another browser holding copies of these cookies (stolen, or kept by a proxy)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        other.set_cookie(name, cookie.value)
    return other


def live_logins(user) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(LoginSession.id))
                             .where(LoginSession.user_id == user.id))


# ---- logout ------------------------------------------------------------------------------

def test_a_session_cookie_copied_before_logout_stops_working(app, client, factory):
    user = factory.user()
    log_in(client, user)
    stolen = copy_of(client, app, "session")
    assert logged_in(stolen)

    assert client.post("/account/logout").status_code == 302

    assert not logged_in(stolen)
    response = stolen.post("/account/profile", data={"name": "Hijacked", "about": ""})
    assert response.status_code == 302 and "/account/login" in response.location
    assert db.session.get(User, user.id).name != "Hijacked"


def test_a_remember_me_cookie_copied_before_logout_stops_working(app, client, factory):
    user = factory.user()
    log_in(client, user, remember=True)
    stolen = copy_of(client, app, "remember_token")
    assert logged_in(stolen), "the remember-me cookie alone logs in while the login lasts"

    client.post("/account/logout")

    assert not logged_in(stolen)


def test_logging_out_on_one_device_keeps_the_others(app, client, factory):
    user = factory.user()
    phone = app.test_client()
    log_in(phone, user)
    log_in(client, user)
    client.post("/account/logout")
    assert logged_in(phone)
    assert live_logins(user) == 1


def test_logout_holds_on_every_server(make_app, factory):
    """Two app instances (two workers) over one database: the check reads the database."""
    first, second = make_app(), make_app()
    user = factory.user()
    browser = first.test_client()
    log_in(browser, user)
    on_second = copy_of(browser, second, "session")
    assert logged_in(on_second)
    browser.post("/account/logout")
    assert not logged_in(on_second)


def test_an_expired_login_no_longer_works(client, factory):
    user = factory.user()
    log_in(client, user, remember=True)
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not logged_in(client)


def test_a_login_lasts_as_long_as_its_cookie(app, client, factory):
    user = factory.user()
    log_in(client, user)
    log_in(app.test_client(), user, remember=True)
    rows = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
    lasts = [row.expires_at - row.created_at for row in rows]
    assert lasts == [app.config["PERMANENT_SESSION_LIFETIME"],
                     app.config["REMEMBER_COOKIE_DURATION"]]


def test_only_a_hash_of_the_login_key_is_stored(client, factory):
    user = factory.user()
    log_in(client, user)
    row = db.session.scalar(select(LoginSession))
    with client.session_transaction() as session:
        user_id, _, key = session["_user_id"].partition(":")
    assert user_id == str(user.id) and len(key) >= 32
    assert len(row.key_hash) == 64 and key not in row.key_hash


# ---- log out everywhere --------------------------------------------------------------------

def test_log_out_everywhere_ends_every_login_this_one_too(app, client, factory):
    user = factory.user()
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, user, remember=True)
    log_in(laptop, user)
    remembered = copy_of(phone, app, "remember_token")
    log_in(client, user)

    page = text(client.get("/account/profile"))
    assert "Log out everywhere" in page
    assert "also logged in on 2 other devices or browsers" in page

    response = client.post("/account/logout-everywhere")
    assert response.status_code == 302 and response.location.endswith("/account/login")
    for browser in (client, phone, laptop, remembered):
        assert not logged_in(browser)
    assert live_logins(user) == 0
    assert "logged out on every device" in text(client.get("/account/login"))


def test_log_out_everywhere_needs_a_post_with_a_csrf_token(make_app, factory):
    from test_auth import csrf_token_from

    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get("/account/login"))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token})
    assert client.get("/account/logout-everywhere").status_code == 405
    assert client.post("/account/logout-everywhere").status_code == 400
    assert logged_in(client)
    token = csrf_token_from(client.get("/account/profile"))
    assert client.post("/account/logout-everywhere",
                       data={"csrf_token": token}).status_code == 302
    assert not logged_in(client)


# ---- password change and API tokens ---------------------------------------------------------

def change_password(client):
    return client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def test_a_password_change_revokes_every_api_token_and_says_so(app, client, factory):
    from course_app.auth.models import Role

    user = factory.user(role=Role.ADMIN)
    _, secret = tokens.create_token(user, "weekly spreadsheet", utcnow())
    tokens.create_token(user, "dashboard", utcnow())
    db.session.commit()
    log_in(client, user)
    assert "revokes every token" in text(client.get("/reports/tokens"))
    assert "API tokens you made stop working" in text(client.get("/account/password"))

    assert change_password(client).status_code == 302

    flashed = text(client.get("/account/profile"))
    assert "Your 2 API tokens were revoked" in flashed
    db.session.rollback()
    assert db.session.scalar(select(func.count(ApiToken.id))
                             .where(ApiToken.revoked_at.is_(None))) == 0
    api = app.test_client()
    assert api.get("/api/v1/cohorts/1/progress",
                   headers={"Authorization": f"Bearer {secret}"}).status_code == 404


def test_a_password_change_keeps_this_devices_remember_me(app, client, factory):
    user = factory.user()
    log_in(client, user, remember=True)
    change_password(client)
    again = copy_of(client, app, "remember_token")
    assert logged_in(again), "the device that changed the password stays remembered"


def test_a_password_change_ends_a_session_copied_before_it(app, client, factory):
    user = factory.user()
    log_in(client, user)
    stolen = copy_of(client, app, "session")
    change_password(client)
    assert logged_in(client)
    assert not logged_in(stolen)


# ---- disabled accounts ---------------------------------------------------------------------

def test_disabling_an_account_ends_its_sessions_at_the_next_request(app, client, runner,
                                                                    factory):
    user = factory.user()
    log_in(client, user, remember=True)
    remembered = copy_of(client, app, "remember_token")
    result = runner.invoke(args=["user", "disable", user.email])
    assert result.exit_code == 0, result.output
    assert "logged out everywhere" in result.output
    assert not logged_in(client)
    assert not logged_in(remembered)


def test_a_disabled_account_cannot_log_in_and_says_why_only_to_its_owner(client, factory):
    user = factory.user()
    disable(user, utcnow())
    db.session.commit()
    right = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 401
    assert "This account has been disabled" in text(right)
    wrong = client.post("/account/login", data={"email": user.email, "password": "not it at all"})
    assert "disabled" not in text(wrong), "a wrong password learns nothing about the account"
    assert not logged_in(client)


def test_a_disabled_accounts_tokens_are_revoked(app, factory):
    from course_app.auth.models import Role

    user = factory.user(role=Role.ADMIN)
    _, secret = tokens.create_token(user, "script", utcnow())
    db.session.commit()
    assert disable(user, utcnow()) == 1
    db.session.commit()
    assert tokens.token_for(secret, utcnow()) is None


def test_enabling_an_account_lets_it_log_in_again(client, runner, factory):
    user = factory.user()
    runner.invoke(args=["user", "disable", user.email])
    result = runner.invoke(args=["user", "enable", user.email])
    assert result.exit_code == 0, result.output
    log_in(client, user)
    assert logged_in(client)


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_disabling_an_unknown_email_changes_nothing(runner, command):
    result = runner.invoke(args=["user", command, "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account" in result.output


def test_a_user_needs_a_login_before_flask_login_stores_it(factory):
    user = factory.user()
    with pytest.raises(RuntimeError, match="sessions.start"):
        user.get_id()


def test_the_same_account_loaded_twice_is_equal(factory):
    user = factory.user()
    other = factory.user()
    db.session.refresh(user)
    db.session.expunge(user)
    again = db.session.get(User, user.id)
    assert again is not user
    assert again == user and again != other
