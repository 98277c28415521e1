"""Everything templates can call beyond what views pass them, registered in this one place:
filters, globals and context processors. The functions themselves live with their rules
(`rendering`, `progress.rules`, `permissions`, `notifications.services`).

Only the permission predicates and the header touch the database: the header's links and
unread count in one query (`header`), a predicate one small indexed query, the memberships
cached for the request (`permissions._membership`).
"""

from dataclasses import dataclass

from flask import Flask, g
from flask_login import current_user
from jinja2 import pass_context
from sqlalchemy import select, true
from wtforms import Form

from . import permissions, rendering
from .extensions import db
from .notifications.services import unread
from .progress import rules

FILTERS = {
    "markdown": rendering.render_markdown,
    "excerpt": rendering.excerpt,  # {{ post.body|excerpt(160) }}: plain words, not Markdown
    "time": rendering.time_tag,
    "long_date": rendering.long_date,
    "exact_time": rendering.exact_time,
    "short_date": rendering.short_date,
    "plural": rendering.plural,  # {{ n|plural('reply', 'replies') }}: "1 reply", "3 replies"
    "describe_rule": rules.describe,
    "describe_left": rules.describe_left,
    "describe_lock": rules.describe_lock,  # {{ status|describe_lock(today) }}: "opens on …"
}

APP_NAME = "Staircase"  # after the course map, which draws Salmon's five stages as steps


@pass_context
def form_has_errors(context) -> bool:
    """Whether a form the view passed (directly, or in a list or dict) has errors, so the
    page's title can start with "Error: " (the GOV.UK pattern) on every form page at once."""
    def forms(value):
        if isinstance(value, Form):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, Form))
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, Form))
    return any(form.errors for value in context.get_all().values() for form in forms(value))


@dataclass(frozen=True)
class Header:
    """What the site's header shows the person: the Design and Reports links (by
    `permissions.can_design_any` and `can_review_any`) and how many notifications are unread."""
    design: bool = False
    review: bool = False
    unread: int = 0


def header(user) -> Header:
    """The header's facts for `user`, in one query (an admin designs and reviews anything)."""
    if not getattr(user, "is_authenticated", False):
        return Header()
    admin = user.is_admin
    design, review, count = db.session.execute(select(
        true() if admin else permissions.designs_any(user.id),
        true() if admin else permissions.reviews_any(user.id),
        unread(user.id).scalar_subquery())).one()
    return Header(bool(design), bool(review), count or 0)


def site_header() -> Header:
    """`header` for the person viewing the page: worked out when a page's header first asks,
    and kept for the request, so emails drawn in the same request (invitations to forty
    people, two renders each) ask the database nothing more."""
    if "_site_header" not in g:
        g._site_header = header(current_user)
    return g._site_header


# The named permission predicates, so a page shows only the links and buttons that work;
# the app's name and the form-errors test, for base.html.
GLOBALS = {
    "can_facilitate": permissions.can_facilitate,
    "can_review": permissions.can_review,
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
    "form_has_errors": form_has_errors,
    "site_header": site_header,  # base.html's Design and Reports links and unread count
    "app_name": APP_NAME,
}


def register(app: Flask) -> None:
    env = app.jinja_env
    env.add_extension("jinja2.ext.do")
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
