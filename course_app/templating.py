"""Everything templates can call beyond what views pass them, registered in this one place:
filters, globals and context processors. The functions themselves live with their rules
(`rendering`, `progress.rules`, `permissions`, `notifications.services`).

Only the permission predicates and the unread count touch the database: one small indexed
query each, the memberships cached for the request (`permissions._membership`).
"""

from flask import Flask
from flask_login import current_user

from . import permissions, rendering
from .notifications.services import unread_count
from .progress import rules

FILTERS = {
    "markdown": rendering.render_markdown,
    "time": rendering.time_tag,
    "long_date": rendering.long_date,
    "short_date": rendering.short_date,
    "describe_rule": rules.describe,
    "describe_left": rules.describe_left,
}

# The named permission predicates, so a page shows only the links and buttons that work.
GLOBALS = {
    "can_facilitate": permissions.can_facilitate,
    "can_review": permissions.can_review,
    "can_review_any": permissions.can_review_any,  # the header's "Reports" link
    "can_see_learner_report": permissions.can_see_learner_report,
    "can_post": permissions.can_post,
    "can_reply": permissions.can_reply,
    "can_edit_post": permissions.can_edit_post,
    "can_withdraw_post": permissions.can_withdraw_post,
    "can_hide_post": permissions.can_hide_post,
    "can_show_post": permissions.can_show_post,
    "can_see_hidden_text": permissions.can_see_hidden_text,
    "is_learner": permissions.is_learner,
    "role_in": permissions.role_in,
}


def _unread_notifications() -> dict:
    """The unread count in the header, on every page."""
    if getattr(current_user, "is_authenticated", False):
        return {"unread_notifications": unread_count(current_user.id)}
    return {"unread_notifications": 0}


def register(app: Flask) -> None:
    env = app.jinja_env
    env.add_extension("jinja2.ext.do")
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    app.context_processor(_unread_notifications)
