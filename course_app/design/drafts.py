"""Draft and publish: an author's edits wait as drafts (models.DesignDraft) until an author
publishes the course; learners, the e-tivity and map pages, progress rules and imports of
evidence read only the published rows.

Saving a draft of an existing e-tivity counts in Etivity.version (so the second of two
authors is refused, services.VersionConflict); a new e-tivity's draft counts in its own
version. A draft that comes back to the published text is dropped. Publishing applies every
draft in one transaction through services.publish_etivity and services.save_course (so each
change is recorded in the history and the cohorts' audit logs), earns what changed rules
now allow, and never takes a completion back. Drafts themselves are audited in the
security log only: no learner sees them.
"""

from datetime import datetime

from sqlalchemy import select, update

from .. import security_log
from ..auth.models import User
from ..content import EtivitySpec
from ..courses.models import Course, Etivity
from ..courses.services import etivity_fields
from ..database import added
from ..extensions import db
from . import services
from .models import DesignDraft

COURSE_KEY = ""  # the key of the course's (and its stages') texts
# The course's and each stage's texts an author edits on "Course and stage texts".
COURSE_TEXTS = ("title", "summary", "audience", "weekly_minutes")
STAGE_TEXTS = ("title", "summary", "emoderator", "suggested_days")


def pending(course: Course, fresh: bool = False) -> list[DesignDraft]:
    """The course's drafts: its texts first, then e-tivities by stage and title (`fresh`:
    as the database holds them now, not as this session read them earlier)."""
    drafts = db.session.scalars(select(DesignDraft).where(
        DesignDraft.course_id == course.id).execution_options(populate_existing=fresh)).all()
    return sorted(drafts, key=lambda d: (d.key != COURSE_KEY, stage_of(d),
                                         d.fields.get("title", "")))


def draft_for(course: Course, key: str) -> DesignDraft | None:
    return db.session.scalar(select(DesignDraft).where(
        DesignDraft.course_id == course.id, DesignDraft.key == key))


def _fresh_draft(course: Course, key: str) -> DesignDraft | None:
    """The draft as the database holds it now (not as this session read it earlier)."""
    return db.session.scalar(select(DesignDraft).where(
        DesignDraft.course_id == course.id, DesignDraft.key == key)
        .execution_options(populate_existing=True))


def _count_save(row: Course | Etivity | DesignDraft, name: str, seen: int | None,
                force: bool) -> bool:
    """Count one save in the row's version column `name`, in one statement (version =
    version + 1 where it is still `seen`, unless `force`): of two saves from the same version
    one counts and the other gets False, however close together. The row stays locked until
    the commit, so what is read after this is what the save before it left."""
    column = getattr(type(row), name)
    query = update(type(row)).where(type(row).id == row.id)
    if seen is not None and not force:
        query = query.where(column == seen)
    counted = db.session.execute(query.values({column: column + 1}),
                                 execution_options={"synchronize_session": False}).rowcount
    db.session.expire(row, [name])
    return counted == 1


def _conflict(course: Course, etivity: Etivity | None, key: str,
              fields: dict) -> services.VersionConflict:
    """The e-tivity's draft was saved since this author opened it: their text against what
    is saved now."""
    draft = _fresh_draft(course, key)
    saved = etivity.version if etivity is not None else (draft.version if draft else 0)
    now = current(etivity, draft)
    return services.VersionConflict(saved, {name: [now.get(name), value] for name, value
                                            in fields.items() if now.get(name) != value})


def stage_of(draft: DesignDraft) -> int:
    return draft.etivity.stage_number if draft.etivity else (draft.stage or 0)


def _audit(action: str, actor: User, course: Course, key: str) -> None:
    security_log.record(f"design.{action}", user=actor, course=course.slug, etivity=key)


def _fields(spec: EtivitySpec) -> dict:
    return {k: v for k, v in etivity_fields(spec).items() if k not in services.PLACE_FIELDS}


def current(etivity: Etivity | None, draft: DesignDraft | None) -> dict:
    """The e-tivity as its author sees it: the draft over the published fields."""
    published = ({name: getattr(etivity, name) for name in _published_names()}
                 if etivity is not None else {})
    return {**published, **(draft.fields if draft else {})}


def _published_names() -> tuple[str, ...]:
    return tuple(c.key for c in Etivity.__table__.columns
                 if c.key not in {"id", "course_id", "slug", "version", *services.PLACE_FIELDS})


