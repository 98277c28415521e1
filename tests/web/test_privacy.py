"""A learner takes their data away (a JSON download) and deletes their account: their posts
stay, as by "A former learner"; threads, reports and everyone else's progress stay as they
were (course_app/privacy)."""

import json
import re

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, login
from course_app.auth.models import ApiToken, LoginSession, User
from course_app.clock import utcnow
from course_app.cohorts.models import Invite
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, PostRead, PostRevision, Thread
from course_app.extensions import db
from course_app.facilitate import invites, moderation
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.feeds.models import CalendarFeed
from course_app.mailings import preferences as mailing_preferences
from course_app.mailings.models import EmailPreference
from course_app.notifications.models import Notification
from course_app.privacy.deletion import FORMER
from course_app.progress.standing import cohort_progress
from course_app.reports import queries


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ---- download ------------------------------------------------------------------------

def test_a_learner_downloads_their_data_as_json(client, rich, caplog):
    learner = rich.people["learner"]
    login(client, learner)
    assert "Download your data" in text_of(client.get("/account/profile"))
    with caplog.at_level("INFO", logger="course_app.security"):
        response = client.get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == learner.email
    assert data["profile"]["name"] == "Lee Learner"
    assert [p["text"] for p in data["posts"]] == ["Welcome, Pat"]
    cohort = data["cohorts"][0]
    assert cohort["cohort"] == "Cohort A" and cohort["role"] == "learner"
    etivity = next(e for e in cohort["progress"]["etivities"]
                   if e["etivity"] == "Introduce yourself")
    assert etivity["replied_to_peers"] == 1
    assert [n["text"] for n in data["notifications"]] == [
        "Pat Peer replied to your post in “Hello from A”."]
    assert len(data["logins"]) == 1
    assert data["email_choices"]["time_zone"] == "Europe/London"  # the default, until chosen
    assert data["calendar_links"] == []
    raw = response.get_data(as_text=True)
    assert learner.password_hash not in raw
    assert rich.peer.email not in raw  # nobody else's details
    assert "key_hash" not in raw and "token_hash" not in raw
    assert any("event=account.exported" in r.getMessage() for r in caplog.records)


def test_the_download_has_the_email_choices_and_calendar_links(client, rich):
    """Everything held: the email page's choices (with the time zone chosen there) and the
    calendar links made (when and for which cohort; never the secret address)."""
    from course_app.feeds import services as feeds

    learner = rich.people["learner"]
    chosen = mailing_preferences.stored(learner.id)
    chosen.time_zone, chosen.morning = "Pacific/Auckland", False
    _feed, secret = feeds.make_feed(learner, rich.cohort, utcnow())
    db.session.commit()
    login(client, learner)
    response = client.get("/account/data")
    data = json.loads(response.get_data(as_text=True))
    assert data["email_choices"]["time_zone"] == "Pacific/Auckland"
    assert data["email_choices"]["morning_email"] is False
    assert data["email_choices"]["digest"] == "weekly"
    assert [link["cohort"] for link in data["calendar_links"]] == ["Cohort A"]
    assert secret not in response.get_data(as_text=True)


def test_the_download_is_not_handed_to_a_page_loading_it_as_a_picture(client, rich, caplog):
    """<img src="/account/data"> in a post would download every reader's data: a fetch that
    is not a page opened (Sec-Fetch-Dest other than document) gets nothing, and nothing is
    logged as exported."""
    login(client, rich.people["learner"])
    with caplog.at_level("INFO", logger="course_app.security"):
        for dest in ("image", "empty", "iframe"):
            response = client.get("/account/data", headers={"Sec-Fetch-Dest": dest})
            assert response.status_code == 400
            assert "Content-Disposition" not in response.headers
    assert not any("event=account.exported" in r.getMessage() for r in caplog.records)
    opened = client.get("/account/data", headers={"Sec-Fetch-Dest": "document"})
    assert opened.status_code == 200 and opened.mimetype == "application/json"


def test_the_download_needs_a_login(client, rich):
    assert client.get("/account/data").headers["Location"].startswith("/account/login")


# ---- delete ---------------------------------------------------------------------------

