"""Joining a cohort: the enrolment key form, invite links, and everything that can go wrong."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts import services
from course_app.cohorts.models import CohortState, Invite, MemberRole, Membership
from course_app.extensions import db, limiter
from learner_journey import text


def memberships(user) -> list[Membership]:
    db.session.expire_all()
    return list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))


def membership_count(cohort) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.cohort_id == cohort.id))


def key_error(response) -> str:
    match = re.search(r'<p class="error" id="key-error">(.*?)</p>', response.get_data(as_text=True),
                      re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def follow(client, response):
    """Follow one redirect, returning the next response."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"])


def make_invite(cohort, **kwargs):
    facilitator = cohort.memberships[0].user
    invite = services.create_invite(cohort, facilitator, utcnow(), **kwargs)
    db.session.commit()
    return invite


# ---- the key form ----------------------------------------------------------------

def test_enrol_page_needs_login(client):
    response = client.get("/enrol")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_enrol_page_has_a_labelled_key_field(client, factory, login_as):
    login_as(factory.user())
    body = client.get("/enrol").get_data(as_text=True)
    assert '<label for="key">Enrolment key</label>' in body
    assert "<title>Join a cohort" in body
    assert "Join a cohort</button>" in body


def test_good_key_enrols_and_lands_on_the_map_with_a_welcome(client, factory, login_as):
    cohort = factory.cohort()
    user = factory.user()
    login_as(user)
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    [membership] = memberships(user)
    assert membership.cohort_id == cohort.id and membership.role == MemberRole.LEARNER
    page = follow(client, response)
    assert page.status_code == 200
    assert f"Welcome to {cohort.name}!" in text(page)


@pytest.mark.parametrize("typed", [
    lambda key: key.lower(),
    lambda key: key.replace("-", ""),
    lambda key: f"  {key[:4].lower()} {key[5:]} ",
])
def test_key_in_any_case_with_or_without_hyphen_works(client, factory, login_as, typed):
    cohort = factory.cohort()
    user = factory.user()
    login_as(user)
    response = client.post("/enrol", data={"key": typed(cohort.enrolment_key)})
    assert response.status_code == 302
    assert [m.cohort_id for m in memberships(user)] == [cohort.id]


def test_wrong_key_is_explained_beside_the_field_and_kept(client, factory, login_as):
    cohort = factory.cohort()
    user = factory.user()
    login_as(user)
    response = client.post("/enrol", data={"key": "ZZZZ-ZZZZ"})
    assert response.status_code == 400
    assert key_error(response) == ("We don't know that key. Check it with your facilitator; "
                                   "it looks like ABCD-EFGH.")
    assert 'value="ZZZZ-ZZZZ"' in response.get_data(as_text=True)
    assert memberships(user) == []
    assert membership_count(cohort) == 1  # the facilitator only


def test_empty_key_asks_for_one(client, factory, login_as):
    login_as(factory.user())
    response = client.post("/enrol", data={"key": "   "})
    assert response.status_code == 400
    assert "Enter the enrolment key" in key_error(response)


def test_full_cohort_says_so_and_creates_nothing(client, factory, login_as):
    cohort = factory.cohort()
    cohort.capacity = 1
    db.session.commit()
    factory.learner_in(cohort)
    user = factory.user()
    login_as(user)
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 400
    assert f"{cohort.name} is full" in key_error(response)
    assert memberships(user) == []


def test_capacity_counts_active_learners_only(client, factory, login_as, app):
    """Facilitators and removed learners don't take places."""
    cohort = factory.cohort()
    cohort.capacity = 1
    gone = factory.learner_in(cohort)
    services.membership_of(cohort.id, gone.id).removed_at = utcnow()
    db.session.commit()
    user = factory.user()
    login_as(user)
    assert client.post("/enrol", data={"key": cohort.enrolment_key}).status_code == 302
    assert len(memberships(user)) == 1


@pytest.mark.parametrize("state, words", [(CohortState.CLOSED, "is closed to new learners"),
                                          (CohortState.ARCHIVED, "has finished")])
def test_closed_or_archived_cohort_takes_no_one(client, factory, login_as, state, words):
    cohort = factory.cohort()
    cohort.state = state
    db.session.commit()
    user = factory.user()
    login_as(user)
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 400
    assert words in key_error(response)
    assert memberships(user) == []


def test_running_cohort_still_takes_learners(client, factory, login_as):
    cohort = factory.cohort()
    cohort.state = CohortState.RUNNING
    db.session.commit()
    user = factory.user()
    login_as(user)
    assert client.post("/enrol", data={"key": cohort.enrolment_key}).status_code == 302
    assert len(memberships(user)) == 1


