"""Notifications: made by replies and opening stages, listed, counted in the header, marked read."""

import re
from datetime import timedelta

from sqlalchemy import select

from conftest import PASSWORD
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.discussions.reading import post_path
from course_app.extensions import db
from course_app.notifications.models import Notification, NotificationKind
from course_app.notifications.services import notify, unread_count
from learner_journey import finish_stage_1, start, text


def notifications_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def some(user, n=1, **kwargs) -> list[Notification]:
    start = utcnow() - timedelta(hours=n)
    made = [notify(user.id, kwargs.get("kind", NotificationKind.MESSAGE), f"Message {i + 1}",
                   start + timedelta(hours=i), link=kwargs.get("link", "/"))
            for i in range(n)]
    db.session.commit()
    return made


def test_notifications_need_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_empty_state(client, factory, login_as):
    login_as(factory.user())
    response = client.get("/notifications")
    body = response.get_data(as_text=True)
    assert "<title>Notifications" in body and "<h1>Notifications</h1>" in body
    assert ("Nothing new. When someone replies to you or a stage opens, you'll see it here."
            in text(response))


def test_a_reply_notifies_the_author_and_shows_on_the_page(client, factory, login_as):
    cohort = factory.cohort()
    author, replier = factory.learner_in(cohort), factory.learner_in(cohort, name="Rita Replier")
    thread = start(cohort, author, "introduce-yourself", title="Hello from me")
    post = discussions.reply(thread, replier, "Welcome!", utcnow())
    db.session.commit()
    [notification] = notifications_of(author)
    assert notification.kind == NotificationKind.REPLY
    assert notifications_of(replier) == []
    login_as(author)
    response = client.get("/notifications")
    page = text(response)
    assert "New Reply" in page
    assert "Rita Replier replied to your post in “Hello from me”." in page
    body = response.get_data(as_text=True)
    assert f'action="/notifications/{notification.id}/open"' in body
    assert "<time datetime=" in body
    assert notification.link == post_path(cohort.id, thread.id, post.id)  # opens at it


def test_finishing_a_stage_notifies_that_the_next_one_opened(factory):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    opened = [n for n in notifications_of(learner) if n.kind == NotificationKind.STAGE_OPENED]
    assert len(opened) == 1
    assert opened[0].text.startswith("Stage 2, Online socialisation, is open for you")
    assert opened[0].link == f"/cohorts/{cohort.id}"


def test_finishing_a_stage_before_the_next_is_due_says_the_day_it_opens(factory):
    now = utcnow()  # the posts on the start day, whatever the hour (not half an hour before)
    cohort = factory.cohort(paced=True, starts_on=now.date())
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer, at=now)
    db.session.commit()
    [notice] = [n for n in notifications_of(learner) if n.kind == NotificationKind.STAGE_OPENED]
    opens = cohort.release_date(2)  # a date in words has no leading zero: "5 January 2027"
    assert notice.text == (f"You have finished stage 1. Stage 2, Online socialisation, opens on "
                           f"{opens.day} {opens:%B %Y}.")


def test_header_shows_the_unread_count(client, factory, login_as):
    user = factory.user()
    some(user, 3)
    login_as(user)
    body = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="badge">3<span class="visually-hidden"> unread</span>', body)


def test_unread_is_said_in_words_not_only_colour(client, factory, login_as):
    user = factory.user()
    first, second = some(user, 2)
    first.read_at = utcnow()
    db.session.commit()
    login_as(user)
    body = client.get("/notifications").get_data(as_text=True)
    unread = body.split(f'id="notification-{second.id}"')[1].split("</li>")[0]
    read = body.split(f'id="notification-{first.id}"')[1].split("</li>")[0]
    assert '<strong class="unread-label">New</strong>' in unread
    assert "New" not in read


def listed(response) -> list[str]:
    return re.findall(r'<p class="notification-text">(.*?)</p>', response.get_data(as_text=True))


