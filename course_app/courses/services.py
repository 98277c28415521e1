"""Importing course content into the database."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select

from ..content import CourseSpec, EtivitySpec
from ..content.fields import course_slug_problem
from ..extensions import db
from ..text import is_blank, one_line
from .export import course_spec
from .models import Course, Etivity, Stage


@dataclass
class ImportResult:
    course: Course
    created: bool
    added: list[str]
    updated: list[str]
    retired: list[str]


def etivity_fields(spec: EtivitySpec) -> dict:
    """The Etivity columns a spec sets (all but slug and version)."""
    return {
        "stage_number": spec.stage,
        "position": spec.position,
        "title": spec.title,
        "purpose": spec.purpose,
        "summary": spec.summary,
        "spark": spec.spark,
        "task": spec.task,
        "interaction": spec.interaction,
        "emoderator": spec.emoderator,
        "minutes": spec.minutes,
        "days": spec.days,
        "next": spec.next,
        "required": spec.required,
        "observe": spec.complete_when.observe,
        "interact": spec.complete_when.interact,
        "initiate": spec.complete_when.initiate,
        "post_first": spec.post_first,
        "first_post_day": spec.first_post_day,
        "replies_day": spec.replies_day,
        "pieces": [{"name": p.name, "body": p.body} for p in spec.pieces],
        "observe_facilitators": spec.observe_facilitators,
        "toolkit_slug": spec.toolkit.slug if spec.toolkit else None,
        "toolkit_title": spec.toolkit.title if spec.toolkit else None,
        "moderator_days": [day.as_dict() for day in spec.moderator_days],
        "retired": False,
    }


def _apply(obj, fields: dict) -> bool:
    """Set fields on obj; True when anything changed."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def import_course(spec: CourseSpec, progress: Callable[[str], None] = lambda _: None
                  ) -> ImportResult:
    """Create or update a course from validated content, keyed by slugs.

    Posts and progress hang off e-tivity ids, which a re-import never changes. An e-tivity
    missing from the content is retired, not deleted. Flushes; the caller commits.
    """
    course = db.session.scalar(select(Course).where(Course.slug == spec.slug))
    created = course is None
    if created:
        course = Course(slug=spec.slug)
        db.session.add(course)
    _apply(course, {"title": spec.title, "summary": spec.summary, "audience": spec.audience,
                    "weekly_minutes": spec.weekly_minutes})

    stages = {s.number: s for s in course.stages}
    for stage_spec in spec.stages:
        stage = stages.get(stage_spec.number)
        if stage is None:
            stage = Stage(number=stage_spec.number)
            course.stages.append(stage)
        _apply(stage, {
            "title": stage_spec.title,
            "summary": stage_spec.summary,
            "emoderator": stage_spec.emoderator,
            "suggested_days": stage_spec.suggested_days,
        })
        progress(f"stage {stage_spec.number}")

    existing = {e.slug: e for e in course.etivities}
    added, updated = [], []
    for etivity_spec in spec.etivities:
        etivity = existing.pop(etivity_spec.slug, None)
        if etivity is None:
            etivity = Etivity(slug=etivity_spec.slug)
            course.etivities.append(etivity)
            _apply(etivity, etivity_fields(etivity_spec))
            added.append(etivity_spec.slug)
        elif _apply(etivity, etivity_fields(etivity_spec)):
            updated.append(etivity_spec.slug)
        progress(etivity_spec.slug)

    retired = []
    for etivity in existing.values():
        if not etivity.retired:
            etivity.retired = True
            retired.append(etivity.slug)
    db.session.flush()
    return ImportResult(course, created, added, updated, retired)


def get_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


class CourseSlugTaken(ValueError):
    """A new course's slug is malformed or already used; the message says which."""


def check_new_slug(slug: str) -> None:
    """Raise CourseSlugTaken unless `slug` may be a new course's (`course_slug_problem`) and
    no course has it."""
    problem = course_slug_problem(slug)
    if problem:
        raise CourseSlugTaken(problem)
    if get_course(slug) is not None:
        raise CourseSlugTaken(f"there is already a course called {slug!r}; choose another slug")


def duplicate_course(course: Course, slug: str, title: str | None = None) -> Course:
    """A new course with a copy of `course`'s stages and current e-tivities (no cohorts, posts
    or progress), made the way an import of its exported folder would make it. A `title`
    with nothing visible in it (`text.is_blank`) is no title: the copy keeps the original's.
    Flushes."""
    check_new_slug(slug)
    spec = course_spec(course, slug=slug)
    if title is not None and not is_blank(title):
        spec = replace(spec, title=one_line(title))
    return import_course(spec).course
