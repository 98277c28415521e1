"""Bad input gets a clear 4xx, never a 500, and nothing is stored half-way (issue 11,
"every bad input"). Each finding of the issue is tried again here, on SQLite and, when
TEST_DATABASE_URL names one, PostgreSQL: ids beyond the database's integer range in every
kind of route, page=10^20, reply_to/parent_id out of range, NUL in a login email, a path and
a post, dates near 9999-12-31, posts and titles of zero-width characters only, a 20 MB form
and a multipart body over the limit. The rules themselves: tests/unit/test_input_rules.py.
"""

import hashlib
import html
import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, login
from course_app.cohorts.models import Cohort
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from course_app.inputs import DbIntConverter

TOO_BIG = [2**31, 2**63, 10**20]
NUL = "\x00"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def snapshot() -> str:
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def page_text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


@pytest.fixture
def as_facilitator(client, rich):
    login(client, rich.people["facilitator"])
    return rich.people["facilitator"]


@pytest.fixture
def as_learner(client, rich):
    login(client, rich.people["learner"])
    return rich.people["learner"]


# ---- ids and pages beyond the database's range ---------------------------------------

def id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items()
                if isinstance(conv, DbIntConverter)]
        if ints:
            yield rule, ints


@pytest.mark.parametrize("too_big", TOO_BIG)
def test_ids_beyond_the_database_are_not_found_on_every_route(app, client, rich,
                                                              as_facilitator, too_big):
    """As the cohort's facilitator (who may open everything), every id argument of every
    route, GET and POST: 404, and nothing changes."""
    before = snapshot()
    tried = 0
    for rule, ints in id_routes(app):
        for name in ints:
            url = rich.url_for(rule, **{name: too_big})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method, data={"body": "x"})
                assert response.status_code == 404, (method, url, response.status_code)
                tried += 1
    assert tried >= 40
    db.session.rollback()
    assert snapshot() == before


@pytest.mark.parametrize("too_big", TOO_BIG)
def test_the_api_answers_404_json_for_ids_beyond_the_database(client, too_big):
    response = client.get(f"/api/v1/cohorts/{too_big}/progress")
    assert response.status_code == 404
    assert response.is_json and response.json["error"]


PAGED = ["notifications.index", "discussions.thread", "facilitate.invites", "facilitate.people",
         "facilitate.audit", "facilitate.waiting", "facilitate.reading", "facilitate.home",
         "facilitate.finished", "facilitate.removed", "facilitate.weave",
         "facilitate.changes", "reports.dashboard",
         "reports.index", "reports.compare", "reports.etivity", "reports.learner"]


@pytest.mark.parametrize("page, shown", [(10**20, False), (2**31, False), (2**63, False),
                                         (-5, True), ("x", True), (2, True)])
