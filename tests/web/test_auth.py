"""Accounts: registering, logging in and out, passwords, profile, CSRF and login throttling."""

import html
import re

import pytest
from flask_login import user_logged_in

from conftest import PASSWORD
from course_app.auth.models import LoginSession, User
from course_app.auth.passwords import MAX_LENGTH, MIN_LENGTH, _common, password_problem
from course_app.extensions import db, limiter

LONG_PASSPHRASE = "my cat sleeps on the warm printer"


# ---- helpers -----------------------------------------------------------------

def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:
    """The error shown next to a form field (the `<p class="error" id="<field>-error">`)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page(response), re.S)
    return match.group(1).strip() if match else ""


def input_value(response, name: str) -> str | None:
    """The value attribute of the <input name=...> in the page, or None when it has none."""
    body = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', body)
    assert tag, f"no input named {name!r} in the page"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def csrf_token_from(response) -> str:
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page(response))
    assert match, "no csrf_token field in the form"
    return match.group(1)


def register(client, email="new.person@example.org", name="New Person", password=LONG_PASSPHRASE,
             confirm=None, url="/account/register"):
    return client.post(url, data={"email": email, "name": name, "password": password,
                                  "confirm": password if confirm is None else confirm})


def post_login(client, email, password, remember=False, url="/account/login"):
    return client.post(url, data={"email": email, "password": password,
                                  "remember": "y" if remember else ""})


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def live_logins(user) -> int:
    return db.session.scalar(db.select(db.func.count(LoginSession.id))
                             .where(LoginSession.user_id == user.id))


def user_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def is_logged_in(client) -> bool:
    response = client.get("/account/profile")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    return False


# ---- register ----------------------------------------------------------------

def test_register_creates_account_logs_in_and_redirects(client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert user_by_email("new.person@example.org").name == "New Person"
    assert is_logged_in(client)


def test_register_stores_email_lower_case(client):
    assert register(client, email="New.Person@Example.ORG").status_code == 302
    assert user_by_email("new.person@example.org") is not None
    assert user_by_email("New.Person@Example.ORG") is None


def test_register_ignores_spaces_around_the_email(client):
    assert register(client, email="  new.person@example.org ").status_code == 302
    assert user_by_email("new.person@example.org") is not None


def test_register_refuses_same_email_in_other_case_next_to_email_field(client, factory):
    factory.user(email="ana@example.org")
    response = register(client, email="ANA@Example.org", name="Ana Second")
    assert response.status_code == 400
    assert "already exists" in field_error(response, "email")
    assert input_value(response, "name") == "Ana Second"
    assert input_value(response, "email") == "ANA@Example.org"
    assert user_count() == 1
    assert not is_logged_in(client)


# "José" typed two ways: é as one character (NFC, most keyboards) or as e and a combining
# accent (NFD, some Mac apps, a pasted list); and a domain in letters or as its ASCII form.
JOSE_NFC, JOSE_NFD = "jos\u00e9@example.org", "JOSE\u0301@Example.ORG"


def test_an_address_is_stored_as_invites_compare_it(client, factory, login_as):
    """The account's address was stored only lower-cased (in the form it was typed) while an
    invite compares `email_address`'s form: the same person typed another way was invited
    again though they were in the cohort."""
    from course_app.clock import utcnow
    from course_app.facilitate import invites

    cohort = factory.cohort()
    jose = factory.learner_in(cohort, email=JOSE_NFD)
    assert jose.email == JOSE_NFC
    result = invites.invite_many(cohort, cohort.memberships[0].user,
                                 f"{JOSE_NFC}\n{JOSE_NFD}\nJOS\u00c9@EXAMPLE.ORG", utcnow())
    assert result.invites == []
    assert [why for _line, _raw, why in result.problems] == [
        "already in the cohort (as a learner)"] * 3
    # Logging in and registering find the account however the address is typed.
    for typed in (JOSE_NFC, JOSE_NFD):
        assert post_login(client, typed, PASSWORD).status_code == 302, typed
        client.post("/account/logout")
    assert "already exists" in field_error(register(client, email=JOSE_NFC), "email")


def test_a_domain_typed_in_its_ascii_form_is_the_same_address(client, factory):
    user = factory.user(email="ana@XN--EXMPLE-CUA.org")
    assert user.email == "ana@ex\u00e4mple.org"
    for typed in ("ana@xn--exmple-cua.org", "Ana@Ex\u00e4mple.org"):
        assert post_login(client, typed, PASSWORD).status_code == 302, typed
        client.post("/account/logout")


def test_an_account_stored_before_addresses_were_normalised_still_logs_in(client, factory):
    """Accounts made before create_user stored `email_address`'s form keep theirs (only
    lower-cased): they are found typed as they were stored."""
    user = factory.user(email="pat@example.org")
    user.email = "pat@xn--exmple-cua.org"
    db.session.commit()
    assert post_login(client, "Pat@XN--exmple-cua.org", PASSWORD).status_code == 302


@pytest.mark.parametrize("name", ["   ", "\u200b"])
def test_register_shows_a_blank_name_with_the_other_problems(client, name):
    """Every problem at once (GOV.UK): a name of only spaces or invisible characters is
    reported beside a short password, not on the next try once the password is fixed."""
    response = register(client, name=name, password="short")
    assert response.status_code == 400
    assert field_error(response, "name") == "Enter the name other people will see."
    assert f"at least {MIN_LENGTH} characters" in field_error(response, "password")
    assert user_count() == 0


def test_register_says_a_bad_email_in_plain_words(client):
    response = register(client, email="a@@b.org")
    assert response.status_code == 400
    assert field_error(response, "email") == "Enter an email address like name@example.org."
    assert input_value(response, "email") == "a@@b.org"
    assert user_count() == 0


def test_register_refuses_password_shorter_than_eight(client):
    response = register(client, password="k7#pQ2x")
    assert response.status_code == 400
    assert f"at least {MIN_LENGTH} characters" in field_error(response, "password")
    assert user_by_email("new.person@example.org") is None


def test_register_accepts_password_of_exactly_eight(client):
    assert register(client, password="k7#pQ2xz").status_code == 302


@pytest.mark.parametrize("common", ["password1", "12345678", "Password1"])
def test_register_refuses_common_password(client, common):
    response = register(client, password=common)
    assert response.status_code == 400
    assert "common" in field_error(response, "password")
    assert user_by_email("new.person@example.org") is None


def test_register_does_not_echo_the_password_back(client):
    response = register(client, password="k7#pQ2xz", confirm="something else entirely")
    assert response.status_code == 400
    assert input_value(response, "password") in (None, "")
    assert "k7#pQ2xz" not in response.get_data(as_text=True)


def test_long_password_with_spaces_is_kept_exactly_as_typed(client, app):
    typed = "  " + LONG_PASSPHRASE + " "
    assert register(client, password=typed).status_code == 302
    client.post("/account/logout")
    other = app.test_client()
    assert post_login(other, "new.person@example.org", LONG_PASSPHRASE).status_code == 401
    assert post_login(other, "new.person@example.org", LONG_PASSPHRASE + " ").status_code == 401
    assert post_login(other, "new.person@example.org", typed).status_code == 302


def test_login_with_trailing_space_variant_fails(client, factory):
    user = factory.user(password=LONG_PASSPHRASE)
    assert post_login(client, user.email, LONG_PASSPHRASE + " ").status_code == 401
    assert post_login(client, user.email, LONG_PASSPHRASE.replace(" ", "")).status_code == 401
    assert post_login(client, user.email, LONG_PASSPHRASE).status_code == 302


def test_register_refuses_mismatched_confirmation(client):
    response = register(client, confirm=LONG_PASSPHRASE + "!")
    assert response.status_code == 400
    assert "different" in field_error(response, "confirm")
    assert user_by_email("new.person@example.org") is None


def test_register_refuses_email_as_password(client):
    email = "someone.long@example.org"
    response = register(client, email=email, password=email)
    assert response.status_code == 400
    assert "email" in field_error(response, "password")


def test_password_is_stored_hashed_with_scrypt(client):
    register(client)
    user = user_by_email("new.person@example.org")
    assert user.password_hash.startswith("scrypt:")
    assert LONG_PASSPHRASE not in user.password_hash
    assert user.check_password(LONG_PASSPHRASE)


def test_register_follows_local_next(client):
    response = register(client, url="/account/register?next=/account/profile")
    assert response.headers["Location"] == "/account/profile"


def test_register_ignores_external_next(client):
    response = register(client, url="/account/register?next=https://evil.example/x")
    assert response.headers["Location"] == "/"


# ---- login and logout --------------------------------------------------------

def test_good_login_redirects_and_logs_in(client, factory):
    user = factory.user()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)
    assert user_by_email(user.email).last_login_at is not None


def test_wrong_password_shows_message_and_keeps_email(client, factory):
    user = factory.user()
    response = post_login(client, user.email, PASSWORD + "x")
    assert response.status_code == 401
    assert "don't match" in field_error(response, "password")
    assert input_value(response, "email") == user.email
    assert input_value(response, "password") in (None, "")
    assert not is_logged_in(client)


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, factory):
    user = factory.user()
    wrong_password = post_login(client, user.email, PASSWORD + "x")
    unknown = post_login(client, "nobody@example.org", PASSWORD)
    assert unknown.status_code == wrong_password.status_code == 401
    assert field_error(unknown, "password") == field_error(wrong_password, "password")


def test_login_email_is_case_insensitive(client, factory):
    user = factory.user(email="mixed.case@example.org")
    assert post_login(client, " Mixed.Case@EXAMPLE.org", PASSWORD).status_code == 302
    assert is_logged_in(client)
    assert user.email == "mixed.case@example.org"


def test_logout_by_get_is_not_allowed(client, factory, login_as):
    login_as(factory.user())
    assert client.get("/account/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_by_post_logs_out(client, factory, login_as):
    login_as(factory.user())
    response = client.post("/account/logout")
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_remember_me_sets_remember_cookie(client, factory):
    user = factory.user()
    post_login(client, user.email, PASSWORD, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only


def test_without_remember_me_no_remember_cookie(client, factory):
    user = factory.user()
    post_login(client, user.email, PASSWORD, remember=False)
    assert client.get_cookie("remember_token") is None


def test_remember_cookie_alone_keeps_you_logged_in(client, factory):
    user = factory.user()
    post_login(client, user.email, PASSWORD, remember=True)
    client.delete_cookie("session")
    assert is_logged_in(client)


def test_login_follows_local_next(client, factory):
    user = factory.user()
    response = post_login(client, user.email, PASSWORD, url="/account/login?next=/account/profile")
    assert response.headers["Location"] == "/account/profile"


@pytest.mark.parametrize("target", [
    "https://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
])
def test_login_ignores_next_leaving_the_site(client, factory, target):
    user = factory.user()
    response = client.post("/account/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_refuses_a_next_with_a_control_character(client, factory):
    """A tab hidden in `next` (browsers drop it, so "/\t/evil" would be "//evil") is refused
    before the view with a 400 (inputs.guard); redirects.local_path refuses it too."""
    user = factory.user()
    response = client.post("/account/login", query_string={"next": "/\t/evil.example"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "U+0009" in response.get_data(as_text=True)


def test_login_required_page_sends_you_to_login_and_back(client, factory):
    user = factory.user()
    response = client.get("/account/profile")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/account/login?next=")
    back = post_login(client, user.email, PASSWORD, url=location)
    assert back.headers["Location"] == "/account/profile"


# ---- change password ---------------------------------------------------------

def change_password(client, current, new, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


def test_change_password_refuses_wrong_current(client, factory, login_as):
    user = factory.user()
    login_as(user)
    old_hash = user.password_hash
    response = change_password(client, "not my password at all", LONG_PASSPHRASE)
    assert response.status_code == 400
    assert "current password" in field_error(response, "current_password")
    assert user_by_email(user.email).password_hash == old_hash


def test_change_password_refuses_a_common_new_one(client, factory, login_as):
    user = factory.user()
    login_as(user)
    response = change_password(client, PASSWORD, "12345678")
    assert response.status_code == 400
    assert "common" in field_error(response, "new_password")


def test_change_password_succeeds(client, app, factory, login_as):
    user = factory.user()
    login_as(user)
    response = change_password(client, PASSWORD, LONG_PASSPHRASE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert is_logged_in(client), "the session that changed the password stays logged in"
    fresh = app.test_client()
    assert post_login(fresh, user.email, PASSWORD).status_code == 401
    assert post_login(fresh, user.email, LONG_PASSPHRASE).status_code == 302


def test_change_password_logs_in_the_user_itself_not_a_proxy(client, app, factory, login_as):
    """Receivers of user_logged_in (and anything after it in the request) get a usable user."""
    user = factory.user()
    login_as(user)
    seen = []

    def receiver(sender, user, **extra):
        seen.append(user.id)

    with user_logged_in.connected_to(receiver, app):
        assert change_password(client, PASSWORD, LONG_PASSPHRASE).status_code == 302
    assert seen == [user.id]


def test_change_password_logs_out_other_sessions(client, app, factory, login_as):
    user = factory.user()
    other = app.test_client()
    post_login(other, user.email, PASSWORD)
    assert is_logged_in(other)
    login_as(user)
    assert live_logins(user) == 2

    assert change_password(client, PASSWORD, LONG_PASSPHRASE).status_code == 302

    assert live_logins(user) == 1, "only the new login of the device that changed it"
    assert not is_logged_in(other)
    assert is_logged_in(client)


def test_change_password_ends_other_remember_me_cookies(client, app, factory, login_as):
    user = factory.user()
    other = app.test_client()
    post_login(other, user.email, PASSWORD, remember=True)
    login_as(user)
    change_password(client, PASSWORD, LONG_PASSPHRASE)
    other.delete_cookie("session")  # only the remember cookie is left
    assert other.get_cookie("remember_token") is not None
    assert not is_logged_in(other)


# ---- profile -----------------------------------------------------------------

def test_profile_update_saves_name_and_about(client, factory, login_as):
    user = factory.user()
    login_as(user)
    response = client.post("/account/profile", data={
        "name": "  Renamed Person ", "about": "Press office, county council."})
    assert response.status_code == 302
    saved = user_by_email(user.email)
    assert saved.name == "Renamed Person"
    assert saved.about == "Press office, county council."


def test_a_pasted_name_is_kept_on_one_line(client, factory, login_as):
    """A name goes into email subjects, where a line break can't go: folded, not refused."""
    user = factory.user()
    login_as(user)
    response = client.post("/account/profile", data={
        "name": "Eve\r\nBcc: someone@evil.example", "about": "Two\r\nlines stay."})
    assert response.status_code == 302
    saved = user_by_email(user.email)
    assert saved.name == "Eve Bcc: someone@evil.example"
    assert saved.about == "Two\r\nlines stay."


