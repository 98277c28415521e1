"""API tokens: the pages that make, list and revoke them, and what a token opens (GET requests
under /api/, with its owner's rights) and what it doesn't (forms, pages, other cohorts)."""

import hashlib
import html
import re

import pytest
from sqlalchemy import func, select

from course_app.auth import tokens
from course_app.auth.models import ApiToken, Role, User
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.extensions import db
from learner_journey import text

SECRET = re.compile(r"cat_[A-Za-z0-9_-]{43}")
NO_COHORT = ("No cohort here that you can read: check the cohort's id, and that your token is "
             "right and not revoked.")


def api_url(cohort) -> str:
    return f"/api/v1/cohorts/{cohort.id}/progress"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def count_tokens() -> int:
    return db.session.scalar(select(func.count(ApiToken.id)))


@pytest.fixture
def cohort(factory):
    return factory.cohort()


@pytest.fixture
def facilitator(cohort):
    """The cohort's facilitator: tokens are for people with a cohort to read."""
    return cohort.memberships[0].user


@pytest.fixture
def api(app):
    """A client that never logs in: what a script sees."""
    return app.test_client()


def reviewer_of(factory, cohort) -> User:
    return factory.reviewer_in(cohort)


def token_for(user, name="script") -> str:
    _, secret = tokens.create_token(user, name, utcnow())
    db.session.commit()
    return secret


