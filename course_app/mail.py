"""Email, only when SMTP is configured (MAIL_SERVER); otherwise the app shows links to copy."""

import smtplib
from email.message import EmailMessage

from flask import current_app


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(messages: list[tuple[str, str, str]]) -> int:
    """Send (to, subject, body) messages; returns how many went. Failures are logged, not raised:
    the in-app notification is already stored."""
    if not enabled() or not messages:
        return 0
    config = current_app.config
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)),
                          timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            for to, subject, body in messages:
                message = EmailMessage()
                message["From"] = config.get("MAIL_FROM", "course-app@localhost")
                message["To"] = to
                message["Subject"] = subject
                message.set_content(body)
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("sending email failed after %d of %d", sent, len(messages))
    return sent
