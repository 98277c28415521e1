"""Nothing typed is lost: a post sent after the session ended or with a stale form comes back with
its text; a double click or a resent form stores the post once."""

import html
import re
import secrets
import string
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, login
from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.discussions.models import Post, Thread
from course_app.drafts import FIELDS, KEPT_MESSAGE
from course_app.extensions import db

TITLE = "Ana from the council press office"
BODY = "I spent twenty minutes on this.\n\nIt has **two** paragraphs & a <tag>."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def textarea(response, name="body") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', text(response),
                      re.S)
    assert match, f"no textarea {name!r}"
    return match.group(1)


def input_value(response, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    assert tag, f"no input named {name!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def csrf_token(response) -> str:
    return input_value(response, "csrf_token")


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Thread.id))),
            db.session.scalar(select(func.count(Post.id))))


def log_in_at(client, url: str, user) -> str:
    """Log in on the login page at `url` (which may carry `next`); returns where it sends you."""
    response = client.post(url, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.fixture
def place(factory):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort, name="Ana"), factory.learner_in(cohort, name="Ben")
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    bens = services.start_thread(cohort, etivity, ben, "Ben's hello", "Hello from Ben", utcnow())
    db.session.commit()
    return cohort, ana, ben, bens


# ---- the session ended ---------------------------------------------------------

def test_new_piece_sent_after_the_session_ended_comes_back_after_login(client, place):
    cohort, ana, _ben, _bens = place
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    before = counts()
    response = client.post(page, data={"title": TITLE, "body": BODY,
                                       "submission_key": "a" * 32, "csrf_token": "secret"})
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/account/login"
    assert parse_qs(urlsplit(login_url).query)["next"] == [page + "#start"]
    assert counts() == before
    with client.session_transaction() as session:
        kept = session["drafts"][page]
        assert set(kept) <= set(FIELDS) and "csrf_token" not in kept

    login_page = text(client.get(login_url))
    assert "Your session had ended" in login_page
    target = log_in_at(client, login_url, ana)
    assert target == page + "#start"
    response = client.get(target)
    assert response.status_code == 200
    assert KEPT_MESSAGE in text(response)
    assert input_value(response, "title") == TITLE
    assert textarea(response) == BODY
    assert input_value(response, "submission_key") == "a" * 32
    # Handed back once: the next visit shows an empty form.
    again = client.get(page)
    assert KEPT_MESSAGE not in text(again) and textarea(again) == ""
    # Sending it now stores it.
    client.post(page, data={"title": TITLE, "body": BODY, "submission_key": "a" * 32})
    assert counts() == (before[0] + 1, before[1] + 1)


def test_reply_sent_after_logging_out_elsewhere_comes_back_to_the_right_post(client, place):
    cohort, ana, ben, bens = place
    login(client, ana)
    client.post("/account/logout")  # e.g. logged out in another tab
    url = f"/cohorts/{cohort.id}/threads/{bens.id}"
    parent = bens.posts[0].id
    response = client.post(url, data={"body": BODY, "parent_id": str(parent)})
    assert response.status_code == 302
    next_url = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    assert next_url == f"{url}?reply_to={parent}#reply-form"
    target = log_in_at(client, response.headers["Location"], ana)
    response = client.get(target)
    assert KEPT_MESSAGE in text(response)
    assert textarea(response) == BODY
    assert input_value(response, "parent_id") == str(parent)
    assert "Replying to <strong>Ben</strong>" in text(response)


def test_edit_sent_after_the_session_ended_comes_back(client, place):
    cohort, _ana, ben, bens = place
    url = f"/cohorts/{cohort.id}/posts/{bens.posts[0].id}/edit"
    response = client.post(url, data={"body": BODY})
    target = log_in_at(client, response.headers["Location"], ben)
    assert target == url + "#edit-form"
    response = client.get(target)
    assert KEPT_MESSAGE in text(response) and textarea(response) == BODY
    db.session.expire_all()
    assert db.session.get(Post, bens.posts[0].id).body == "Hello from Ben"


def test_a_draft_too_big_for_the_cookie_is_shown_to_copy(client, place):
    cohort, _ana, _ben, _bens = place
    # Random letters hardly compress: this can't fit in a session cookie.
    body = "".join(secrets.choice(string.ascii_letters) for _ in range(9000))
    response = client.post(f"/cohorts/{cohort.id}/e/introduce-yourself",
                           data={"title": TITLE, "body": body})
    assert response.status_code == 401
    page = text(response)
    assert "What you wrote has not been sent yet" in page
    assert body in page and TITLE in page
    assert "log in" in page
    with client.session_transaction() as session:
        assert "drafts" not in session


def test_delete_after_the_session_ended_just_asks_to_log_in(client, place):
    cohort, _ana, _ben, bens = place
    response = client.post(f"/cohorts/{cohort.id}/posts/{bens.posts[0].id}/withdraw")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Post, bens.posts[0].id).deleted_at is None