@pytest.fixture
def busy_learner(rich):
    """The learner edits their reply, withdraws a second post, has a post hidden, was
    invited by email and got a facilitator's mark by hand: their name is in others' rows."""
    learner, facilitator = rich.people["learner"], rich.people["facilitator"]
    now = utcnow()
    thread = db.session.get(Thread, rich.ids["thread_id"])
    reply = db.session.get(Post, rich.ids["post_id"])
    discussions.edit_post(reply, learner, "Welcome, Pat! Lee here, from Leeds.", now)
    second = discussions.reply(thread, learner, "A second thought", now)
    discussions.delete_post(second, learner, now)
    third = discussions.reply(thread, learner, "Something rude", now)
    moderation.hide_post(rich.cohort, third, facilitator, "Please keep it kind", now)
    invites.invite_many(rich.cohort, facilitator, f"{learner.email}\nsomeone@example.org", now)
    mailing_preferences.unsubscribe(learner.id, "digest")  # their email choices
    db.session.add(CalendarFeed(token_hash="their-calendar", user_id=learner.id,
                                cohort_id=rich.cohort.id, created_at=now))
    reply_of_peer = discussions.reply(thread, rich.peer, "Nice to meet you", now, parent=reply)
    db.session.commit()
    return {"reply": reply.id, "withdrawn": second.id, "hidden": third.id,
            "peer_reply": reply_of_peer.id}


def figures(rich) -> dict:
    """What the cohort's reports say, for everyone but the learner who leaves."""
    db.session.expire_all()
    cohort, now = rich.cohort, utcnow()
    peer_standing = cohort_progress(cohort, now.date(), {rich.peer.id})[rich.peer.id]
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    report = queries.etivity_report(cohort, etivity)
    return {
        "peer totals": peer_standing.totals,
        "peer completions": sorted(p.etivity.id for p in peer_standing.etivities if p.completion),
        "posts": db.session.scalar(select(func.count()).select_from(Post)),
        "threads": db.session.scalar(select(func.count()).select_from(Thread)),
        "etivity report": (report.participants, report.completed, report.threads, report.posts,
                           report.replies, report.reply_pairs),
    }


def test_deleting_an_account_asks_for_the_password_first(client, rich, busy_learner):
    learner = rich.people["learner"]
    login(client, learner)
    page = text_of(client.get("/account/delete"))
    assert "What deleting does" in page and "A former learner" in page
    response = client.post("/account/delete", data={"password": "not my password"})
    assert response.status_code == 400
    assert "That is not your password." in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, learner.id).deleted_at is None
    assert client.get("/account/profile").status_code == 200  # still logged in


def test_deleting_an_account_keeps_the_conversation_and_everyone_elses_counts(
        client, rich, busy_learner, caplog):
    learner = rich.people["learner"]
    old_email, user_id = learner.email, learner.id
    before = figures(rich)
    learner_rows_before = {r.user.id for r in queries.dashboard(rich.cohort, utcnow()).rows}
    assert user_id in learner_rows_before

    login(client, learner)
    cookie_copy = client.get_cookie("session").value
    with caplog.at_level("INFO", logger="course_app.security"):
        response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert any("event=account.deleted" in r.getMessage() for r in caplog.records)

    # Logged out, for good: the page, the old cookie, the old password.
    assert client.get("/account/profile").status_code == 302
    client.set_cookie("session", cookie_copy)
    assert client.get("/account/profile").status_code == 302
    response = client.post("/account/login", data={"email": old_email, "password": PASSWORD})
    assert response.status_code == 401

    # The row stays, emptied of who they were.
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.name == FORMER and user.about == "" and user.deleted_at is not None
    assert user.email.endswith("@deleted.invalid") and not user.is_active
    assert not user.check_password(PASSWORD)
    # What only they used is gone.
    for model in (LoginSession, ApiToken, PostRead, Notification, EmailPreference,
                  CalendarFeed):
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.user_id == user_id)) == 0, model
    # Their posts stay in the threads; withdrawn text and earlier versions are gone.
    assert db.session.get(Post, busy_learner["reply"]).body == "Welcome, Pat! Lee here, from Leeds."
    assert db.session.get(Post, busy_learner["withdrawn"]).body == ""
    assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 0
    # They left the cohort; the reports no longer list them, and nobody else's figures moved.
    assert not membership_of(rich.cohort.id, user_id).active
    assert user_id not in {r.user.id for r in queries.dashboard(rich.cohort, utcnow()).rows}
    assert figures(rich) == before
    # Their name is gone from others' records too.
    summaries = " ".join(db.session.scalars(select(AuditEntry.summary)))
    assert "Lee Learner" not in summaries and f"Hid a post by {FORMER}" in summaries
    details = json.dumps([e.detail for e in db.session.scalars(select(AuditEntry))])
    assert old_email not in details
    assert db.session.scalar(select(func.count()).select_from(Invite)
                             .where(Invite.email == old_email)) == 0
    notes = [n.text for n in db.session.scalars(select(Notification))]
    assert not any("Lee Learner" in n for n in notes)

    # The thread reads as before, by "A former learner".
    login(client, rich.peer)
    page = text_of(client.get(f"/cohorts/{rich.cohort.id}/threads/{rich.ids['thread_id']}",
                              query_string={"page": 1}))
    assert FORMER in page and "Lee here, from Leeds." in page
    assert "Lee Learner" not in page