def test_register_keeps_the_name_on_one_line(client):
    assert register(client, name="New\n\tPerson").status_code == 302
    assert user_by_email("new.person@example.org").name == "New Person"


@pytest.mark.parametrize("name", ["", "   ", "\r\n\t"])
def test_profile_refuses_empty_name(client, factory, login_as, name):
    user = factory.user(name="Kept Name")
    login_as(user)
    response = client.post("/account/profile", data={"name": name, "about": "new about"})
    assert response.status_code == 400
    assert "name" in field_error(response, "name")
    assert user_by_email(user.email).name == "Kept Name"


def test_profile_shows_a_blank_name_with_the_other_problems(client, factory, login_as):
    user = factory.user(name="Kept Name")
    login_as(user)
    response = client.post("/account/profile", data={"name": "  ", "about": "x" * 501})
    assert response.status_code == 400
    assert field_error(response, "name") == "Enter the name other people will see."
    assert "under 500 characters" in field_error(response, "about")
    assert user_by_email(user.email).name == "Kept Name"


def test_profile_needs_login(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


# ---- CSRF --------------------------------------------------------------------

def test_post_without_csrf_token_is_refused_plainly(make_app, factory):
    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 400
    body = page(response)
    assert "Traceback" not in body
    assert "reload the page" in body
    assert not is_logged_in(client)


def test_post_with_csrf_token_from_the_form_works(make_app, factory):
    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get("/account/login"))
    response = client.post("/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_post_with_a_wrong_csrf_token_is_refused(make_app, factory):
    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.get("/account/login")
    response = client.post("/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400


def test_logout_needs_csrf_token(make_app, factory):
    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get("/account/login"))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token})
    assert client.post("/account/logout").status_code == 400
    assert is_logged_in(client)
    token = csrf_token_from(client.get("/account/profile"))
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    assert not is_logged_in(client)