def save_etivity(course: Course, etivity: Etivity | None, spec: EtivitySpec, actor: User,
                 at: datetime, version: int | None = None,
                 force: bool = False) -> DesignDraft | None:
    """Keep the checked spec as the e-tivity's draft (a new e-tivity's, when `etivity` is
    None). Refuses with VersionConflict when it was saved since `version`, unless `force`.
    Returns the draft, or None when the text is back to the published one."""
    fields = _fields(spec)
    lock(course, shared=True)  # the course, then the e-tivity: publish's order
    if etivity is not None and not _count_save(etivity, "version", version, force):
        raise _conflict(course, etivity, spec.slug, fields)
    draft = _fresh_draft(course, spec.slug)  # after the count: as the save before left it
    if etivity is None and draft is None:
        if any(e.slug == spec.slug for e in course.etivities):
            raise services.DesignError(
                f"{spec.slug!r} is the slug of a retired e-tivity of this course; choose "
                "another, or bring that one back.")
        draft = DesignDraft(course=course, key=spec.slug, stage=spec.stage, fields=fields,
                            author_id=actor.id, updated_at=at)
        if not added(draft):  # another author's first save of this new e-tivity came first
            raise _conflict(course, None, spec.slug, fields)
        _audit("draft-added", actor, course, spec.slug)
        return draft
    # A new e-tivity's form that saw no draft (no version) meets another author's draft.
    if etivity is None and not _count_save(draft, "version", version or 0, force):
        raise _conflict(course, None, spec.slug, fields)
    if etivity is not None:
        fields = {k: v for k, v in fields.items() if getattr(etivity, k) != v}
        if not fields:
            if draft is not None:
                db.session.delete(draft)
            db.session.flush()
            _audit("draft-saved", actor, course, spec.slug)
            return None
    if draft is None:
        draft = DesignDraft(course=course, etivity=etivity, key=spec.slug, fields=fields,
                            author_id=actor.id, updated_at=at)
        if not added(draft):
            raise _conflict(course, etivity, spec.slug, fields)
    elif etivity is not None:
        draft.version += 1  # (a new e-tivity's draft was counted above)
    draft.fields, draft.author_id, draft.updated_at = fields, actor.id, at
    db.session.flush()
    _audit("draft-saved", actor, course, spec.slug)
    return draft


def move_new(course: Course, draft: DesignDraft, direction: str, actor: User) -> int:
    """Move a new e-tivity's draft to the end of another stage ("stage-N", as
    services.move), where it is added when published; up and down wait until then. Returns
    the stage."""
    if not draft.is_new:
        raise services.DesignError("Only a new e-tivity's draft moves this way.")
    if direction in ("up", "down"):
        raise services.DesignError(
            f"{draft.what} is new: it ends its stage until you "
            "publish it. Choose a stage to move it to, or move it up or down once it is "
            "published.")
    stage = services.target_stage(direction)
    if stage == draft.stage:
        raise services.DesignError(f"It is already in stage {stage}.")
    draft.stage = stage
    db.session.flush()
    _audit("draft-moved", actor, course, draft.key)
    return stage


def copy_etivity(course: Course, etivity: Etivity, actor: User, at: datetime) -> DesignDraft:
    """A copy as a new e-tivity's draft, with a new slug ("…-copy", "…-copy-2") and title
    ("… (copy)", "… (copy 2)") and the original's text (its draft's, if it has one)."""
    taken = {e.slug for e in course.etivities} | {d.key for d in pending(course)}
    slug, n = f"{etivity.slug}-copy"[:80], 1
    while slug in taken:
        n += 1
        slug = f"{etivity.slug}-copy-{n}"[:80]
    fields = current(etivity, draft_for(course, etivity.slug))
    fields["title"] = f"{fields['title']} ({'copy' if n == 1 else f'copy {n}'})"[:200]
    draft = DesignDraft(course=course, key=slug, stage=etivity.stage_number, fields=fields,
                        author_id=actor.id, updated_at=at)
    db.session.add(draft)
    db.session.flush()
    _audit("draft-added", actor, course, slug)
    return draft


def restore(course: Course, etivity: Etivity, before: dict, actor: User,
            at: datetime) -> DesignDraft | None:
    """A new draft (or the current one changed) holding the fields as they were before a
    recorded change."""
    draft = draft_for(course, etivity.slug)
    names = set(_published_names())
    fields = {**(draft.fields if draft else {}),
              **{k: v for k, v in before.items() if k in names}}
    fields = {k: v for k, v in fields.items() if getattr(etivity, k) != v}
    etivity.version += 1
    if not fields:
        if draft is not None:
            db.session.delete(draft)
        db.session.flush()
        return None
    if draft is None:
        draft = DesignDraft(course=course, etivity=etivity, key=etivity.slug)
        db.session.add(draft)
    draft.fields, draft.author_id, draft.updated_at = fields, actor.id, at
    db.session.flush()
    _audit("draft-restored", actor, course, etivity.slug)
    return draft