def test_page_numbers_on_every_paginated_list(app, client, rich, as_facilitator, page, shown):
    """A page no list could have is 404; odd values show the list (a thread without a page
    number opens at the first unread post: a redirect)."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint in PAGED:
        response = client.get(rich.url_for(rules[endpoint]), query_string={"page": page})
        expected = (200, 302) if shown else (404,)
        assert response.status_code in expected, (endpoint, page, response.status_code)


def test_every_paginated_view_reads_its_page_through_page_arg():
    """One helper for ?page= (inputs.page_arg): no view reads the raw value itself."""
    root = Path(__file__).resolve().parents[2] / "course_app"
    raw = [str(p) for p in root.rglob("*.py")
           if 'args.get("page"' in p.read_text() and p.name != "inputs.py"]
    assert raw == []


@pytest.mark.parametrize("too_big", TOO_BIG)
def test_reply_to_beyond_the_database_is_ignored(client, rich, as_learner, too_big):
    response = client.get(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                          query_string={"reply_to": too_big, "page": 1})
    assert response.status_code == 200


@pytest.mark.parametrize("parent_id", [str(2**31), str(2**63), str(10**20), "0"])
def test_a_parent_beyond_the_database_is_refused_and_nothing_stored(client, rich, as_learner,
                                                                    parent_id):
    before = count(Post)
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": "My answer", "parent_id": parent_id})
    assert response.status_code == 400
    assert "That post is not in this conversation." in page_text(response)
    assert "My answer" in page_text(response)  # what was typed is still in the form
    assert count(Post) == before


def test_a_notification_id_beyond_the_database_marks_nothing(client, rich, as_learner):
    response = client.post("/notifications/read", data={"notification_id": str(10**20)})
    assert response.status_code == 302


# ---- control characters ------------------------------------------------------------

def test_nul_in_a_login_email_is_refused_with_a_message(client, rich):
    response = client.post("/account/login", data={
        "email": f"ana{NUL}@example.org", "password": PASSWORD})
    assert response.status_code == 400
    text = page_text(response)
    assert "U+0000 (NUL)" in text and "“email”" in text
    assert PASSWORD not in text  # a form with a password is never echoed


@pytest.mark.parametrize("path", ["/courses/engaging%00online", "/cohorts/1/e/intro%00",
                                  "/invite/abc%00def", "/reports/courses/x%1b/compare",
                                  "/static/css/app%00.css", "/no%00where"])
def test_a_control_character_in_a_path_is_refused(client, rich, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "the address" in page_text(response)


@pytest.mark.parametrize("query", [{"piece": f"Tips{NUL}"}, {f"x{NUL}": "1"},
                                   {"next": "/\x1b[2J"}])
def test_a_control_character_in_a_query_string_is_refused(client, rich, as_learner, query):
    response = client.get(f"/cohorts/{rich.cohort.id}/e/introduce-yourself", query_string=query)
    assert response.status_code == 400


def test_nul_in_a_post_is_refused_nothing_is_stored_and_the_text_comes_back(client, rich,
                                                                            as_learner):
    before = snapshot()
    url = f"/cohorts/{rich.cohort.id}/e/introduce-yourself"
    response = client.post(url, data={"title": "My piece", "body": f"Line one{NUL} and two\n"
                                                                     "second line"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "U+0000 (NUL)" in text and "“body”" in text
    assert NUL not in text
    assert "Line one and two" in text  # shown back, without the NUL, to send again
    db.session.rollback()
    assert snapshot() == before
    # ... and the form has it too when the writer goes back.
    again = client.get(url)
    assert "Line one and two" in again.get_data(as_text=True)


@pytest.mark.parametrize("field, value", [("title", "Hello\x1bworld"), ("title", f"A{NUL}"),
                                          ("body", "bell\x07"), ("body", "del\x7f")])
def test_other_control_characters_in_a_new_thread_are_refused(client, rich, as_learner,
                                                              field, value):
    data = {"title": "A title", "body": "Some words", field: value}
    before = count(Thread)
    response = client.post(f"/cohorts/{rich.cohort.id}/e/introduce-yourself", data=data)
    assert response.status_code == 400
    assert count(Thread) == before


def test_tabs_and_line_breaks_in_a_post_are_text(client, rich, as_learner):
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": "col\tcol\r\nnext line"})
    assert response.status_code == 302
    assert db.session.scalar(select(Post).order_by(Post.id.desc()).limit(1)).body \
        == "col\tcol\r\nnext line"


def test_a_control_character_in_a_field_name_is_refused(client, rich, as_learner):
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": "fine", f"evil{NUL}": "x"})
    assert response.status_code == 400


def test_refused_input_is_in_the_security_log(client, rich, caplog):
    with caplog.at_level("WARNING", logger="course_app.security"):
        client.get("/courses/a%00b")
    assert any("event=input.refused" in r.getMessage() for r in caplog.records)


# ---- text with nothing visible ------------------------------------------------------

@pytest.mark.parametrize("title, body, message", [
    (ZERO_WIDTH, "Real words", "Give your conversation a title."),
    ("A title", ZERO_WIDTH + " \u3000", "Write something before you send it."),
    ("\u3164", "\u2800", "Give your conversation a title."),
])
def test_posts_and_titles_of_invisible_characters_are_empty(client, rich, as_learner, title,
                                                            body, message):
    before = count(Thread), count(Post)
    response = client.post(f"/cohorts/{rich.cohort.id}/e/introduce-yourself",
                           data={"title": title, "body": body})
    assert response.status_code == 400
    assert message in page_text(response)
    assert (count(Thread), count(Post)) == before


def test_a_reply_or_an_edit_of_invisible_characters_is_empty(client, rich, as_learner):
    before = count(Post)
    url = f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}"
    response = client.post(url, data={"body": ZERO_WIDTH})
    assert response.status_code == 400 and "Write something" in page_text(response)
    edit = client.post(f"/cohorts/{rich.cohort.id}/posts/{rich.ids['post_id']}/edit",
                       data={"body": "\u200b"})
    assert edit.status_code == 400 and "Write something" in page_text(edit)
    assert count(Post) == before
    assert db.session.get(Post, rich.ids["post_id"]).body == "Welcome, Pat"


def test_names_of_invisible_characters_are_empty(client, rich):
    response = client.post("/account/register", data={
        "email": "new@example.org", "name": "\u200b\u200b", "password": PASSWORD,
        "confirm": PASSWORD})
    assert response.status_code == 400
    assert "Enter the name other people will see." in page_text(response)
    login(client, rich.people["learner"])
    response = client.post("/account/profile", data={"name": "\ufeff", "about": ""})
    assert response.status_code == 400
    assert db.session.get(type(rich.people["learner"]), rich.people["learner"].id).name \
        == "Lee Learner"


def test_a_cohort_name_of_invisible_characters_is_empty(client, rich, as_facilitator):
    response = client.post("/facilitate/cohorts/new", data=cohort_form(rich, name="\u200b"))
    assert response.status_code == 400
    assert count(Cohort) == 2


# ---- dates ----------------------------------------------------------------------------

def cohort_form(rich, **changes) -> dict:
    return {"course": str(rich.cohort.course_id), "name": "Autumn", "starts_on": "2027-09-06",
            "capacity": "", "silent_days": "5", **{f"release_{n}": "" for n in range(1, 6)},
            **changes}


@pytest.mark.parametrize("changes", [
    {"starts_on": "9999-12-31"}, {"starts_on": "9999-12-25", "paced": "y"},
    {"starts_on": "1999-12-31"},
    {"paced": "y", "release_1": "2027-09-06", "release_2": "2027-09-13",
     "release_3": "2027-09-20", "release_4": "2027-09-27", "release_5": "9999-12-31"},
    {"starts_on": "9999-12-31", "suggest": "1"},
])
def test_dates_near_the_end_of_time_are_refused_in_a_new_cohort(client, rich, as_facilitator,
                                                                changes):
    response = client.post("/facilitate/cohorts/new", data=cohort_form(rich, **changes))
    assert response.status_code in (200, 400)  # "suggest" re-shows the form
    assert "Enter a date between 2000 and 2100" in page_text(response)
    assert count(Cohort) == 2


def test_dates_near_the_end_of_time_are_refused_in_settings(client, rich, as_facilitator):
    url = f"/facilitate/cohorts/{rich.cohort.id}/settings"
    data = {"name": "Cohort A", "starts_on": "9999-12-31", "capacity": "", "silent_days": "5",
            "welcome_message": ""}
    for changes in ({}, {"suggest": "1"}):
        response = client.post(url, data={**data, **changes})
        assert response.status_code in (200, 400)
        assert "Enter a date between 2000 and 2100" in page_text(response)
    assert db.session.get(Cohort, rich.cohort.id).starts_on is None


# ---- numbers stored before course content had a most ----------------------------------

def test_days_stored_before_they_had_a_most_never_give_a_500(client, factory, course,
                                                             facilitator):
    """Course content keeps every day within DAY_MAX now (tests/unit/test_content.py); rows
    stored before that still draw: a first post day of 999999999 once made every learner's
    page a 500, and a stage's suggested days that large stopped a paced cohort opening."""
    from datetime import date, timedelta

    from course_app.courses.models import Etivity

    welcome = db.session.scalar(select(Etivity).where(Etivity.course_id == course.id,
                                                      Etivity.slug == "welcome"))
    welcome.first_post_day = welcome.replies_day = 999_999_999
    welcome.moderator_days = [{"day": 999_999_999, "note": "Much later."}]
    course.stages[0].suggested_days = 999_999_999
    db.session.flush()
    cohort = factory.cohort(course=course, facilitator=facilitator, paced=True,
                            starts_on=date.today() - timedelta(days=3))
    learner = factory.learner_in(cohort)
    db.session.commit()
    login(client, learner)
    for url in (f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/e/welcome"):
        assert client.get(url).status_code == 200, url
    client.post("/account/logout")
    login(client, facilitator)
    for url in (f"/facilitate/cohorts/{cohort.id}/calendar", f"/cohorts/{cohort.id}"):
        assert client.get(url).status_code == 200, url


# ---- size ------------------------------------------------------------------------------

def test_a_20_mb_form_is_refused_unread_and_not_echoed(client, rich):
    huge = "x" * (20 * 1024 * 1024)
    response = client.post("/account/login", data={"email": huge, "password": "p"})
    assert response.status_code == 413
    text = page_text(response)
    assert "1 MB at most" in text and "nothing was saved" in text
    assert len(response.get_data()) < 50_000


def test_a_post_over_the_limit_says_plainly_the_text_cant_be_given_back(client, rich,
                                                                        as_learner):
    before = count(Post)
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": "y" * 2_000_000})
    assert response.status_code == 413
    text = page_text(response)
    assert "we can't give your text back from here" in text
    assert "go back in your browser" in text
    assert len(response.get_data()) < 50_000
    assert count(Post) == before


def test_a_multipart_body_over_the_limit_gets_the_friendly_413(client, rich, as_facilitator):
    import io

    response = client.post(f"/facilitate/cohorts/{rich.cohort.id}/invites",
                           data={"emails": "", "csv_file": (io.BytesIO(b"a" * 1_500_000),
                                                            "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than this site accepts" in page_text(response)
    assert 'class="site-header' in response.get_data(as_text=True)  # our page, styled


def test_a_multipart_post_under_the_limit_but_over_werkzeugs_default_is_read(client, rich,
                                                                            as_learner):
    """Werkzeug refuses multipart fields over 500 KB by default; MAX_FORM_MEMORY_SIZE follows
    MAX_CONTENT_LENGTH, so a 600 KB post is read and gets the post's own message."""
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": "z" * 600_000}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Posts can be up to 10,000 characters" in page_text(response)


def test_a_long_post_after_the_session_ended_is_not_echoed_back(client, rich):
    """Drafts keep what fits and show back at most drafts.ECHO_LIMIT characters."""
    words = secrets.token_hex(150_000)  # doesn't compress into the session cookie
    response = client.post(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                           data={"body": words})
    assert response.status_code == 401
    assert "too long for us to keep" in page_text(response)
    assert len(response.get_data()) < 50_000


# ---- odd values in every field and query parameter ------------------------------------

ODD = ["²", "9" * 5000, "-1", "١٢", "1e3", " "]
FIELDS = ["reason", "to", "state", "target", "pinned", "locked", "name", "text", "body", "title",
          "group", "emails", "email", "role", "cited", "stage", "learner", "user_id", "etivity",
          "action", "confirm", "silent_days", "capacity", "expires_in_days", "course", "paced",
          "welcome_message", "who", "recipients", "template_used", "notification_id",
          "parent_id", "piece", "submission_key", "key", "next", "starts_on", "release_1",
          "current_password", "new_password", "password", "confirm_password", "about",
          "remember", "inactive", "template", "expires", "suggest"]
QUERY = ["page", "reply_to", "piece", "template", "new", "stage", "status", "level", "inactive",
         "sort", "order", "action", "interventions", "next", "who", "fmt"]


@pytest.mark.parametrize("who, odd", [("facilitator", odd) for odd in ODD]
                         + [(who, odd) for who in ("learner", "anonymous") for odd in ODD[:2]])
def test_odd_values_in_any_field_or_query_never_give_a_500(app, client, rich, who, odd):
    """Someone sends an odd value in every form field and query parameter any page reads, on
    every route (the cohort's facilitator may use nearly all of them): a 4xx, a page or a
    redirect, never a 5xx."""
    if rich.people[who] is not None:
        login(client, rich.people[who])
    skip = {"auth.logout", "auth.logout_everywhere", "static"}
    if db.engine.dialect.name == "sqlite":
        # /healthz takes no input; here it would truly answer 503, because this test's own
        # open transaction holds SQLite's write lock (test_database_trouble tries it properly).
        skip.add("main.healthz")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in skip:
            continue
        url = rich.url_for(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, query_string={q: odd for q in QUERY},
                                   data={f: odd for f in FIELDS} if method == "POST" else None)
            assert response.status_code < 500, (method, url, odd[:20], response.status_code)
            db.session.rollback()
