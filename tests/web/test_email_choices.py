"""Email choices: the page, at once or in the digest, the digest and the facilitators' morning
email (who is due at 08:00 in their zone, what they say, nothing when nothing is new). Mail goes
to the development mailbox here (no MAIL_SERVER); tests/web/test_email_smtp.py uses SMTP."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.discussions.reading import post_path
from course_app.extensions import db
from course_app.facilitate.moderation import hide_post
from course_app.jobs import queue
from course_app.mail.models import MailboxMessage
from course_app.mailings import digests, preferences
from course_app.mailings.models import Delivery, DigestEvery
from course_app.notifications.models import NotificationKind
from course_app.notifications.services import notify
from learner_journey import field_error, start, text

MONDAY = date(2026, 11, 30)


def mailbox(to=None) -> list[MailboxMessage]:
    query = select(MailboxMessage).order_by(MailboxMessage.id)
    if to:
        query = query.where(MailboxMessage.to == to)
    return db.session.scalars(query).all()


@pytest.fixture
def people(factory, cohort, facilitator):
    ana = factory.learner_in(cohort, name="Ana Author", email="ana@example.org")
    ben = factory.learner_in(cohort, name="Ben Replier", email="ben@example.org")
    thread = start(cohort, ana, "introduce-yourself", title="Hello from Ana")
    db.session.commit()
    queue.huey.flush()
    return ana, ben, thread


def selected(response, name: str) -> str:
    """The chosen option of the select `name`."""
    field = re.search(rf'<select[^>]*name="{name}".*?</select>', response.get_data(as_text=True),
                      re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"', field).group(1)


def choose(user_id, **choices):
    chosen = preferences.stored(user_id)
    for name, value in choices.items():
        setattr(chosen, name, value)
    db.session.commit()


def test_the_page_shows_and_saves_the_choices(client, login_as, people):
    ana, _ben, _thread = people
    login_as(ana)
    page = client.get("/email")
    assert page.status_code == 200
    assert "<title>Email choices" in page.get_data(as_text=True)
    assert selected(page, "replies") == "now" and selected(page, "time_zone") == "Europe/London"
    response = client.post("/email", data={
        "replies": "digest", "messages": "now", "stages": "off", "digest": "daily",
        "time_zone": "America/New_York"})
    assert response.status_code == 302
    chosen = preferences.of(ana.id)
    assert (chosen.replies, chosen.stages, chosen.digest, chosen.time_zone) == (
        Delivery.DIGEST, Delivery.OFF, DigestEvery.DAILY, "America/New_York")
    assert "Your email choices are saved" in text(client.get("/email"))


def test_a_bad_choice_is_refused_and_the_rest_kept(client, login_as, people):
    ana, _ben, _thread = people
    login_as(ana)
    response = client.post("/email", data={
        "replies": "sometimes", "messages": "now", "stages": "now", "digest": "weekly",
        "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert field_error(response, "replies") == "Choose one of the options."
    assert "Choose a time zone from the list" in field_error(response, "time_zone")
    assert selected(response, "digest") == "weekly"
    assert db.session.get(preferences.EmailPreference, ana.id) is None


@pytest.mark.parametrize("collected,named", [
    (("replies", "messages", "stages"), "replies, messages and stage openings"),
    (("replies", "stages"), "replies and stage openings"),
    (("stages",), "stage openings"),
])
def test_collecting_for_a_digest_that_never_comes_is_refused(client, login_as, people,
                                                             collected, named):
    ana, _ben, _thread = people
    login_as(ana)
    sent = {"replies": "now", "messages": "off", "stages": "now", "digest": "never",
            "time_zone": "Asia/Tokyo", **{name: "digest" for name in collected}}
    response = client.post("/email", data=sent)
    assert response.status_code == 400
    assert field_error(response, "digest") == (
        f"You chose to collect {named} in your digest: choose how often it comes, or send "
        "them at once or not at all.")
    assert "There is a problem" in response.get_data(as_text=True)
    assert {name: selected(response, name) for name in sent} == sent  # what was chosen, kept
    assert db.session.get(preferences.EmailPreference, ana.id) is None  # nothing stored
    assert client.post("/email", data={**sent, "digest": "weekly"}).status_code == 302


def test_stopping_the_digest_from_its_link_turns_off_what_it_collected(client, people):
    ana, _ben, _thread = people
    choose(ana.id, replies=Delivery.DIGEST, stages=Delivery.DIGEST)
    token = preferences.unsubscribe_token(ana.id, "digest")
    assert client.post(f"/email/unsubscribe/{token}").status_code == 200
    chosen = preferences.of(ana.id)
    assert (chosen.replies, chosen.messages, chosen.stages, chosen.digest) == (
        Delivery.OFF, Delivery.NOW, Delivery.OFF, DigestEvery.NEVER)


def options(response, name: str) -> list[str]:
    field = re.search(rf'<select[^>]*name="{name}".*?</select>', response.get_data(as_text=True),
                      re.S).group(0)
    return re.findall(r'<option[^>]* value="([^"]*)"', field)


def test_the_time_zones_are_places_by_their_current_names(client, login_as, people):
    ana, _ben, _thread = people
    login_as(ana)
    page = client.get("/email")
    zones = options(page, "time_zone")
    assert zones == sorted(zones)
    assert {"Europe/London", "Europe/Kyiv", "Asia/Kolkata", "Asia/Ho_Chi_Minh", "UTC",
            "America/Argentina/Buenos_Aires"} <= set(zones)
    legacy = {"Factory", "localtime", "EST5EDT", "GB", "Etc/GMT+5", "US/Eastern",
              "Asia/Calcutta", "Europe/Kiev", "Asia/Saigon", "Asia/Rangoon",
              "America/Buenos_Aires"}
    assert not legacy & set(zones)
    assert all(z == "UTC" or "/" in z for z in zones) and len(zones) < 450
    assert ">America/Argentina/Buenos Aires</option>" in page.get_data(as_text=True)
    for name in ("localtime", "Factory", "Asia/Calcutta"):
        response = client.post("/email", data={
            "replies": "now", "messages": "now", "stages": "now", "digest": "weekly",
            "time_zone": name})
        assert response.status_code == 400, name
        assert field_error(response, "time_zone") == (
            "Choose a time zone from the list, like Europe/London.")
    assert db.session.get(preferences.EmailPreference, ana.id) is None
    assert zones == list(preferences.offered_zones())  # the one list, page and check alike


def test_a_zone_chosen_before_the_list_narrowed_stays_chosen(client, login_as, people):
    """Asia/Calcutta is an old name of Asia/Kolkata: whoever chose it keeps it (shown, and
    saved again as it is) until they pick another; nobody new can pick it."""
    ana, _ben, _thread = people
    choose(ana.id, time_zone="Asia/Calcutta")
    login_as(ana)
    page = client.get("/email")
    assert selected(page, "time_zone") == "Asia/Calcutta"
    assert "Asia/Kolkata" in options(page, "time_zone")
    response = client.post("/email", data={
        "replies": "now", "messages": "now", "stages": "now", "digest": "daily",
        "time_zone": "Asia/Calcutta"})
    assert response.status_code == 302
    assert preferences.of(ana.id).time_zone == "Asia/Calcutta"
    client.post("/email", data={"replies": "now", "messages": "now", "stages": "now",
                                "digest": "daily", "time_zone": "Asia/Kolkata"})
    assert preferences.of(ana.id).time_zone == "Asia/Kolkata"
    assert "Asia/Calcutta" not in options(client.get("/email"), "time_zone")  # once changed


def test_only_facilitators_are_offered_the_morning_email(client, login_as, people,
                                                          facilitator):
    ana, _ben, _thread = people
    choose(ana.id, morning=False)
    login_as(ana)
    page = client.get("/email")
    assert 'name="morning"' not in page.get_data(as_text=True)
    assert "morning email" not in text(page)
    client.post("/email", data={"replies": "now", "messages": "now", "stages": "now",
                                "digest": "weekly", "time_zone": "UTC", "morning": "y"})
    assert preferences.of(ana.id).morning is False  # kept as stored, whatever is sent
    choose(ana.id, morning=True)
    client.post("/email", data={"replies": "now", "messages": "now", "stages": "now",
                                "digest": "weekly", "time_zone": "UTC"})
    assert preferences.of(ana.id).morning is True

    login_as(facilitator)
    page = client.get("/email")
    assert "Facilitators: a morning email of what needs you today" in text(page)
    response = client.post("/email", data={"replies": "now", "messages": "now",
                                           "stages": "now", "digest": "weekly",
                                           "time_zone": "UTC"})  # the box left unticked
    assert response.status_code == 302
    assert preferences.of(facilitator.id).morning is False


def test_replies_collected_for_the_digest_go_in_it_once(people, cohort):
    ana, ben, thread = people
    choose(ana.id, replies=Delivery.DIGEST, digest=DigestEvery.DAILY)
    reply = discussions.reply(thread, ben, "Nice to meet you", utcnow())
    db.session.commit()
    queue.run_pending()
    assert mailbox("ana@example.org") == []  # not at once
    assert digests.send_digest(ana.id, MONDAY, utcnow()) is True
    [digest] = mailbox("ana@example.org")
    assert digest.subject == "Your daily course digest: 30 November 2026"
    link = f"http://course.test{post_path(cohort.id, thread.id, reply.id)}"
    assert "Ben Replier replied to your post in “Hello from Ana”." in digest.text
    assert link in digest.text and f'href="{link}"' in digest.html
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/email/unsubscribe/" in digest.headers["List-Unsubscribe"]
    assert digests.send_digest(ana.id, MONDAY, utcnow()) is False  # once a day
    assert len(mailbox("ana@example.org")) == 1


def test_no_digest_when_nothing_is_new(people):
    ana, _ben, _thread = people
    choose(ana.id, digest=DigestEvery.DAILY, last_digest_at=utcnow())
    assert digests.send_digest(ana.id, MONDAY, utcnow() + timedelta(minutes=1)) is False
    assert mailbox() == []


def test_the_digest_counts_new_shown_posts_in_open_etivities_only(people, cohort,
                                                                  facilitator):
    ana, ben, thread = people
    since = utcnow() + timedelta(minutes=1)  # after Ana's opening post
    later = since + timedelta(minutes=1)
    discussions.reply(thread, ben, "Shown reply", later)
    hidden = discussions.reply(thread, ben, "HIDDEN-WORDS", later)
    hide_post(cohort, hidden, facilitator, "Off topic", later)
    db.session.commit()
    outgoing = digests.digest_email(ben, since, MONDAY, DigestEvery.WEEKLY)
    assert outgoing is None  # Ben's own posts are not news to him
    outgoing = digests.digest_email(ana, since, MONDAY, DigestEvery.WEEKLY)
    assert "1 new post in “" in outgoing.text  # the hidden one is not counted
    assert "HIDDEN-WORDS" not in outgoing.text + outgoing.html
    assert "What to do next:" in outgoing.text


@pytest.mark.parametrize("zone,at,weekly_due,daily_due", [
    ("Europe/London", datetime(2026, 11, 30, 8, 5, tzinfo=UTC), True, True),  # Monday
    ("Europe/London", datetime(2026, 12, 1, 8, 5, tzinfo=UTC), False, True),  # Tuesday
    ("Europe/London", datetime(2026, 11, 30, 13, 5, tzinfo=UTC), False, False),
    ("America/New_York", datetime(2026, 11, 30, 13, 5, tzinfo=UTC), True, True),
    ("Asia/Kolkata", datetime(2026, 11, 30, 2, 35, tzinfo=UTC), True, True),
])
def test_digests_are_due_at_eight_in_the_persons_zone(people, zone, at, weekly_due,
                                                      daily_due):
    ana, _ben, _thread = people
    choose(ana.id, time_zone=zone, digest=DigestEvery.WEEKLY)
    assert (ana.id in dict(digests.due_digests(at))) == weekly_due
    choose(ana.id, digest=DigestEvery.DAILY)
    assert (ana.id in dict(digests.due_digests(at))) == daily_due
    choose(ana.id, digest=DigestEvery.NEVER)
    assert ana.id not in dict(digests.due_digests(at))


def test_the_morning_email_lists_what_needs_the_facilitator(people, cohort, facilitator):
    ana, _ben, thread = people
    at = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)
    assert dict(digests.due_mornings(at)).get(facilitator.id) == MONDAY
    assert digests.send_morning(facilitator.id, MONDAY, utcnow()) is True
    [morning] = mailbox(facilitator.email)
    assert morning.subject == "What needs you today, 30 November 2026"
    assert "First posts with no reply yet:" in morning.text
    assert f"{ana.name}: “Hello from Ana”" in morning.text
    assert f"http://course.test/cohorts/{cohort.id}/threads/{thread.id}" in morning.text
    assert "/email/unsubscribe/" in morning.headers["List-Unsubscribe"]
    assert mailbox("ana@example.org") == []
    choose(facilitator.id, morning=False)
    assert facilitator.id not in dict(digests.due_mornings(at))


def test_replies_off_means_no_email_but_still_the_notification(client, login_as, people):
    ana, ben, thread = people
    choose(ana.id, replies=Delivery.OFF)
    discussions.reply(thread, ben, "Hello Ana", utcnow())
    db.session.commit()
    queue.run_pending()
    assert mailbox("ana@example.org") == []
    login_as(ana)
    assert "Ben Replier replied" in text(client.get("/notifications"))  # still in the app


def test_the_morning_email_has_the_days_calendar(factory, course, facilitator):
    paced = factory.cohort(course=course, facilitator=facilitator, paced=True,
                           starts_on=MONDAY, name="Paced cohort")
    db.session.commit()
    outgoing = digests.morning_email(facilitator, MONDAY, utcnow())
    first_stage = course.stages[0].title
    assert "Today's calendar:" in outgoing.text
    assert f"Stage 1, {first_stage}, opens." in outgoing.text
    assert f"<li><p>Stage 1, {first_stage}, opens.</p>" in outgoing.html
    assert f"http://course.test/facilitate/cohorts/{paced.id}" in outgoing.text
    # A note says which e-tivity it is about, linked ("is pinned here" needs a "here"), in
    # plain words in the text part.
    noted = next(e for e in course.active_etivities if e.stage_number == 1 and any(
        d.get("day") == 1 for d in e.moderator_days or ()))
    link = f"http://course.test/cohorts/{paced.id}/e/{noted.slug}"
    line = next(x for x in outgoing.text.splitlines() if x.startswith(f"- {noted.title}: "))
    assert line.endswith(link) and "**" not in line and "Ground rules" in line
    assert f'<li><a href="{link}">{noted.title}</a>: <p>' in outgoing.html
    assert "<strong>Ground rules</strong>" in outgoing.html
    tomorrow = digests.morning_email(facilitator, MONDAY + timedelta(days=1), utcnow())
    assert tomorrow is None or "opens." not in tomorrow.text  # only that day's items


def test_a_stage_opening_and_a_facilitators_message_come_at_once(people, cohort):
    ana, _ben, _thread = people
    notify(ana.id, NotificationKind.STAGE_OPENED,
           f"Stage 2, Online socialisation, is open for you in {cohort.name}.", utcnow(),
           link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    notify(ana.id, NotificationKind.MESSAGE, "Fran wrote to you: How is it going?", utcnow(),
           link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    db.session.commit()
    assert queue.run_pending() == 2
    subjects = [m.subject for m in mailbox("ana@example.org")]
    assert subjects == [f"Stage 2, Online socialisation, is open for you in {cohort.name}",
                        f"Fran wrote to you ({cohort.name})"]
    choose(ana.id, stages=Delivery.DIGEST, messages=Delivery.OFF)
    notify(ana.id, NotificationKind.STAGE_OPENED, "Stage 3 is open.", utcnow(),
           cohort_id=cohort.id)
    notify(ana.id, NotificationKind.MESSAGE, "Fran wrote to you: Again?", utcnow(),
           cohort_id=cohort.id)
    db.session.commit()
    queue.run_pending()
    assert len(mailbox("ana@example.org")) == 2  # one waits for the digest, one is in-app only


def test_the_morning_email_dates_a_silent_learner_on_the_readers_calendar(factory, cohort,
                                                                           facilitator):
    """A facilitator in Los Angeles reads when a learner joined on their own calendar: 03:00
    UTC on 20 November is the evening of 19 November there (the email had said the 20th)."""
    from course_app.cohorts.services import membership_of

    quiet = factory.learner_in(cohort, name="Quinn Quiet")
    membership_of(cohort.id, quiet.id).joined_at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    choose(facilitator.id, time_zone="America/Los_Angeles")
    now = datetime(2026, 11, 30, 16, 5, tzinfo=UTC)
    outgoing = digests.morning_email(facilitator, now.date(), now)
    assert "Quinn Quiet (joined, no posts yet 19 November)" in outgoing.text