def course_texts(course: Course, draft: DesignDraft | None) -> dict[str, object]:
    """The course's and stages' texts as its authors see them (the draft over the published),
    by the names save_course's changes use: "title", "stages[2].summary"."""
    texts: dict[str, object] = {name: getattr(course, name) for name in COURSE_TEXTS}
    for stage in course.stages:
        texts.update({f"stages[{stage.number}].{name}": getattr(stage, name)
                      for name in STAGE_TEXTS})
    if draft is not None:
        texts.update(draft.fields["course"])
        for number, values in draft.fields["stages"].items():
            texts.update({f"stages[{number}].{name}": value for name, value in values.items()})
    return texts


def save_course(course: Course, fields: dict, stages: dict[int, dict], actor: User,
                at: datetime, version: int | None = None,
                force: bool = False) -> DesignDraft | None:
    """Keep checked course and stage texts as the course's draft (None: same as published).
    Refuses with VersionConflict when they were saved (or published) since `version`,
    unless `force`."""
    if not _count_save(course, "texts_version", version, force):
        raise _course_conflict(course, fields, stages)
    draft = _fresh_draft(course, COURSE_KEY)  # after the count: as the save before left it
    by_number = {stage.number: stage for stage in course.stages}
    same = all(getattr(course, k) == v for k, v in fields.items()) and all(
        getattr(by_number[n], k) == v for n, values in stages.items() for k, v in values.items())
    if same:
        if draft is not None:
            db.session.delete(draft)
        db.session.flush()
        return None
    texts = {"course": fields, "stages": {str(n): v for n, v in stages.items()}}
    if draft is None:
        draft = DesignDraft(course=course, key=COURSE_KEY, fields=texts)
        if not added(draft):
            raise _course_conflict(course, fields, stages)
    draft.fields = texts
    draft.author_id, draft.updated_at = actor.id, at
    db.session.flush()
    _audit("draft-saved", actor, course, "")
    return draft


def _course_conflict(course: Course, fields: dict,
                     stages: dict[int, dict]) -> services.VersionConflict:
    """The course's texts were saved since this author opened them: theirs against now's."""
    now = course_texts(course, _fresh_draft(course, COURSE_KEY))
    mine = {**fields, **{f"stages[{n}].{name}": value for n, values in stages.items()
                         for name, value in values.items()}}
    return services.VersionConflict(
        course.texts_version,
        {name: [now.get(name), value] for name, value in mine.items() if now.get(name) != value},
        what="the course's texts")


def discard(course: Course, draft: DesignDraft, actor: User) -> None:
    if draft.etivity is not None:
        draft.etivity.version += 1  # an open form's save must not bring it back unseen
    elif draft.key == COURSE_KEY:
        course.texts_version += 1
    db.session.delete(draft)
    db.session.flush()
    _audit("draft-discarded", actor, course, draft.key)


def lock(course: Course, shared: bool = False) -> None:
    """Take the course's row until the commit: one publish at a time, so the second of two
    reads the drafts the first left (none), and records nothing twice. `shared`: an e-tivity's
    save, which many may do at once, but not while a publish reads and deletes the drafts
    (its draft would be deleted unpublished)."""
    db.session.get(Course, course.id, with_for_update={"read": True} if shared else True,
                   populate_existing=True)


def publish(course: Course, actor: User, at: datetime) -> int:
    """Apply every draft of the course; returns how many (0 when another author has just
    published them). The caller commits (one transaction: a DesignError leaves everything as
    it was after a rollback)."""
    lock(course)
    drafts = pending(course, fresh=True)  # read again under the lock
    rules = False
    for draft in drafts:
        if draft.key == COURSE_KEY:
            services.save_course(course, draft.fields["course"],
                                 {int(n): v for n, v in draft.fields["stages"].items()},
                                 actor, at)
        else:
            rules |= services.publish_etivity(course, draft.etivity, draft.key,
                                              stage_of(draft), draft.fields, actor, at)
        db.session.delete(draft)
    db.session.flush()
    if rules:
        services.reevaluate(course, at)
    if drafts:
        security_log.record("design.published", user=actor, course=course.slug,
                            etivity=str(len(drafts)))
    return len(drafts)
