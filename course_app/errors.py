"""Error pages: plain words, a way back, never a stack trace."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Something in that request was wrong", "Go back, check what you entered and try again."),
    403: ("You can't open this page", "It belongs to a cohort or role you are not part of."),
    404: ("We can't find that page", "The link may be old, or the page was moved."),
    405: ("That didn't work", "This page can't be used that way."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "It has been logged. Please try again in a moment."),
    503: ("The app is busy or under maintenance", "Please try again in a moment."),
}


def _render(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": title, "detail": detail or hint}, code
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def register(app) -> None:
    for code in (400, 403, 404, 405, 500, 503):
        app.register_error_handler(code, lambda e, code=code: _render(code))

    @app.errorhandler(429)
    def too_many(e):
        message = "Too many failed attempts in a short time. Wait a minute, then try again."
        if request.endpoint == "auth.login":
            from .auth.forms import LoginForm

            form = LoginForm()
            form.password.errors = [message]
            return render_template("auth/login.html", form=form, throttled=True), 429
        return _render(429, message)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        from . import drafts

        if drafts.is_draft_endpoint():  # a post someone wrote: keep the text, don't lose it
            return drafts.keep_and_redirect("csrf")
        return _render(400, "This form had expired or came from somewhere else. "
                            "Go back, reload the page, and send it again.")
