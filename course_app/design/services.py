"""Changing a course from the designer. Each function changes the database, records one
CourseChange (the course's history and audit log, also written to the security log) and
flushes; the view commits.

E-tivity and course texts are edited as drafts (drafts.py) and reach learners here, when
an author publishes; a changed completion rule earns running cohorts' learners what it now
allows and never takes a completion back (progress.evidence.reevaluate_cohort, as
`course import` does). Moving, retiring and bringing back act at once (retiring asks first
when cohorts run the course): they change no text, and each is undone by a button.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import security_log
from ..auth.models import User
from ..cohorts.models import Cohort
from ..content import CourseSpec
from ..courses.models import Course, CourseAuthor, Etivity, Stage
from ..courses.services import (
    check_new_slug,
    duplicate_course,
    import_course,
)
from ..extensions import db
from ..facilitate import audit
from ..facilitate.models import AuditAction
from ..progress.evidence import reevaluate_cohort
from .impact import live_cohorts
from .models import CourseChange

# Salmon's five stages: what a new course starts with, for the author to rewrite.
STAGE_NAMES = ("Access and motivation", "Online socialisation", "Information exchange",
               "Knowledge construction", "Development")
RULE_FIELDS = ("observe", "interact", "initiate", "observe_facilitators")
# Fields the designer never changes through the e-tivity form: where it sits, and whether
# it is retired, have their own buttons.
PLACE_FIELDS = ("stage_number", "position", "retired")


class DesignError(ValueError):
    """Something an author asked for can't be done; the message says why and what to do."""


class VersionConflict(DesignError):
    """Someone else saved the e-tivity (or the course's texts) since this author opened it."""

    def __init__(self, version: int, changes: dict, what: str = "this e-tivity"):
        self.version, self.changes = version, changes
        super().__init__(f"Someone else saved {what} while you were editing. Your text is "
                         "below; what differs from theirs is listed. Save again to replace "
                         "their version with yours.")


def record(course: Course, actor: User, action: str, summary: str, at: datetime,
           etivity: Etivity | None = None, changes: dict | None = None) -> CourseChange:
    change = CourseChange(course=course, etivity=etivity, actor_id=actor.id, action=action,
                          summary=summary, changes=changes or {}, created_at=at)
    db.session.add(change)
    for cohort in live_cohorts(course):  # facilitators see it in their cohort's audit log
        audit.record(cohort, actor, AuditAction.COURSE_CHANGED, f"{actor.name}: {summary}", at,
                     detail={"course": course.slug, "etivity": etivity.slug if etivity else None,
                             "fields": sorted(changes or {})})
    db.session.flush()
    security_log.record(f"design.{action}", user=actor, course=course.slug,
                        etivity=etivity.slug if etivity else "")
    return change


def add_author(course: Course, user: User, at: datetime, owner: bool = False,
               actor: User | None = None) -> CourseAuthor:
    existing = db.session.scalar(select(CourseAuthor).where(
        CourseAuthor.course_id == course.id, CourseAuthor.user_id == user.id))
    if existing is not None:
        raise DesignError(f"{user.name} is already an author of this course.")
    author = CourseAuthor(course=course, user=user, owner=owner, added_at=at)
    db.session.add(author)
    if actor is not None:
        record(course, actor, "author-added", f"Made {user.name} an author", at)
    db.session.flush()
    return author


def remove_author(course: Course, author: CourseAuthor, actor: User, at: datetime) -> None:
    if author.owner:
        raise DesignError("The course's owner stays an author.")
    name = author.user.name
    db.session.delete(author)
    record(course, actor, "author-removed", f"{name} is no longer an author", at)


def create_course(slug: str, title: str, summary: str, audience: str, actor: User,
                  at: datetime) -> Course:
    """A new course with Salmon's five stages and no e-tivities; `actor` owns it."""
    check_new_slug(slug)
    course = Course(slug=slug, title=title, summary=summary, audience=audience, imported_at=at)
    for number, name in enumerate(STAGE_NAMES, start=1):
        course.stages.append(Stage(
            number=number, title=name, summary=f"What learners do in stage {number}.",
            emoderator=f"What the e-moderator does in stage {number}.", suggested_days=7))
    db.session.add(course)
    db.session.flush()
    add_author(course, actor, at, owner=True)
    record(course, actor, "created", f"Created the course {title}", at)
    return course


def duplicate(course: Course, slug: str, title: str, actor: User, at: datetime) -> Course:
    """courses.services.duplicate_course, owned by the author who asked."""
    copy = duplicate_course(course, slug, title)
    add_author(copy, actor, at, owner=True)
    record(copy, actor, "created", f"Started as a copy of {course.title} ({course.slug})", at)
    return copy


def replace_content(course: Course, spec: CourseSpec, actor: User, at: datetime):
    """An uploaded folder (checked) becomes the course's content, as `course import` would
    make it: keyed by slugs, so posts and progress stay; e-tivities not in it are retired."""
    result = import_course(spec)
    reevaluate(course, at)
    record(course, actor, "uploaded",
           f"Uploaded a zip: {len(result.added)} added, {len(result.updated)} changed, "
           f"{len(result.retired)} retired", at,
           changes={"added": [None, result.added], "changed": [None, result.updated],
                    "retired": [None, result.retired]})
    return result


def reevaluate(course: Course, at: datetime) -> int:
    """Earn what changed rules now allow, in every cohort of the course; returns how many."""
    cohorts = db.session.scalars(select(Cohort).where(Cohort.course_id == course.id))
    return sum(reevaluate_cohort(cohort, at) for cohort in cohorts)