def test_a_form_with_a_prefix_has_its_token_checked_too(make_app, factory):
    """Forms that share a page prefix their fields ("link-csrf_token" on the invites page);
    the token is checked all the same. (A scanner that looks for a field named exactly
    csrf_token calls these forms unprotected: wapiti does, docs/security.md.)"""
    from sqlalchemy import func, select

    from course_app.auth.models import Role
    from course_app.cohorts.models import Invite

    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get("/account/login"))
    client.post("/account/login", data={"email": facilitator.email, "password": PASSWORD,
                                        "csrf_token": token})
    path = f"/facilitate/cohorts/{cohort.id}/invites"
    from_the_page = input_value(client.get(path), "link-csrf_token")
    fields = {"action": "link", "link-expires_in_days": "14"}
    assert client.post(path, data=fields).status_code == 400
    assert client.post(path, data={**fields, "link-csrf_token": "forged"}).status_code == 400
    assert db.session.scalar(select(func.count(Invite.id))) == 0
    assert client.post(path, data={**fields, "link-csrf_token": from_the_page}
                       ).status_code == 302
    assert db.session.scalar(select(func.count(Invite.id))) == 1


# ---- throttling --------------------------------------------------------------

@pytest.fixture
def throttled(app, make_app):
    """An app allowing 3 failed logins a minute.

    The limiter object is module-global: each create_app sets its `enabled` flag from that app's
    config (make_app sets it back afterwards); its memory storage is new with each enabled app,
    and reset here all the same.
    """
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    assert limiter.enabled
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        limiter.reset()


