"""Error pages: plain words, a way back, never a stack trace, and never a page that fails.

- Every handler rolls the database session back first: on PostgreSQL a failed transaction
  refuses every later query, the error page's own included.
- Under /api/ (or for a client that asks for JSON) errors are JSON; the API's 403 and 404
  say what went wrong in its own words (`API_MESSAGES`).
- A POST that carried something typed gets it back on the page, with a button to send it
  again (`_kept`): when the database stays busy or is down (503), or the writer was
  throttled (429). A post is also kept for its form (drafts.keep_for_later).
- A 400 for a control character where text comes in (inputs.RefusedInput) names the field
  and gives back what was typed, without the character. A 413 says plainly that a body over
  MAX_CONTENT_LENGTH was not read, so what it held can't be given back from here.
- If the full page can't be drawn (the database is down and the header needs it), a plain
  page that needs nothing is sent instead, so even then the answer carries our words and our
  security headers (headers.py's after_request runs for error responses too).
"""

import logging
import math
from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import IntegrityError

from . import database, drafts, inputs, security_log
from .extensions import db
from .reports.api import API_PREFIX
from .text import without_controls

MESSAGES = {
    400: ("We couldn't use what you sent", "Go back, check what you entered and try again."),
    403: ("You can't open this page",
          "It belongs to a cohort, a course or a role you are not part of. If you think you "
          "should see it, ask your facilitator."),
    404: ("We can't find that page", "The link may be old, or the page was moved."),
    405: ("That didn't work", "Go back and try again from the page you were on."),
    409: ("Someone else did this at the same moment",
          "Nothing was saved twice. Go back and reload the page to see how things stand "
          "now; if what you sent is still needed, send it again."),
    413: ("That was too much to send", "What you sent is larger than this site accepts. "
                                       "Shorten it, or send it in parts."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "It has been logged. Please try again in a moment."),
    503: ("The app is busy or under maintenance", "Please try again in a moment."),
}
# The API's own words (a script's author reads them): every 404 the same, whether the cohort
# doesn't exist, is someone else's, or the token is wrong, missing or revoked, so cohorts
# don't reveal each other; a 403 is only ever a learner of the cohort (permissions.py).
API_MESSAGES = {
    403: ("You can't read this report",
          "Learners can't read their cohort's progress report: it shows everyone's."),
    404: ("We can't find that cohort",
          "No cohort here that you can read: check the cohort's id, and that your token is "
          "right and not revoked."),
}
FAILED_ATTEMPTS = "Too many failed attempts in a short time. {wait}, then try again."
TOO_FAST = "You sent a lot in a short time. {wait}, then send it again."
DATABASE_TROUBLE = ("We couldn't save that just now. Nothing was saved. Wait a moment, then "
                    "send it again.")
NOT_SENT = "What you sent was not saved"
FAILURES_COUNTED = {"auth.login", "cohorts.enrol"}  # throttle.py counts failures only there

# Form plumbing, not words anyone typed: never shown back on an error page.
NOT_SHOWN = {"csrf_token", "submission_key", "parent_id", "piece", "confirm", "reply_to",
             "template", "action", "send_anyway", "undo_body", "undo_piece", "undo_text",
             "undo_template", "template_used", "who", "stage", "recipients", "to", "back"}
LABELS = {"title": "Title", "body": "Your text", "about": "A line about yourself",
          "text": "Message", "reason": "Reason", "emails": "Emails", "name": "Name"}


@dataclass(frozen=True)
class Kept:
    """What a POST carried, to show back (`shown`) and to send again (`resend`)."""

    shown: list[tuple[str, str]]  # (label, text)
    resend: list[tuple[str, str]]  # (name, value), every field but the CSRF token
    action: str
    for_later: bool  # also kept for the form (drafts)


