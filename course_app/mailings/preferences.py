"""Reading and changing what someone wants by email, and the signed unsubscribe links
(itsdangerous: they work without logging in and can't be made for someone else)."""

from datetime import datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .. import mail
from ..auth.models import User
from ..database import added
from ..extensions import db
from ..notifications.models import NotificationKind
from .models import DEFAULT_TIME_ZONE, Delivery, DigestEvery, EmailPreference

# Each notification kind and the preference that decides how it is emailed.
KIND_FIELD = {NotificationKind.REPLY: "replies", NotificationKind.MESSAGE: "messages",
              NotificationKind.STAGE_OPENED: "stages"}
# What an unsubscribe link can stop, in words for its confirm page.
TOPICS = {"replies": "emails about replies to your posts",
          "messages": "emails about messages from facilitators",
          "stages": "emails about stages opening",
          "digest": "the digest",
          "morning": "the facilitator's morning email",
          "all": "all emails from the course"}
SALT = "unsubscribe"


def defaults(user_id: int) -> EmailPreference:
    return EmailPreference(user_id=user_id, replies=Delivery.NOW, messages=Delivery.NOW,
                           stages=Delivery.NOW, digest=DigestEvery.WEEKLY, morning=True,
                           time_zone=DEFAULT_TIME_ZONE)


def of(user_id: int) -> EmailPreference:
    """The person's choices (the defaults, not stored, when they never chose)."""
    return db.session.get(EmailPreference, user_id) or defaults(user_id)


def stored(user_id: int) -> EmailPreference:
    """Their row, added (with the defaults) if they had none. Flushes."""
    preference = db.session.get(EmailPreference, user_id)
    if preference is None:
        preference = defaults(user_id)
        if not added(preference):  # stored at this same moment (an unsubscribe link twice)
            preference = db.session.get(EmailPreference, user_id)
    return preference


def zone(preference: EmailPreference) -> ZoneInfo:
    try:
        return ZoneInfo(preference.time_zone or DEFAULT_TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_time(preference: EmailPreference, at: datetime) -> datetime:
    return at.astimezone(zone(preference))


@cache
def offered_zones() -> tuple[str, ...]:
    """The time zones someone may choose, by name: the places in IANA's zone.tab (one
    Area/City name for each region of each country, in its current spelling: Europe/Kyiv, not
    Europe/Kiev), and UTC. Not the legacy names zoneinfo also knows (EST5EDT, Factory,
    localtime, the backward aliases). zone.tab comes with the tzdata package (a dependency of
    icalendar, and zoneinfo's own fallback)."""
    table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    places = {line.split("\t")[2] for line in table.splitlines()
              if line.strip() and not line.startswith("#")}
    return tuple(sorted((places | {"UTC"}) & available_timezones()))


def zones_for(current: str | None) -> list[str]:
    """The offered zones, and the person's stored one if it is not among them but still a
    zone (chosen before the list was narrowed, like Asia/Calcutta): their choice stays as it
    is, shown and kept when they save, until they pick another."""
    offered = offered_zones()
    if current and current not in offered and current in available_timezones():
        return sorted((*offered, current))
    return list(offered)


def offers_morning(user: User) -> bool:
    """Whether the morning email is a choice for them: it goes to a cohort's facilitators, and
    only staff accounts facilitate (facilitate/people.py: _check_account_fits)."""
    return user.is_staff


def delivery_for(preference: EmailPreference, kind: NotificationKind) -> Delivery:
    return getattr(preference, KIND_FIELD[kind])


def unsubscribe(user_id: int, topic: str) -> EmailPreference:
    """Stop one topic (or "all") for the person. Stopping the digest also turns off what was
    collected for it, so no choice is left waiting for a digest that never comes (the email
    page refuses that too: mailings/forms.py). Flushes."""
    preference = stored(user_id)
    fields = ("replies", "messages", "stages", "digest", "morning") if topic == "all" else (topic,)
    if topic == "digest":  # what was collected for it comes only in the course now, as "off"
        fields = (*(name for name in KIND_FIELD.values()
                    if getattr(preference, name) == Delivery.DIGEST), "digest")
    for name in fields:
        if name == "digest":
            preference.digest = DigestEvery.NEVER
        elif name == "morning":
            preference.morning = False
        else:
            setattr(preference, name, Delivery.OFF)
    db.session.flush()
    return preference


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, topic: str) -> str:
    return _serializer().dumps({"u": user_id, "t": topic})


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, topic) from a token we signed; None for anything else."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("u"), int)
            or data.get("t") not in TOPICS):
        return None
    return data["u"], data["t"]


def unsubscribe_url(user_id: int, topic: str) -> str:
    # A path, not url_for: workers have no request to build URLs from (views.unsubscribe).
    return mail.absolute(f"/email/unsubscribe/{unsubscribe_token(user_id, topic)}")


def list_headers(user_id: int, topic: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: the mail program POSTs to the link."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user_id, topic)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
