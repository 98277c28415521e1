"""Nothing typed is lost: a post that can't be taken now is kept and handed back to its form.

Two things can stop a post that someone took time to write: their session ended (they are no
longer logged in when the form arrives), or the form's CSRF token is stale or missing. In both
cases the posted fields are kept in the Flask session under the form's path, and the writer is
sent to log in (with `next` pointing back at the form) or straight back to the form. The form
page's GET calls `pop()` to pre-fill the form and says so.

The session is a signed cookie, so a draft too large for it is not stored: the writer gets a
page showing their text to copy instead (`draft_kept.html`). Flask-Login keeps other session
keys when someone logs in, so a kept draft survives the login.

Two more things stop a post for a while: the database stays busy, or the writer sent too much
too fast (throttling). Then the error page (errors.py) shows the text back with a button to
send it again, and `keep_for_later` also keeps it here for the form.

What is kept or shown back never holds control characters (they may be why a post was
refused), and nothing longer than ECHO_LIMIT characters is echoed back: a huge body must not
come back as a huge page.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from .inputs import as_id
from .text import without_controls

SESSION_KEY = "drafts"
MAX_DRAFTS = 3  # keep the cookie small: only the latest few
FIELDS = ("title", "body", "parent_id", "piece", "submission_key")  # never csrf_token
KEPT_MESSAGE = "We kept what you wrote. Check it and send it again."
ECHO_LIMIT = 50_000  # characters shown back at most (a post is up to 10,000)
TOO_LONG_TO_KEEP = ("It was too long for us to keep ({length:,} characters), so it isn't shown "
                    "here. Go back in your browser: your text is usually still in the form. "
                    "Then shorten it before sending it again.")

# The endpoints whose POST carries something typed, and the anchor of their form.
DRAFT_ENDPOINTS = {
    "discussions.etivity": "start",
    "discussions.thread": "reply-form",
    "discussions.edit_post": "edit-form",
    "facilitate.weave": "title",
    "facilitate.nudge": "message",
    "design.etivity": "title",
    "design.new_etivity": "title",
}
# A post's form keeps FIELDS; these forms keep every field they sent (a weave's ticks and
# quotes, a nudge's choice of learners, every box of the designer's e-tivity and the
# version it was opened at), but never these.
WHOLE_FORMS = {"facilitate.weave", "facilitate.nudge", "design.etivity", "design.new_etivity"}
NEVER_KEPT = {"csrf_token", "action", "go"}
TYPED = ("title", "body", "text")  # something typed, worth keeping, is in one of these
QUERY_FIELDS = ("who", "stage")  # a nudge's page shows its form for the learners chosen


def same_origin() -> bool:
    """The form was sent from one of our own pages.

    A cross-site POST carries no session cookie (SameSite=Lax), so without this check another
    site could plant a "kept" post in someone's form. Browsers send Origin with POSTs; where it
    is missing we look at the Referer, and only when both are missing do we trust the request.
    """
    # Host only, not scheme: behind a proxy that ends TLS, our own URL may say http.
    sent_from = request.headers.get("Origin") or request.headers.get("Referer")
    if sent_from is None:
        return True
    return urlsplit(sent_from).netloc == request.host


def is_draft_endpoint() -> bool:
    """A POST of something typed, from one of our own pages: worth keeping."""
    return (request.method == "POST" and request.endpoint in DRAFT_ENDPOINTS
            and same_origin())


def _form_page() -> str:
    """Where the writer finds the form again: the same path, at the form."""
    query = {}
    parent_id = as_id(request.form.get("parent_id", ""))
    if parent_id is not None:
        query["reply_to"] = parent_id
    if request.endpoint in WHOLE_FORMS:
        query.update({name: request.form[name] for name in QUERY_FIELDS
                      if request.form.get(name)})
    return (request.path + (f"?{urlencode(query)}" if query else "")
            + f"#{DRAFT_ENDPOINTS[request.endpoint]}")


def _cookie_fits() -> bool:
    serializer = getattr(current_app.session_interface, "get_signing_serializer", None)
    if serializer is None:  # a server-side session: no cookie limit to worry about
        return True
    signer = serializer(current_app)
    if signer is None:
        return True
    limit = current_app.config.get("MAX_COOKIE_SIZE", 4093)
    # Leave room for the cookie's name and attributes, and for flashed messages.
    return len(signer.dumps(dict(session))) < limit - 600


def _save(fields: dict[str, str]) -> bool:
    drafts = dict(session.get(SESSION_KEY) or {})
    drafts.pop(request.path, None)
    drafts[request.path] = fields
    while len(drafts) > MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    previous = session.get(SESSION_KEY)
    session[SESSION_KEY] = drafts
    if _cookie_fits():
        return True
    if previous is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = previous
    return False


def _fields() -> dict[str, str]:
    """The posted fields worth keeping, without control characters."""
    names = ([name for name in request.form if name not in NEVER_KEPT]
             if request.endpoint in WHOLE_FORMS else FIELDS)
    return {name: without_controls(request.form[name]) for name in names
            if request.form.get(name)}


def _typed(fields: dict[str, str]) -> bool:
    return any(fields.get(name) for name in TYPED)


def _to_copy(fields: dict[str, str]) -> dict[str, str]:
    """What the page for copying shows (a title and a text): a whole form's typed fields
    one after another in the text."""
    if request.endpoint not in WHOLE_FORMS:
        return fields
    typed = [(name, value) for name, value in fields.items()
             if name not in ("title", "submission_key", "version", "replace", *QUERY_FIELDS)
             and not name.startswith(("cite_", "undo_", "template")) and value.strip()]
    if len(typed) == 1:
        return {"title": fields.get("title", ""), "body": typed[0][1]}
    return {"title": fields.get("title", ""),
            "body": "\n\n".join(f"{name}:\n{value}" for name, value in typed)}


def keep_for_later() -> bool:
    """Keep this post's fields for its form without leaving the page (an error page shows
    them too): the form is pre-filled when the writer goes back to it. False when nothing
    was kept (not a post, or too large for the cookie)."""
    if not is_draft_endpoint():
        return False
    fields = _fields()
    if not _typed(fields):
        return False
    return _save(fields)


def keep_and_redirect(reason: str):
    """Keep the posted fields and send the writer where they can send them again.

    `reason` is "login" (the session ended) or "csrf" (the form was stale).
    """
    fields = _fields()
    form_page = _form_page()
    logged_in = bool(getattr(current_user, "is_authenticated", False))
    if not _typed(fields):
        saved = True  # nothing typed: nothing to keep
    else:
        saved = _save(fields)
    login_url = url_for("auth.login", next=form_page)
    if not saved:
        status = 401 if not logged_in else 400
        length = sum(len(v) for v in fields.values())
        if length > ECHO_LIMIT:
            return render_template("errors/error.html",
                                   title="What you wrote has not been sent yet",
                                   hint=TOO_LONG_TO_KEEP.format(length=length), kept=None), status
        return render_template("discussions/draft_kept.html", fields=_to_copy(fields),
                               form_page=form_page, login_url=None if logged_in else login_url,
                               reason=reason), status
    if not logged_in:
        flash("Your session had ended, so what you wrote has not been sent yet. Log in and we'll "
              "take you back to it, with your text.", "info")
        return redirect(login_url)
    flash("That form had expired, so what you wrote has not been sent yet.", "info")
    return redirect(form_page)


def pop() -> dict[str, str] | None:
    """The draft kept for this page, if any (removed from the session), with a message."""
    drafts = session.get(SESSION_KEY)
    if not drafts or request.path not in drafts:
        return None
    drafts = dict(drafts)
    fields = drafts.pop(request.path)
    if drafts:
        session[SESSION_KEY] = drafts
    else:
        session.pop(SESSION_KEY)
    flash(KEPT_MESSAGE, "info")
    return fields


def login_required_keeping_drafts(view: Callable) -> Callable:
    """Like @login_required, but a POST from someone whose session ended keeps its text."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if getattr(current_user, "is_authenticated", False):
            return view(*args, **kwargs)
        if is_draft_endpoint():
            return keep_and_redirect("login")
        return current_app.login_manager.unauthorized()

    return wrapped