def test_fourth_attempt_after_three_failures_is_throttled(throttled, factory):
    user = factory.user()
    client = throttled.test_client()
    for _ in range(3):
        assert post_login(client, user.email, "wrong password here").status_code == 401
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many" in page(response)
    assert input_value(response, "email") == user.email
    assert not is_logged_in(client)


def test_throttle_is_not_dodged_by_changing_the_email_case(throttled, factory):
    user = factory.user()
    client = throttled.test_client()
    for _ in range(3):
        post_login(client, user.email, "wrong password here")
    assert post_login(client, user.email.upper(), PASSWORD).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(throttled, factory):
    user = factory.user()
    client = throttled.test_client()
    for _ in range(5):
        assert post_login(client, user.email, PASSWORD).status_code == 302
        assert client.post("/account/logout").status_code == 302


def test_throttle_state_does_not_leak_between_apps(throttled, make_app, factory):
    """A second throttled app (as in the next test) starts with a clean slate."""
    user = factory.user()
    for _ in range(3):
        post_login(throttled.test_client(), user.email, "wrong password here")
    fresh = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    assert post_login(fresh.test_client(), user.email, PASSWORD).status_code == 302


def test_login_page_is_not_throttled_for_get(throttled):
    client = throttled.test_client()
    for _ in range(5):
        assert client.get("/account/login").status_code == 200