def _apply(obj, fields: dict) -> dict:
    """Set the fields that differ; {field: [before, after]} for each."""
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [before, value]
            setattr(obj, name, value)
    return changes


def publish_etivity(course: Course, etivity: Etivity | None, slug: str, stage: int,
                    fields: dict, actor: User, at: datetime) -> bool:
    """Create the e-tivity (at the end of `stage`) or change it from a draft's fields;
    True when its completion rule changed (the caller reevaluates once for all)."""
    if etivity is None:
        if any(e.slug == slug for e in course.etivities):
            raise DesignError(f"The new e-tivity {slug!r} has the slug of another e-tivity of "
                              "this course: discard its draft and add it again.")
        etivity = Etivity(slug=slug, stage_number=stage, **fields)
        etivity.position = _end_of(course, stage)
        course.etivities.append(etivity)
        db.session.flush()
        record(course, actor, "etivity-added", f"Added {etivity.title} to stage {stage}", at,
               etivity)
        return False
    changes = _apply(etivity, {k: v for k, v in fields.items() if k not in PLACE_FIELDS})
    if changes:
        record(course, actor, "etivity-edited", f"Changed {etivity.title}", at, etivity,
               _plain(changes))
    return bool(set(changes) & set(RULE_FIELDS))


def _plain(changes: dict) -> dict:
    """JSON-safe before/after values (lists of pieces stay lists)."""
    return {name: [before, after] for name, (before, after) in changes.items()}


def save_course(course: Course, fields: dict, stages: dict[int, dict], actor: User,
                at: datetime) -> dict:
    """Change the course's own fields and its stages' from checked values."""
    course.texts_version += 1  # an open form of the texts must not save over this unseen
    changes = _apply(course, fields)
    by_number = {stage.number: stage for stage in course.stages}
    for number, stage_fields in stages.items():
        changes.update({f"stages[{number}].{name}": change for name, change
                        in _apply(by_number[number], stage_fields).items()})
    if changes:
        record(course, actor, "course-edited", "Changed the course's texts", at,
               changes=_plain(changes))
    return changes


def _end_of(course: Course, stage_number: int, etivity: Etivity | None = None) -> int:
    """The position after the last of the stage's e-tivities (other than `etivity`): a place
    no other e-tivity holds, so the stage's order never ties."""
    return max((e.position for e in course.etivities_in(stage_number) if e is not etivity),
               default=0) + 1


def _renumber(course: Course, stage_number: int) -> None:
    for position, etivity in enumerate(course.etivities_in(stage_number), start=1):
        etivity.position = position


def target_stage(direction: str) -> int:
    """The stage a "stage-N" move names; DesignError for anything else."""
    number = direction.removeprefix("stage-")
    if not direction.startswith("stage-") or not number.isdigit() or int(number) not in range(
            1, 6):
        raise DesignError("Choose a stage from 1 to 5.")
    return int(number)


def move(course: Course, etivity: Etivity, direction: str, actor: User, at: datetime) -> None:
    """"up" and "down" within its stage; "stage-N" to the end of stage N."""
    siblings = course.etivities_in(etivity.stage_number)
    index = siblings.index(etivity)
    if direction in ("up", "down"):
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            raise DesignError(f"{etivity.title} is already {'first' if other < 0 else 'last'} "
                              "in its stage.")
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            sibling.position = position
        summary = f"Moved {etivity.title} {direction} in stage {etivity.stage_number}"
    else:
        old, new = etivity.stage_number, target_stage(direction)
        if old == new:
            raise DesignError(f"{etivity.title} is already in stage {new}.")
        etivity.stage_number = new
        etivity.position = _end_of(course, new, etivity)
        _renumber(course, old)
        summary = f"Moved {etivity.title} from stage {old} to stage {new}"
    etivity.version += 1
    db.session.flush()
    db.session.expire(course, ["etivities"])
    record(course, actor, "etivity-moved", summary, at, etivity)


def retire(course: Course, etivity: Etivity, actor: User, at: datetime) -> None:
    """Hide it from the map and from new work; its threads stay readable."""
    etivity.retired = True
    etivity.version += 1
    _renumber(course, etivity.stage_number)
    record(course, actor, "etivity-retired", f"Retired {etivity.title}", at, etivity)


def bring_back(course: Course, etivity: Etivity, actor: User, at: datetime) -> None:
    """Back at the end of its stage. Its rule may have changed while it was retired (a draft
    published, an upload): learners who meet it now complete it now."""
    etivity.retired = False
    etivity.position = _end_of(course, etivity.stage_number, etivity)
    etivity.version += 1
    record(course, actor, "etivity-restored", f"Brought back {etivity.title}", at, etivity)
    reevaluate(course, at)


def history(course: Course, etivity: Etivity | None = None):
    """The changes made in the designer to the course (or one of its e-tivities), newest
    first, with who made them: a query, to page through."""
    query = (select(CourseChange).where(CourseChange.course_id == course.id)
             .options(selectinload(CourseChange.actor), selectinload(CourseChange.etivity))
             .order_by(CourseChange.created_at.desc(), CourseChange.id.desc()))
    return query.where(CourseChange.etivity_id == etivity.id) if etivity else query


def courses_for(user: User) -> list[Course]:
    query = select(Course).order_by(Course.title)
    if not user.is_admin:
        query = query.join(CourseAuthor).where(CourseAuthor.user_id == user.id)
    return list(db.session.scalars(query))
