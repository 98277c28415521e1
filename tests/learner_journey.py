"""Helpers shared by the learner-journey tests (enrol, map, progress, API, notifications)."""

import html
import re
from datetime import timedelta

from course_app.clock import utcnow
from course_app.discussions import services as discussions


def text(response) -> str:
    """The page's main content as plain text, tags dropped and spaces collapsed."""
    body = response.get_data(as_text=True)
    if "<main" in body:
        body = body[body.index("<main"):body.index("</main>")]
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def etivity(course, slug):
    return next(e for e in course.etivities if e.slug == slug)


def start(cohort, user, slug, at=None, title=None):
    """`user` starts a conversation piece in the e-tivity `slug`."""
    e = etivity(cohort.course, slug)
    return discussions.start_thread(cohort, e, user, title or f"{user.name} in {slug}",
                                    "Here is what I think.", at=at or utcnow())


def finish_stage_1(cohort, learner, peer, at=None):
    """`learner` does what stage 1's required e-tivities ask (with `peer` to reply to)."""
    at = at or utcnow() - timedelta(minutes=30)
    theirs = start(cohort, peer, "introduce-yourself", at)
    start(cohort, learner, "introduce-yourself", at + timedelta(minutes=1))
    discussions.reply(theirs, learner, "Hello! Good to meet you.", at + timedelta(minutes=2))
    start(cohort, learner, "time-and-help", at + timedelta(minutes=3))
    return theirs


def field_error(response, field_id: str) -> str:
    """The error shown beside a field (the form macro gives it the id <field>-error)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1).strip()) if match else ""