def _kept(resend: bool = True) -> Kept | None:
    """The fields of this POST, when it came from one of our pages and holds typed text.
    Never anything from a form with a password in it. `resend` False: sending it again
    can't help (the post was refused), so it is only shown, to copy, not kept for the form."""
    if request.method != "POST" or not drafts.same_origin():
        return None
    try:
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    except Exception:  # the body itself was the problem (too large, malformed)
        return None
    if (not any(v.strip() for _, v in fields) or any("password" in k for k, _ in fields)
            or sum(len(v) for _, v in fields) > drafts.ECHO_LIMIT):
        return None
    # Shown and sent again without control characters: they may be why it was refused.
    fields = [(without_controls(k, multiline=False), without_controls(v)) for k, v in fields]
    shown = [(LABELS.get(k, k.replace("_", " ").capitalize()), v) for k, v in fields
             if k not in NOT_SHOWN and v.strip()]
    if not resend:
        return Kept(shown, [], request.full_path.rstrip("?"), False) if shown else None
    return Kept(shown, fields, request.full_path.rstrip("?"), drafts.keep_for_later())


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the page must still be drawn
        current_app.logger.warning("rollback failed while answering an error", exc_info=True)


def _wants_json() -> bool:
    return (request.path.startswith(API_PREFIX)
            or request.accept_mimetypes.best == "application/json")


PLAIN = ("<!doctype html><html lang=\"en-GB\"><meta charset=\"utf-8\"><title>{title}</title>"
         "<h1>{title}</h1><p>{hint}</p><p><a href=\"/\">Go to the home page</a></p></html>")


def _render(code: int, detail: str | None = None, kept: Kept | None = None,
            headers: dict | None = None, title: str | None = None):
    default_title, hint = MESSAGES.get(code, MESSAGES[500])
    title = title or default_title
    if request.path.startswith(API_PREFIX) and code in API_MESSAGES:
        title, hint = API_MESSAGES[code]
    if _wants_json():
        return {"error": title, "detail": detail or hint}, code, headers or {}
    context = {"code": code, "title": title, "hint": detail or hint, "kept": kept}
    try:
        body = render_template("errors/error.html", **context)
    except Exception:
        current_app.logger.exception("the %s page could not be drawn; sending the plain one", code)
        _rollback()
        database.no_more_writes()
        try:  # straight from the template: no context processors, so no queries
            body = current_app.jinja_env.get_template("errors/plain.html").render(context)
        except Exception:
            current_app.logger.exception("the plain %s page could not be drawn either", code)
            body = PLAIN.format(title=escape(title), hint=escape(detail or hint))
    return body, code, headers or {}


def _size_limit() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit // 1000:,} KB"


TOO_LARGE = ("What you sent is larger than this site accepts ({limit} at most), so none of it "
             "was read and nothing was saved. If you were writing a post, we can't give your "
             "text back from here: go back in your browser, where it is usually still in the "
             "form, and shorten it or send it in parts.")


def too_large(_error):
    """Werkzeug stopped reading the body at MAX_CONTENT_LENGTH: nothing of it can be shown."""
    _rollback()
    return _render(413, TOO_LARGE.format(limit=_size_limit()))


def refused_input(error: inputs.RefusedInput):
    """A control character where text comes in: say where, and give back what was typed
    (without it) so it can be sent again."""
    _rollback()
    return _render(400, error.description, _kept())


def _cohort_id() -> int | None:
    return (request.view_args or {}).get("cohort_id")


def plain(code: int):
    def handler(_error):
        _rollback()
        return _render(code)
    return handler


def _own_words(error) -> str | None:
    """The reason a view gave with abort(code, reason), if it gave one."""
    description = getattr(error, "description", None)
    return description if description and description != type(error).description else None


def refused(error):
    """403. A post refused because something changed while it was written (the cohort
    closed, the conversation was locked, the writer was removed: the view says which) is
    given back, to copy: sending it again here would be refused again."""
    _rollback()
    security_log.warning("access.refused", cohort_id=_cohort_id(), endpoint=request.endpoint)
    reason = _own_words(error)
    kept = _kept(resend=False)
    return _render(403, reason, kept, title=NOT_SENT if reason and kept else None)