# ---- a stale form (CSRF) ---------------------------------------------------------

@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def csrf_login(client, user):
    token = csrf_token(client.get("/account/login"))
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                                   "csrf_token": token})
    assert response.status_code == 302


def test_stale_form_keeps_the_text(csrf_client, place):
    cohort, ana, _ben, _bens = place
    csrf_login(csrf_client, ana)
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    before = counts()
    response = csrf_client.post(page, data={"title": TITLE, "body": BODY,
                                            "csrf_token": "stale-token",
                                            "submission_key": "b" * 32})
    assert response.status_code == 302
    assert response.headers["Location"] == page + "#start"
    assert counts() == before
    response = csrf_client.get(page)
    assert "That form had expired" in text(response)
    assert KEPT_MESSAGE in text(response)
    assert input_value(response, "title") == TITLE and textarea(response) == BODY

    # Sent again from the page, with its fresh token, it is stored.
    response = csrf_client.post(page, data={"title": TITLE, "body": BODY,
                                            "csrf_token": csrf_token(response),
                                            "submission_key": "b" * 32})
    assert response.status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1)


def test_missing_token_on_a_reply_keeps_the_text(csrf_client, place):
    cohort, ana, _ben, bens = place
    csrf_login(csrf_client, ana)
    url = f"/cohorts/{cohort.id}/threads/{bens.id}"
    response = csrf_client.post(url, data={"body": BODY})
    assert response.status_code == 302
    assert response.headers["Location"] == url + "#reply-form"
    assert textarea(csrf_client.get(url + "?page=1")) == BODY


def test_lost_session_cookie_with_csrf_sends_to_login_with_the_text(csrf_client, make_app, place):
    cohort, ana, _ben, _bens = place
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    response = csrf_client.post(page, data={"title": TITLE, "body": BODY, "csrf_token": "old"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
    login_page = csrf_client.get(response.headers["Location"])
    csrf_client.post(response.headers["Location"], data={
        "email": ana.email, "password": PASSWORD, "csrf_token": csrf_token(login_page)})
    response = csrf_client.get(page)
    assert KEPT_MESSAGE in text(response) and textarea(response) == BODY


def test_stale_form_elsewhere_keeps_the_plain_error_page(csrf_client, place):
    cohort, ana, _ben, bens = place
    csrf_login(csrf_client, ana)
    response = csrf_client.post(f"/cohorts/{cohort.id}/posts/{bens.posts[0].id}/withdraw",
                                data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "This form had expired" in text(response)


# ---- sent twice ----------------------------------------------------------------

def test_double_submit_of_a_new_piece_stores_it_once(client, place, login_as):
    cohort, ana, _ben, _bens = place
    login_as(ana)
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    key = input_value(client.get(page), "submission_key")
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    before = counts()
    data = {"title": TITLE, "body": BODY, "submission_key": key}
    first, second = client.post(page, data=data), client.post(page, data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == (before[0] + 1, before[1] + 1)
    # A fresh form gets a fresh key.
    assert input_value(client.get(page), "submission_key") != key


def test_double_submit_of_a_reply_stores_it_once(client, place, login_as):
    cohort, ana, _ben, bens = place
    login_as(ana)
    url = f"/cohorts/{cohort.id}/threads/{bens.id}"
    key = input_value(client.get(url + "?page=1"), "submission_key")
    before = counts()
    first = client.post(url, data={"body": BODY, "submission_key": key})
    second = client.post(url, data={"body": BODY, "submission_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == (before[0], before[1] + 1)


def test_a_form_with_errors_keeps_its_key(client, place, login_as):
    cohort, ana, _ben, _bens = place
    login_as(ana)
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    response = client.post(page, data={"title": "", "body": BODY, "submission_key": "c" * 32})
    assert response.status_code == 400
    assert input_value(response, "submission_key") == "c" * 32
    assert textarea(response) == BODY


def test_a_post_from_another_site_is_not_kept(csrf_client, client, place):
    cohort, _ana, _ben, _bens = place
    page = f"/cohorts/{cohort.id}/e/introduce-yourself"
    forged = {"title": "Planted", "body": "Send this to everyone"}
    response = csrf_client.post(page, data=forged, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    response = client.post(page, data=forged,
                           headers={"Referer": "https://evil.example/form.html"})
    assert response.status_code == 302  # just "please log in", with nothing kept
    for c in (csrf_client, client):
        with c.session_transaction() as session:
            assert "drafts" not in session
    # From our own pages, it is kept.
    response = client.post(page, data=forged, headers={"Origin": "http://localhost"})
    with client.session_transaction() as session:
        assert session["drafts"][page]["body"] == "Send this to everyone"