def test_enrolling_twice_is_harmless(client, factory, login_as):
    cohort = factory.cohort()
    user = factory.user()
    login_as(user)
    client.post("/enrol", data={"key": cohort.enrolment_key})
    response = client.post("/enrol", data={"key": cohort.enrolment_key.lower()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert "You're already in this cohort" in text(follow(client, response))
    assert len(memberships(user)) == 1


def test_facilitator_entering_their_key_is_told_they_run_it(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    login_as(facilitator)
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert "You already run this cohort" in text(follow(client, response))
    [membership] = memberships(facilitator)
    assert membership.role == MemberRole.FACILITATOR


def test_removed_learner_cannot_rejoin_themselves(client, factory, login_as):
    cohort = factory.cohort()
    user = factory.learner_in(cohort)
    services.membership_of(cohort.id, user.id).removed_at = utcnow()
    db.session.commit()
    login_as(user)
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 400
    assert "contact its facilitator" in key_error(response)
    [membership] = memberships(user)
    assert membership.removed_at is not None


def test_a_learner_may_join_several_cohorts(client, factory, login_as):
    course = factory.course()
    first, second = factory.cohort(course, name="Spring"), factory.cohort(course, name="Autumn")
    user = factory.user()
    login_as(user)
    for cohort in (first, second):
        assert client.post("/enrol", data={"key": cohort.enrolment_key}).status_code == 302
    assert {m.cohort_id for m in memberships(user)} == {first.id, second.id}
    home = client.get("/").get_data(as_text=True)
    assert f'href="/cohorts/{first.id}"' in home and f'href="/cohorts/{second.id}"' in home


def test_key_form_carries_a_csrf_token(make_app, factory):
    cohort = factory.cohort()
    user = factory.user()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token})
    assert client.post("/enrol", data={"key": cohort.enrolment_key}).status_code == 400
    assert memberships(user) == []
    page = client.get("/enrol").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/enrol", data={"key": cohort.enrolment_key, "csrf_token": token})
    assert response.status_code == 302
    assert len(memberships(user)) == 1


def test_key_form_is_rate_limited(app, make_app, factory):
    cohort = factory.cohort()
    user = factory.user()
    throttled = make_app(RATELIMIT_ENABLED=True, ENROL_RATE_LIMIT="3 per minute")
    with throttled.app_context():
        limiter.reset()
    client = throttled.test_client()
    client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    for _ in range(3):
        assert client.post("/enrol", data={"key": "WRNG-KEYS"}).status_code == 400
    response = client.post("/enrol", data={"key": cohort.enrolment_key})
    assert response.status_code == 429
    assert "Wait a minute" in text(response)
    assert memberships(user) == []
    assert client.get("/enrol").status_code == 200  # only sending the form is limited
    with throttled.app_context():
        limiter.reset()


# ---- the services --------------------------------------------------------------

def test_services_raise_enrol_error_and_create_nothing(factory):
    cohort = factory.cohort()
    cohort.state = CohortState.CLOSED
    user = factory.user()
    with pytest.raises(services.EnrolError, match="closed"):
        services.enrol(cohort, user, utcnow())
    with pytest.raises(services.EnrolError, match="We don't know that key"):
        services.enrol_with_key("nope", user, utcnow())
    assert memberships(user) == []


def test_enrol_returns_the_membership_and_twice_raises_already_enrolled(factory):
    cohort = factory.cohort()
    user = factory.user()
    at = utcnow()
    membership = services.enrol(cohort, user, at)
    assert membership.role == MemberRole.LEARNER and membership.joined_at == at
    with pytest.raises(services.AlreadyEnrolled) as caught:
        services.enrol_with_key(cohort.enrolment_key, user, at)
    assert caught.value.membership is membership
    assert isinstance(caught.value, services.EnrolError)


def test_invites_get_distinct_url_safe_tokens(factory):
    cohort = factory.cohort()
    tokens = {make_invite(cohort).token for _ in range(5)}
    assert len(tokens) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{20,64}", t) for t in tokens)


# ---- invite links --------------------------------------------------------------

def test_invite_link_shows_the_cohort_and_joins_on_the_button(client, factory, login_as):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    user = factory.user()
    login_as(user)
    page = client.get(f"/invite/{invite.token}")
    assert page.status_code == 200
    assert f"Join {cohort.name}" in text(page)
    assert memberships(user) == []  # looking writes nothing
    response = client.post(f"/invite/{invite.token}")
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert f"Welcome to {cohort.name}!" in text(follow(client, response))
    assert [m.cohort_id for m in memberships(user)] == [cohort.id]
    assert db.session.get(Invite, invite.id).uses == 1


def test_invite_followed_twice_is_harmless(client, factory, login_as):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    user = factory.user()
    login_as(user)
    client.post(f"/invite/{invite.token}")
    for send in (client.get, client.post):
        response = send(f"/invite/{invite.token}")
        assert response.headers["Location"] == f"/cohorts/{cohort.id}"
        assert "You're already in this cohort" in text(follow(client, response))
    assert len(memberships(user)) == 1
    assert db.session.get(Invite, invite.id).uses == 1


def test_expired_invite_says_so_and_creates_nothing(client, factory, login_as):
    cohort = factory.cohort()
    invite = make_invite(cohort, expires_at=utcnow() - timedelta(hours=1))
    user = factory.user()
    login_as(user)
    for send in (client.get, client.post):
        response = send(f"/invite/{invite.token}")
        assert response.status_code == 404
        expired = invite.expires_at  # "5 Jan 2027, 14:03 UTC": the moment, and its zone
        assert (f"This invite link expired on {expired.day} {expired:%b %Y, %H:%M} UTC."
                in text(response))
    assert memberships(user) == []
    assert db.session.get(Invite, invite.id).uses == 0


def test_invite_that_has_not_expired_yet_works(client, factory, login_as):
    cohort = factory.cohort()
    invite = make_invite(cohort, expires_at=utcnow() + timedelta(days=1))
    user = factory.user()
    login_as(user)
    assert client.post(f"/invite/{invite.token}").status_code == 302
    assert len(memberships(user)) == 1


def test_revoked_invite_says_so_and_creates_nothing(client, factory, login_as):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    invite.revoked_at = utcnow()
    db.session.commit()
    user = factory.user()
    login_as(user)
    response = client.post(f"/invite/{invite.token}")
    assert response.status_code == 404
    assert "This invite link has been withdrawn" in text(response)
    assert memberships(user) == []


def test_unknown_invite_is_404_with_a_way_on(client, factory, login_as):
    login_as(factory.user())
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "We don't recognise this invite link" in text(response)
    assert 'href="/enrol"' in response.get_data(as_text=True)


def test_invite_to_a_full_cohort_is_refused_before_and_after_the_button(client, factory, login_as):
    cohort = factory.cohort()
    cohort.capacity = 1
    db.session.commit()
    factory.learner_in(cohort)
    invite = make_invite(cohort)
    user = factory.user()
    login_as(user)
    page = client.get(f"/invite/{invite.token}")
    assert page.status_code == 403
    assert "is full" in text(page)
    assert "<button" not in page.get_data(as_text=True).split("<main", 1)[1]
    assert client.post(f"/invite/{invite.token}").status_code == 403
    assert memberships(user) == []
    assert db.session.get(Invite, invite.id).uses == 0


def login_url_from(client, register_url: str) -> str:
    """The "Log in instead" link on the page an invite opens for someone logged out."""
    page = client.get(register_url).get_data(as_text=True)
    return html.unescape(re.search(r'href="(/account/login\?next=[^"]*)">Log in instead',
                                   page).group(1))


def test_anonymous_invite_opens_create_an_account_or_log_in_and_lands_enrolled(client, factory):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    user = factory.user()
    response = client.get(f"/invite/{invite.token}")
    assert response.status_code == 302
    register_url = response.headers["Location"]
    parts = urlsplit(register_url)
    assert parts.path == "/account/register"  # most people following an invite are new
    assert parse_qs(parts.query) == {"next": [f"/invite/{invite.token}"]}
    assert memberships(user) == []  # following the link wrote nothing
    register_page = client.get(register_url)
    assert f"You're invited to join {cohort.name}. Create an account" in text(register_page)
    assert "<h1>Create an account</h1>" in register_page.get_data(as_text=True)
    login_url = login_url_from(client, register_url)
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/invite/{invite.token}"
    assert [m.cohort_id for m in memberships(user)] == [cohort.id]  # enrolled by the login
    response = follow(client, response)
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    landing = text(follow(client, response))
    assert f"Welcome to {cohort.name}!" in landing
    assert "already" not in landing
    assert [m.cohort_id for m in memberships(user)] == [cohort.id]
    assert db.session.get(Invite, invite.id).uses == 1


def test_anonymous_invite_registers_and_lands_enrolled(client, factory):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    register_url = client.get(f"/invite/{invite.token}").headers["Location"]
    response = client.post(register_url, data={
        "email": "invited@example.org", "name": "Invited Person",
        "password": "a fresh and long passphrase", "confirm": "a fresh and long passphrase"})
    assert response.headers["Location"] == f"/invite/{invite.token}"
    assert follow(client, response).headers["Location"] == f"/cohorts/{cohort.id}"
    db.session.expire_all()
    [newcomer] = db.session.scalars(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.role == MemberRole.LEARNER)).all()
    assert newcomer.user.email == "invited@example.org"


def test_invite_revoked_between_the_link_and_the_login_is_explained(client, factory):
    cohort = factory.cohort()
    invite = make_invite(cohort)
    user = factory.user()
    login_url = login_url_from(client, client.get(f"/invite/{invite.token}").headers["Location"])
    invite.revoked_at = utcnow()
    db.session.commit()
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    explained = follow(client, response)
    assert explained.status_code == 404
    assert "This invite link has been withdrawn" in text(explained)
    assert memberships(user) == []


def test_anonymous_following_a_dead_invite_is_told_at_once(client, factory):
    cohort = factory.cohort()
    invite = make_invite(cohort, expires_at=utcnow() - timedelta(days=1))
    response = client.get(f"/invite/{invite.token}")
    assert response.status_code == 404
    assert "expired" in text(response)
