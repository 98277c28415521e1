"""The development mailbox: a Flask-Mailman backend (MAIL_BACKEND) used when there is no
MAIL_SERVER. Each message is stored (MailboxMessage, in the caller's transaction) and logged,
so `make run` shows what would have been sent."""

from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend

from ..clock import utcnow
from ..extensions import db
from .models import MailboxMessage

SHOWN_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To")


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for email in email_messages:
            html = next((content for content, kind in getattr(email, "alternatives", [])
                         if kind == "text/html"), "")
            mime = email.message()
            headers = {name: str(mime[name]) for name in SHOWN_HEADERS if mime[name]}
            for to in email.to:
                db.session.add(MailboxMessage(to=to, subject=str(email.subject)[:300],
                                              text=email.body, html=html, headers=headers,
                                              created_at=utcnow()))
            current_app.logger.info("Mail (development mailbox) to %s: %s\n%s",
                                    ", ".join(email.to), email.subject, email.body)
        db.session.flush()
        return len(email_messages)
