"""The email for one notification (a reply to your post, a facilitator writing to you, a stage
opening), when the person takes that kind at once. Checked again when it is sent: nothing
about a cohort the person has left, nothing from a post hidden or withdrawn since."""

import re

from flask import render_template
from sqlalchemy import select

from .. import mail
from ..auth.models import User
from ..cohorts.models import Cohort
from ..discussions.models import Post
from ..discussions.queries import shown
from ..extensions import db
from ..notifications.models import Notification, NotificationKind
from ..notifications.services import still_in
from ..rendering import render_markdown
from . import preferences
from .models import Delivery

POST_IN_LINK = re.compile(r"#post-(\d+)$")
QUOTE_MAX = 2000  # characters of a reply quoted in its email


def shown_post(notification: Notification) -> Post | None:
    """The post a notification links to, while it is shown; None otherwise (or no post)."""
    found = POST_IN_LINK.search(notification.link or "")
    if not found:
        return None
    return db.session.scalar(select(Post).where(Post.id == int(found.group(1)), shown()))


def may_hear(user: User | None, cohort_id: int | None) -> bool:
    """An active account, still in the cohort the email is about (notify's rule)."""
    return (user is not None and user.is_active
            and (cohort_id is None or still_in(user.id, cohort_id)))


def subject_of(notification: Notification, cohort: Cohort | None) -> str:
    head = notification.text.split(":", 1)[0].rstrip(".") if (
        notification.kind == NotificationKind.MESSAGE) else notification.text.rstrip(".")
    where = f" ({cohort.name})" if cohort and cohort.name not in head else ""
    return (head[:150] + where)[:200]


def usable(notification: Notification) -> tuple[User, Cohort | None, Post | None] | None:
    """Who it goes to, the cohort and the reply, when it may still be sent."""
    user = db.session.get(User, notification.user_id)
    if not may_hear(user, notification.cohort_id):
        return None
    post = shown_post(notification)
    if notification.kind == NotificationKind.REPLY and post is None:
        return None  # hidden or withdrawn since
    cohort = db.session.get(Cohort, notification.cohort_id) if notification.cohort_id else None
    return user, cohort, post


def email_for(user: User, topic: str, subject: str, template: str, key: str,
              **words) -> mail.Outgoing:
    """An email about `topic` (a preferences.TOPICS key): templates/email/<template>.txt and
    .html with the footer (email choices, and stopping this topic) and the RFC 8058 headers."""
    words.update(user=user, preferences_url=mail.absolute("/email"),
                 unsubscribe_url=preferences.unsubscribe_url(user.id, topic),
                 topic=preferences.TOPICS[topic])
    return mail.Outgoing(
        to=user.email, subject=subject, key=key,
        text=render_template(f"email/{template}.txt", **words),
        html=render_template(f"email/{template}.html", **words),
        headers=preferences.list_headers(user.id, topic))


def notification_email(notification: Notification) -> mail.Outgoing | None:
    """The email, or None when the person doesn't take this kind at once or may not hear."""
    found = usable(notification)
    if found is None:
        return None
    user, cohort, post = found
    topic = preferences.KIND_FIELD[notification.kind]
    if preferences.delivery_for(preferences.of(user.id), notification.kind) != Delivery.NOW:
        return None
    quote = post.body[:QUOTE_MAX] if post and notification.kind == NotificationKind.REPLY else ""
    return email_for(user, topic, subject_of(notification, cohort), "notification",
                     f"notification:{notification.id}", cohort=cohort, text=notification.text,
                     quote=quote, quote_html=render_markdown(quote) if quote else "",
                     link=mail.absolute(notification.link or "/notifications"))