def test_newest_first_twenty_a_page(client, factory, login_as):
    user = factory.user()
    some(user, 25)
    login_as(user)
    page_1 = client.get("/notifications")
    assert listed(page_1) == [f"Message {n}" for n in range(25, 5, -1)]
    assert "Page 1 of 2" in text(page_1)
    page_2 = client.get("/notifications?page=2")
    assert listed(page_2) == [f"Message {n}" for n in range(5, 0, -1)]
    assert 'href="/notifications?page=1"' in page_2.get_data(as_text=True)
    # Past the end: the last page, as on every list (paging.paginate).
    assert listed(client.get("/notifications?page=9")) == listed(page_2)


def test_mark_one_read(client, factory, login_as):
    user = factory.user()
    first, second = some(user, 2)
    login_as(user)
    response = client.post("/notifications/read", data={"notification_id": first.id,
                                                        "next": "/notifications?page=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications?page=1"
    read = {n.id: n.read_at for n in notifications_of(user)}
    assert read[first.id] is not None and read[second.id] is None
    assert unread_count(user.id) == 1


def test_mark_all_read(client, factory, login_as):
    user = factory.user()
    some(user, 3)
    login_as(user)
    response = client.post("/notifications/read", data={})
    assert response.headers["Location"] == "/notifications"
    assert all(n.read_at is not None for n in notifications_of(user))
    assert "All your notifications are marked as read." in text(client.get("/notifications"))
    assert '<span class="badge">' not in client.get("/").get_data(as_text=True)


def test_someone_elses_notification_cannot_be_marked(client, factory, login_as):
    me, other = factory.user(), factory.user()
    [theirs] = some(other)
    [mine] = some(me)
    login_as(me)
    client.post("/notifications/read", data={"notification_id": theirs.id})
    assert notifications_of(other)[0].read_at is None
    assert notifications_of(me)[0].read_at is None
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert notifications_of(other)[0].read_at is None
    assert mine.id != theirs.id


def test_mark_all_leaves_other_peoples_alone(client, factory, login_as):
    me, other = factory.user(), factory.user()
    some(other, 2)
    some(me, 2)
    login_as(me)
    client.post("/notifications/read")
    assert all(n.read_at is not None for n in notifications_of(me))
    assert all(n.read_at is None for n in notifications_of(other))


def test_open_marks_read_and_follows_the_link(client, factory, login_as):
    user = factory.user()
    [notification] = some(user, link="/cohorts/7/threads/3#post-9")
    login_as(user)
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/cohorts/7/threads/3#post-9"
    assert notifications_of(user)[0].read_at is not None


def test_open_never_leaves_the_site(client, factory, login_as):
    user = factory.user()
    notes = [some(user, link=link)[0] for link in
             ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)")]
    login_as(user)
    for n in notes:
        assert client.post(f"/notifications/{n.id}/open").headers["Location"] == "/notifications"
    assert client.post("/notifications/read", data={"next": "//evil.example"}).headers[
        "Location"] == "/notifications"


def test_open_is_not_a_get(client, factory, login_as):
    user = factory.user()
    [notification] = some(user)
    login_as(user)
    assert client.get(f"/notifications/{notification.id}/open").status_code == 405
    assert notifications_of(user)[0].read_at is None


def test_forms_carry_csrf_tokens_and_need_them(make_app, factory):
    user = factory.user()
    [notification] = some(user)
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/account/login").get_data(as_text=True)).group(1)
    client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token})
    body = client.get("/notifications").get_data(as_text=True)
    forms = re.findall(r"<form method=\"post\".*?</form>", body, re.S)
    assert len(forms) >= 4  # log out, mark all, open, mark one
    assert all('name="csrf_token"' in form for form in forms)
    assert client.post("/notifications/read", data={}).status_code == 400
    assert client.post(f"/notifications/{notification.id}/open").status_code == 400
    assert notifications_of(user)[0].read_at is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    response = client.post(f"/notifications/{notification.id}/open", data={"csrf_token": token})
    assert response.status_code == 302
    assert notifications_of(user)[0].read_at is not None