# ---- the password policy -----------------------------------------------------

def test_common_list_is_large_and_holds_the_usual_suspects():
    common = _common()
    assert len(common) >= 10_000
    assert {"password", "password1", "12345678", "qwerty", "iloveyou"} <= common


@pytest.mark.parametrize("password", ["password1", "PASSWORD1", "12345678", "Iloveyou"])
def test_policy_refuses_common_passwords_in_any_case(password):
    assert "common" in password_problem(password)


def test_policy_refuses_short_and_overlong():
    assert str(MIN_LENGTH) in password_problem("k7#pQ2x")
    assert str(MAX_LENGTH) in password_problem("a" * (MAX_LENGTH + 1))


def test_policy_accepts_lengths_at_the_limits():
    assert password_problem("k7#pQ2xz") is None
    assert password_problem(("my long phrase " * 20)[:MAX_LENGTH]) is None


def test_policy_has_no_composition_rules():
    assert password_problem("all plain lower case words") is None


def test_policy_refuses_email_or_its_local_part_or_name():
    assert password_problem("alex.morgan@example.org", email="alex.morgan@example.org")
    assert password_problem("Alex.Morgan", email="alex.morgan@example.org")
    assert password_problem("alex morgan", name=" Alex Morgan ")
    assert password_problem("alex morgan wrote this", name="Alex Morgan") is None