def test_staff_accounts_cant_be_deleted_here(client, rich):
    facilitator = rich.people["facilitator"]
    login(client, facilitator)
    assert "can't be deleted here" in text_of(client.get("/account/delete"))
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, facilitator.id).deleted_at is None


def test_a_learner_who_co_facilitates_a_cohort_cant_delete_their_account(client, rich):
    from course_app.cohorts.models import MemberRole
    from course_app.cohorts.services import add_member

    learner = rich.people["other learner"]
    add_member(rich.cohort, learner, MemberRole.FACILITATOR, utcnow())
    db.session.commit()
    login(client, learner)
    assert "can't be deleted here" in text_of(client.get("/account/delete"))
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 403


def test_a_deleted_account_cant_be_turned_back_on(runner, rich):
    from course_app.privacy.deletion import anonymise

    learner = rich.people["learner"]
    anonymise(learner, utcnow())
    db.session.commit()
    result = runner.invoke(args=["user", "enable", learner.email])
    assert result.exit_code == 1
    assert "deleted by its owner" in result.output


def test_consent_to_be_named_on_a_toolkit_is_in_the_download_and_goes_with_the_account(
        client, rich):
    from course_app.toolkit import services as toolkit
    from course_app.toolkit.models import ToolkitConsent
    learner = rich.people["learner"]
    toolkit.set_consent(rich.cohort, learner, True, utcnow())
    db.session.commit()
    login(client, learner)
    data = json.loads(client.get("/account/data").get_data(as_text=True))
    assert data["cohorts"][0]["named_on_the_public_toolkit_since"] is not None
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ToolkitConsent).where(
        ToolkitConsent.user_id == learner.id)) == 0


def test_deleting_an_account_takes_their_name_out_of_the_nudges_sent_to_them(client, rich,
                                                                           factory):
    """A nudge's audit line names up to five of the learners it went to, with no target:
    the line is written again from the ids it keeps, and the message loses their name."""
    from course_app.facilitate import nudges

    learner, facilitator = rich.people["learner"], rich.people["facilitator"]
    cohort, peer, now = rich.cohort, rich.peer, utcnow()
    namesake = factory.learner_in(cohort, name="Lee Learnerson")
    nudges.nudge(cohort, facilitator, [learner, peer, namesake], "Hi {name}", now,
                 group="every learner")
    nudges.nudge(cohort, facilitator, [learner], "Lee Learner, how are you getting on?", now)
    five = [factory.learner_in(cohort, name=f"Early {n}") for n in range(5)]
    nudges.nudge(cohort, facilitator, [*five, learner], "Hello {name}", now)
    db.session.commit()
    login(client, learner)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302

    login(client, facilitator)
    page = text_of(client.get(f"/facilitate/cohorts/{cohort.id}/audit",
                              query_string={"action": "nudge"}))
    assert "Lee Learner," not in page and "Lee Learner<" not in page
    assert ("Nudged 3 learners (every learner): A former learner, Pat Peer, Lee Learnerson"
            in page)
    assert "Nudged 1 learner: A former learner" in page
    assert "Nudged 6 learners: Early 0, Early 1, Early 2, Early 3, Early 4 and others" in page
    details = json.dumps([e.detail for e in db.session.scalars(select(AuditEntry))])
    assert "Lee Learner," not in details
    assert "A former learner, how are you getting on?" in details


def test_deleting_an_account_takes_their_name_out_of_a_nudge_as_a_whole_word(client, rich,
                                                                           factory):
    """The name goes where it stands as a word, never out of another word: "Sam" out of
    "Sample the Samba" read "A former learnerple the A former learnerba"."""
    from course_app.facilitate import nudges

    cohort, facilitator, now = rich.cohort, rich.people["facilitator"], utcnow()
    sam, zoe, al = (factory.learner_in(cohort, name=name) for name in ("Sam", "Zoë", "Al"))
    nudges.nudge(cohort, facilitator, [sam], "Sam, Sample the Samba: it's Sam's turn (Sam).",
                 now)
    nudges.nudge(cohort, facilitator, [zoe], "Zoë? Zoëlla and Zoë2 say hello, Zoë.", now)
    nudges.nudge(cohort, facilitator, [al], "Al, dinner al fresco? Al.", now)
    db.session.commit()
    for person in (sam, zoe, al):
        login(client, person)
        assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    texts = [entry.detail["text"] for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.cohort_id == cohort.id,
                                 AuditEntry.action == AuditAction.NUDGE)
        .order_by(AuditEntry.id))][-3:]
    assert texts == [
        f"{FORMER}, Sample the Samba: it's {FORMER}'s turn ({FORMER}).",
        f"{FORMER}? Zoëlla and Zoë2 say hello, {FORMER}.",
        "Al, dinner al fresco? Al.",  # too short a name to tell from a word: left
    ]