def not_found(error):
    """A cohort's page that someone logged in may not see answers 404 (cohorts never reveal
    each other); it is logged, as someone may be trying other cohorts' addresses. What a
    POST carried comes back, to copy, with the view's reason if it gave one (a post from
    someone removed from the cohort while they wrote)."""
    _rollback()
    if _cohort_id() is not None and security_log.who() is not None:
        security_log.warning("access.not_found", cohort_id=_cohort_id(), endpoint=request.endpoint)
    reason = _own_words(error)
    kept = _kept(resend=False)
    return _render(404, reason, kept, title=NOT_SENT if reason and kept else None)


def conflict(error):
    """A unique key refused a row: two requests did the same thing at the same moment and
    the other one's was stored. Never a 500: 409 says so, nothing was saved twice, and
    what was typed comes back (the paths where "it's done" is the answer handle it
    themselves, so people see the usual page)."""
    _rollback()
    duplicate = database.is_duplicate(error)
    current_app.logger.log(logging.WARNING if duplicate else logging.ERROR,
                           "%s on %s %s: answered %s", "requests collided" if duplicate
                           else "integrity error", request.method, request.path,
                           409 if duplicate else 500, exc_info=error)
    if not duplicate:  # a fault, not a collision: sending it again would fail the same way
        return _render(500, kept=_kept(resend=False))
    return _render(409, kept=_kept())


def _wait(error) -> str:
    """How long to wait, in words, from the window of the limit that was hit."""
    window = getattr(getattr(error, "limit", None), "limit", None)
    seconds = window.get_expiry() if window is not None else 60
    if seconds <= 60:
        return "Wait a minute"
    if seconds < 3600:
        return f"Wait up to {math.ceil(seconds / 60)} minutes"
    if seconds == 3600:
        return "Wait up to an hour"
    return "Wait up to a day" if seconds <= 86400 else "Wait a few days"


def too_many(error):
    _rollback()
    security_log.warning("throttled", endpoint=request.endpoint, limit=str(error.description))
    if request.endpoint == "auth.login":
        try:
            from .auth.forms import LoginForm

            form = LoginForm()
            form.password.errors = [FAILED_ATTEMPTS.format(wait=_wait(error))]
            return render_template("auth/login.html", form=form, throttled=True), 429
        except Exception:
            current_app.logger.exception("the throttled login page could not be drawn")
    detail = FAILED_ATTEMPTS if request.endpoint in FAILURES_COUNTED else TOO_FAST
    return _render(429, detail.format(wait=_wait(error)), _kept())


def database_trouble(error):
    """The database stayed busy (after database.retrying) or is unreachable: 503, and the
    writer gets back what they typed."""
    _rollback()
    database.no_more_writes()
    current_app.logger.error("database %s on %s %s",
                             "busy" if database.is_busy(error) else "unavailable",
                             request.method, request.path, exc_info=error)
    kept = _kept()
    return _render(503, DATABASE_TROUBLE if kept else None, kept, {"Retry-After": "5"})


def csrf_error(error):
    _rollback()
    security_log.warning("csrf.failed", endpoint=request.endpoint, reason=error.description)
    if drafts.is_draft_endpoint():  # a post someone wrote: keep the text, don't lose it
        return drafts.keep_and_redirect("csrf")
    return _render(400, "This form had expired or came from somewhere else. "
                        "Go back, reload the page, and send it again.")


def register(app) -> None:
    for code in (400, 405, 500, 503):
        app.register_error_handler(code, plain(code))
    app.register_error_handler(413, too_large)
    app.register_error_handler(inputs.RefusedInput, refused_input)
    app.register_error_handler(403, refused)
    app.register_error_handler(404, not_found)
    app.register_error_handler(429, too_many)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(IntegrityError, conflict)
    for trouble in database.TROUBLE:
        app.register_error_handler(trouble, database_trouble)

