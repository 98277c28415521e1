"""A cohort whose `phrase-book` builds a toolkit section, for the toolkit's tests."""

from dataclasses import dataclass

from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort
from course_app.courses.models import Etivity
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from course_app.progress import overrides

SLUG = "phrase-book"


def builds_section(course, slug: str = SLUG, section: str = "phrase-book",
                   title: str = "Phrase book") -> Etivity:
    """Make the course's e-tivity `slug` build a toolkit section (undone with the test)."""
    etivity = next(e for e in course.etivities if e.slug == slug)
    etivity.toolkit_slug, etivity.toolkit_title = section, title
    db.session.commit()
    return etivity


@dataclass
class ToolkitWorld:
    cohort: Cohort
    etivity: Etivity
    facilitator: User
    editor: User
    peer: User
    thread: Thread
    compiled: Post  # the editor's compiled version, a reply in the peer's thread


def build(factory, open_stage: bool = True, **cohort_kwargs) -> ToolkitWorld:
    """The section's e-tivity is in stage 4: the facilitator opened it early for everyone
    unless `open_stage` is False (then it is locked for the learners)."""
    cohort = factory.cohort(**cohort_kwargs)
    facilitator = cohort.memberships[0].user
    etivity = builds_section(cohort.course)
    editor = factory.learner_in(cohort, name="Eddie Editor")
    peer = factory.learner_in(cohort, name="Pam Peer")
    now = utcnow()
    if open_stage:
        overrides.open_early(cohort, facilitator.id, now, stage_number=etivity.stage_number)
    thread = discussions.start_thread(cohort, etivity, peer, "Phrases we use",
                                      "- *Thanks for asking*", now)
    compiled = discussions.reply(thread, editor, "## Our phrase book\n\n- Thanks for asking\n"
                                 "- We'll get back to you by Friday", now)
    db.session.commit()
    return ToolkitWorld(cohort, etivity, facilitator, editor, peer, thread, compiled)