def make_on_the_page(client, name="weekly spreadsheet"):
    response = client.post("/reports/tokens", data={"name": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, SECRET.search(response.get_data(as_text=True)).group(0)


# ---- the tokens page ----------------------------------------------------------------

def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/reports/tokens")
    assert response.status_code == 302 and "/account/login" in response.location


def test_facilitator_sees_the_form_and_an_empty_list(client, login_as, facilitator, cohort):
    login_as(facilitator)
    response = client.get("/reports/tokens")
    assert response.status_code == 200
    page = text(response)
    assert "<title>API tokens" in response.get_data(as_text=True)
    assert "You have no tokens yet" in page
    assert 'for="name"' in response.get_data(as_text=True)  # a visible label
    assert "Make the token" in page
    assert f"/api/v1/cohorts/{cohort.id}/progress" in page  # how to use it


def test_making_a_token_shows_the_secret_once_and_keeps_only_its_hash(client, login_as,
                                                                     facilitator):
    login_as(facilitator)
    response, secret = make_on_the_page(client)
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "won't see it again" in text(response)
    assert f'value="{secret}"' in body and "readonly" in body  # easy to select and copy
    assert "<code" in body and body.count(secret) >= 2

    token = db.session.scalar(select(ApiToken))
    assert token.user_id == facilitator.id and token.name == "weekly spreadsheet"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    for table in db.metadata.sorted_tables:  # the secret is nowhere in the database
        for row in db.session.execute(select(table)):
            assert not any(secret in str(value) for value in row), table.name

    listing = client.get("/reports/tokens")
    assert secret not in listing.get_data(as_text=True)
    assert "weekly spreadsheet" in text(listing) and token.prefix in text(listing)


def test_each_token_is_new(client, login_as, facilitator):
    login_as(facilitator)
    _, one = make_on_the_page(client, "one")
    _, two = make_on_the_page(client, "two")
    assert one != two and count_tokens() == 2


def test_the_list_shows_name_prefix_made_last_used_and_status(client, api, login_as, factory,
                                                              facilitator, cohort):
    used, unused, revoked = (token_for(facilitator, n) for n in ("used", "unused", "revoked"))
    token_for(factory.user(Role.FACILITATOR), "somebody else's")
    tokens.revoke_token(facilitator, db.session.scalar(
        select(ApiToken.id).where(ApiToken.name == "revoked")), utcnow())
    db.session.commit()
    assert api.get(api_url(cohort), headers=bearer(used)).status_code == 200
    login_as(facilitator)
    response = client.get("/reports/tokens")
    body = response.get_data(as_text=True)
    rows = {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for name, row in (
        (n, re.search(rf"<tr id=\"token-\d+\">\s*<th scope=\"row\">{n}</th>.*?</tr>", body,
                      re.S).group(0)) for n in ("used", "unused", "revoked"))}
    assert "somebody else" not in body
    assert "just now" in rows["used"] and "Works" in rows["used"] and "Never" not in rows["used"]
    assert "Never" in rows["unused"] and "Works" in rows["unused"]
    assert "Revoked" in rows["revoked"] and "Revoke revoked" not in rows["revoked"]
    assert used[:10] in rows["used"] and unused[:10] in rows["unused"]
    assert "Revoke used" in rows["used"]  # the button names its token
    assert "2 of 3 work" in text(response)


@pytest.mark.parametrize("name, message", [
    ("", "Name the token"), ("   ", "Name the token"), ("x" * 81, "under 80 characters")])
def test_a_token_needs_a_name(client, login_as, facilitator, name, message):
    login_as(facilitator)
    response = client.post("/reports/tokens", data={"name": name})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="name-error"' in body and message in body  # beside the field
    assert not SECRET.search(body)
    assert count_tokens() == 0


def test_too_many_live_tokens_are_refused_beside_the_name(client, login_as, facilitator):
    for n in range(tokens.MAX_LIVE):
        token_for(facilitator, f"t{n}")
    login_as(facilitator)
    response = client.post("/reports/tokens", data={"name": "one more"})
    assert response.status_code == 400
    assert "Revoke one you no longer use" in response.get_data(as_text=True)
    assert count_tokens() == tokens.MAX_LIVE


def test_a_name_one_of_your_working_tokens_has_is_refused_beside_the_field(client, login_as,
                                                                          factory, facilitator):
    """Two "weekly spreadsheet"s in the list can't be told apart when one must be revoked."""
    login_as(facilitator)
    make_on_the_page(client, "weekly spreadsheet")
    for again in ("weekly spreadsheet", "  Weekly Spreadsheet "):
        response = client.post("/reports/tokens", data={"name": again})
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert 'id="name-error"' in body and not SECRET.search(body)
        assert ("You have a token called \u201cweekly spreadsheet\u201d already: name this one "
                "for where it will be used, e.g. \u201cweekly spreadsheet (laptop)\u201d."
                ) in html.unescape(body)
        assert f'value="{again.strip()}"' in body  # what was typed is kept
    assert count_tokens() == 1
    make_on_the_page(client, "weekly spreadsheet (laptop)")
    # Someone else's tokens and a revoked one of yours don't take a name.
    token_for(factory.user(Role.FACILITATOR), "monitor")
    tokens.revoke_token(facilitator, token_id=db.session.scalar(
        select(ApiToken.id).where(ApiToken.name == "weekly spreadsheet")), at=utcnow())
    db.session.commit()
    make_on_the_page(client, "monitor")
    make_on_the_page(client, "weekly spreadsheet")
    assert count_tokens() == 5


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_reviewers_and_admins_make_tokens(client, login_as, factory, cohort, who):
    user = reviewer_of(factory, cohort) if who == "reviewer" else factory.user(Role.ADMIN)
    login_as(user)
    assert client.get("/reports/tokens").status_code == 200
    make_on_the_page(client)
    assert db.session.scalar(select(ApiToken.user_id)) == user.id


def test_a_learner_with_nothing_to_review_gets_a_friendly_403(client, login_as, factory, cohort):
    login_as(factory.learner_in(cohort))
    response = client.get("/reports/tokens")
    assert response.status_code == 403
    assert "API tokens are for facilitators and reviewers" in text(response)
    assert "ask its facilitator to add you as a reviewer" in text(response)
    assert client.post("/reports/tokens", data={"name": "sneaky"}).status_code == 403
    assert count_tokens() == 0


def test_a_former_reviewer_can_still_revoke_but_not_make(client, api, login_as, factory,
                                                         cohort):
    user = reviewer_of(factory, cohort)
    secret = token_for(user)
    membership_of(cohort.id, user.id).removed_at = utcnow()
    db.session.commit()
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 404
    login_as(user)
    response = client.get("/reports/tokens")
    assert response.status_code == 200
    assert "can't make new tokens" in text(response) and "Make the token" not in text(response)
    assert client.post("/reports/tokens", data={"name": "new"}).status_code == 403
    token = db.session.scalar(select(ApiToken))
    client.post(f"/reports/tokens/{token.id}/revoke", data={"confirm": "yes"})
    db.session.refresh(token)
    assert token.revoked_at is not None


# ---- revoking -------------------------------------------------------------------------

def test_revoking_asks_first_then_the_api_stops_answering(client, api, login_as, facilitator,
                                                          cohort):
    secret = token_for(facilitator, "old laptop")
    token = db.session.scalar(select(ApiToken))
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 200
    login_as(facilitator)

    asked = client.post(f"/reports/tokens/{token.id}/revoke")
    assert asked.status_code == 200
    assert "Revoke the token \u201cold laptop\u201d?" in text(asked)
    assert "Yes, revoke it" in text(asked) and "No, keep it working" in text(asked)
    db.session.refresh(token)
    assert token.revoked_at is None
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 200

    done = client.post(f"/reports/tokens/{token.id}/revoke", data={"confirm": "yes"})
    assert done.status_code == 302 and done.location.endswith("/reports/tokens")
    db.session.refresh(token)
    assert token.revoked_at is not None
    response = api.get(api_url(cohort), headers=bearer(secret))
    assert response.status_code == 404 and response.is_json
    assert "no longer works" in text(client.get("/reports/tokens"))

    again = client.post(f"/reports/tokens/{token.id}/revoke", data={"confirm": "yes"})
    assert again.status_code == 302
    assert "already revoked" in text(client.get("/reports/tokens"))


def test_someone_elses_token_cant_be_revoked(client, api, login_as, factory, facilitator, cohort):
    secret = token_for(facilitator)
    token = db.session.scalar(select(ApiToken))
    login_as(factory.user(Role.FACILITATOR))
    for data in ({}, {"confirm": "yes"}):
        assert client.post(f"/reports/tokens/{token.id}/revoke", data=data).status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 200
    with pytest.raises(tokens.TokenError):
        tokens.revoke_token(factory.user(Role.ADMIN), token.id, utcnow())


def test_revoking_a_token_that_isnt_there_is_404(client, login_as, facilitator):
    login_as(facilitator)
    assert client.post("/reports/tokens/999999/revoke", data={"confirm": "yes"}).status_code == 404


def test_revoking_needs_a_post(client, login_as, facilitator):
    token_for(facilitator)
    login_as(facilitator)
    token = db.session.scalar(select(ApiToken))
    assert client.get(f"/reports/tokens/{token.id}/revoke").status_code == 405


# ---- the API with a token -------------------------------------------------------------

def _learner(factory, cohort):
    return factory.learner_in(cohort)


WHO = {
    "facilitator": (lambda factory, cohort: cohort.memberships[0].user, 200),
    "reviewer": (reviewer_of, 200),
    "admin": (lambda factory, cohort: factory.user(Role.ADMIN), 200),
    "learner of the cohort": (_learner, 403),
    "facilitator of another cohort": (
        lambda factory, cohort: factory.cohort(cohort.course).memberships[0].user, 404),
    "outsider": (lambda factory, cohort: factory.user(Role.FACILITATOR), 404),
}


@pytest.mark.parametrize("who", WHO)
def test_a_token_acts_with_its_owners_rights(api, factory, cohort, who):
    make, status = WHO[who]
    secret = token_for(make(factory, cohort))
    response = api.get(api_url(cohort), headers=bearer(secret))
    assert response.status_code == status
    assert response.is_json
    assert response.headers["Cache-Control"] == "private, no-store"
    if status == 200:
        assert response.get_json()["cohort"]["id"] == cohort.id
    else:
        assert set(response.get_json()) == {"error", "detail"}


def test_a_facilitators_token_reads_its_cohort_but_not_another(api, factory, facilitator,
                                                              cohort):
    other = factory.cohort(cohort.course)
    secret = token_for(facilitator)
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 200
    response = api.get(api_url(other), headers=bearer(secret))
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["detail"] == NO_COHORT


def test_the_token_answer_is_the_same_report_as_the_session_one(client, api, login_as,
                                                                factory, facilitator, cohort):
    factory.learner_in(cohort, name="Ana")
    secret = token_for(facilitator)
    by_token = api.get(api_url(cohort), headers=bearer(secret)).get_json()
    login_as(facilitator)
    by_session = client.get(api_url(cohort)).get_json()
    by_token.pop("generated_at"), by_session.pop("generated_at")
    assert by_token == by_session and by_token["learners"][0]["name"] == "Ana"


@pytest.mark.parametrize("header", [
    "Bearer cat_not-a-real-token-at-all-000000000000000000000",
    "Bearer not-even-our-prefix",
    "Bearer ",
    "Bearer",
    "Basic Zm9vOmJhcg==",
])
def test_garbage_tokens_get_json_404(api, facilitator, cohort, header):
    token_for(facilitator)
    response = api.get(api_url(cohort), headers={"Authorization": header})
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["detail"] == NO_COHORT


def test_the_schemes_case_doesnt_matter(api, facilitator, cohort):
    secret = token_for(facilitator)
    assert api.get(api_url(cohort),
                   headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_a_revoked_token_gets_json_404(api, facilitator, cohort):
    secret = token_for(facilitator)
    tokens.revoke_token(facilitator, db.session.scalar(select(ApiToken.id)), utcnow())
    db.session.commit()
    response = api.get(api_url(cohort), headers=bearer(secret))
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["detail"] == NO_COHORT  # the same words as for another cohort
    assert api.get(api_url(cohort)).get_json() == response.get_json()  # as for no token


def test_a_token_loses_a_cohort_with_its_owners_role(api, factory, cohort):
    user = reviewer_of(factory, cohort)
    secret = token_for(user)
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 200
    membership_of(cohort.id, user.id).removed_at = utcnow()
    db.session.commit()
    assert api.get(api_url(cohort), headers=bearer(secret)).status_code == 404


def test_using_a_token_notes_when_and_starts_no_session(api, facilitator, cohort):
    secret = token_for(facilitator)
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is None
    before = utcnow()
    response = api.get(api_url(cohort), headers=bearer(secret))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    db.session.refresh(token)
    assert token.last_used_at >= before.replace(microsecond=0)
    # Without the token, the same client is nobody.
    assert api.get(api_url(cohort)).status_code == 404


def test_last_used_is_written_at_most_once_a_minute(facilitator):
    secret = token_for(facilitator)
    token = db.session.scalar(select(ApiToken))
    first = utcnow()
    assert tokens.token_for(secret, first).user == facilitator
    tokens.token_for(secret, first + tokens.LAST_USED_PRECISION / 2)
    assert token.last_used_at == first
    later = first + tokens.LAST_USED_PRECISION
    tokens.token_for(secret, later)
    assert token.last_used_at == later


# ---- what a token doesn't open ------------------------------------------------------------

def test_a_monitors_head_request_is_answered_as_its_get(api, facilitator, cohort):
    """HEAD is GET without the body (uptime monitors send it); a token counts for it under
    /api/ as for GET, and for nothing that changes anything."""
    secret = token_for(facilitator)
    head = api.head(api_url(cohort), headers=bearer(secret))
    assert head.status_code == 200 and head.is_json and not head.get_data()
    assert api.head(api_url(cohort), headers=bearer("cat_" + "x" * 40)).status_code == 404
    assert api.head("/account/profile", headers=bearer(secret)).status_code == 302  # not /api/


def test_a_token_doesnt_send_forms(api, facilitator, cohort):
    secret = token_for(facilitator)
    name = facilitator.name
    response = api.post("/account/profile", data={"name": "Taken over", "about": ""},
                        headers=bearer(secret))
    assert response.status_code == 302 and "/account/login" in response.location
    db.session.refresh(facilitator)
    assert facilitator.name == name

    response = api.post("/reports/tokens", data={"name": "made by a token"},
                        headers=bearer(secret))
    assert response.status_code == 302 and "/account/login" in response.location
    assert count_tokens() == 1

    token = db.session.scalar(select(ApiToken))
    response = api.post(f"/reports/tokens/{token.id}/revoke", data={"confirm": "yes"},
                        headers=bearer(secret))
    assert response.status_code == 302 and "/account/login" in response.location
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_token_doesnt_post_to_the_api_either(api, facilitator, cohort):
    secret = token_for(facilitator)
    response = api.post(api_url(cohort), headers=bearer(secret))
    assert response.status_code in (404, 405) and response.is_json


@pytest.mark.parametrize("path", ["/reports/tokens", "/reports/", "/cohorts/{id}",
                                  "/cohorts/{id}/progress", "/facilitate/",
                                  "/facilitate/cohorts/{id}", "/account/profile"])
def test_a_token_doesnt_log_in_to_pages(api, facilitator, cohort, path):
    secret = token_for(facilitator)
    response = api.get(path.format(id=cohort.id), headers=bearer(secret))
    # Logged out: sent to log in (or, for a page that isn't there, not found), never shown.
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 302:
        assert "/account/login" in response.location
    assert facilitator.name not in response.get_data(as_text=True)
