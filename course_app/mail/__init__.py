"""Email through Flask-Mailman. With MAIL_SERVER set it goes by SMTP; without, to the
development mailbox (`mail/mailbox.py`: kept in the database, so every worker's mail is in
one place, listed for admins at /admin/mailbox) and the console.

Nothing here is sent from a request: `jobs.sending` delivers each `Outgoing` in a worker,
after the request's transaction has committed, once per idempotency key.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_mailman import EmailMultiAlternatives, Mail

from ..text import one_line

mailman = Mail()

MAILBOX_BACKEND = "course_app.mail.mailbox.EmailBackend"


@dataclass(frozen=True)
class Outgoing:
    """One email: plain text always, HTML when given; `key` names it so that it is sent
    at most once (jobs.sending); `headers` are extra headers (List-Unsubscribe...)."""

    to: str
    subject: str
    text: str
    html: str = ""
    key: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def init_app(app) -> None:
    config = app.config
    if not config.get("MAIL_BACKEND"):
        config["MAIL_BACKEND"] = "smtp" if config.get("MAIL_SERVER") else MAILBOX_BACKEND
    config.setdefault("MAIL_DEFAULT_SENDER", config.get("MAIL_FROM"))
    config.setdefault("MAIL_TIMEOUT", 10)
    mailman.init_app(app)


def enabled() -> bool:
    """Mail leaves this machine (MAIL_SERVER is set); otherwise it stays in the mailbox."""
    return bool(current_app.config.get("MAIL_SERVER"))


def absolute(path: str) -> str:
    """A link for an email or a feed: the app's public address (BASE_URL) and `path`."""
    return current_app.config["BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


def message(outgoing: Outgoing) -> EmailMultiAlternatives:
    """The email to send. The subject and headers are folded onto one line (`text.one_line`):
    they are made from names and titles, and one stored before names were kept to one line
    must not make the email impossible to build (a line break there is refused)."""
    email = EmailMultiAlternatives(
        subject=one_line(outgoing.subject), body=outgoing.text, to=[outgoing.to],
        from_email=current_app.config.get("MAIL_FROM"),
        headers={name: one_line(value) for name, value in outgoing.headers.items()})
    if outgoing.html:
        email.attach_alternative(outgoing.html, "text/html")
    return email


def deliver(outgoing: Outgoing) -> None:
    """Send now, through the configured backend; raises (OSError, smtplib.SMTPException) when
    the server can't be reached, so the job is retried."""
    message(outgoing).send(fail_silently=False)
