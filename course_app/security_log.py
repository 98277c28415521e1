"""The security log: who did what, when, from which address, in which cohort.

One line per event on the `course_app.security` logger, as `key=value` pairs (logfmt), so a
log shipper can pick the lines out by logger name and filter them by `event`. Logins, failed
logins, logouts, refused access (403s, CSRF failures, cohorts outside someone's reach),
throttling, enrolments, exports and API token use go here; facilitators' actions go to each
cohort's audit log instead (`facilitate`).

Nothing secret is written: `record` refuses fields named like a password, token, secret,
session or cookie, and callers pass ids, never credentials. Every value is escaped (newlines,
quotes, control characters) and shortened, so nothing a visitor types, such as the email
tried at a login or a path, can forge a line or flood the log.
"""

import logging

from flask import g, has_request_context, request

from .clock import utcnow

logger = logging.getLogger("course_app.security")

MAX_VALUE = 200  # characters kept of any one value
_FORBIDDEN = {"password", "token", "secret", "session", "session_id", "cookie", "key",
              "csrf_token", "remember_token", "authorization"}


def _escape(value) -> str:
    text = str(value)
    if len(text) > MAX_VALUE:
        text = text[:MAX_VALUE] + "…"
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    escaped = "".join(out)
    if not escaped or any(c in escaped for c in ' ="\\'):
        return f'"{escaped}"'
    return escaped


def who():
    """The logged-in user if this request has already loaded one; never loads it."""
    user = g.get("_login_user") if has_request_context() else None
    return user if getattr(user, "is_authenticated", False) else None


def record(event: str, *, user=None, cohort_id: int | None = None,
           level: int = logging.INFO, **details) -> None:
    """Write one event. `user` is a User (or its id); by default the logged-in user.

    Pass ids and plain words in `details`; never a password, token or session id.
    """
    for name in details:
        lowered = name.lower()
        if lowered in _FORBIDDEN or "password" in lowered or "secret" in lowered:
            raise ValueError(f"the security log never records {name!r}")
    user = user if user is not None else who()
    user_id = getattr(user, "id", user)
    fields = {"at": utcnow().isoformat(timespec="seconds"),
              "event": event, "user": user_id if user_id is not None else "-"}
    if cohort_id is not None:
        fields["cohort"] = cohort_id
    if has_request_context():
        fields.update(ip=request.remote_addr or "-", method=request.method, path=request.path)
    fields.update({k: v for k, v in details.items() if v is not None})
    logger.log(level, " ".join(f"{k}={_escape(v)}" for k, v in fields.items()))


def warning(event: str, **kwargs) -> None:
    """Refusals and failures: the lines someone watching for attacks looks for first."""
    record(event, level=logging.WARNING, **kwargs)
