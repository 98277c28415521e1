"""From the database back to course content: `course_spec(course)` is the course as a
CourseSpec, the same shape the loader reads from a folder, so the designer checks a course
through the content/ validation and `course export` writes it with content/writing.py."""

from dataclasses import replace

from ..content import CompletionRule, CourseSpec, EtivitySpec, PieceTemplate, StageSpec
from ..content.specs import ModeratorDay, ToolkitSection
from ..content.writing import etivity_path
from .models import Course, Etivity, Stage


def stage_spec(stage: Stage) -> StageSpec:
    return StageSpec(number=stage.number, title=stage.title, summary=stage.summary,
                     emoderator=stage.emoderator, suggested_days=stage.suggested_days)


def etivity_spec(etivity: Etivity, position: int | None = None) -> EtivitySpec:
    """One e-tivity as the folder would describe it; `position` renumbers it within its stage."""
    spec = EtivitySpec(
        slug=etivity.slug, stage=etivity.stage_number,
        position=etivity.position if position is None else position,
        title=etivity.title, purpose=etivity.purpose, summary=etivity.summary,
        spark=etivity.spark, task=etivity.task, interaction=etivity.interaction,
        emoderator=etivity.emoderator, minutes=etivity.minutes, days=etivity.days,
        next=etivity.next, required=etivity.required,
        complete_when=CompletionRule(etivity.observe, etivity.interact, etivity.initiate),
        post_first=etivity.post_first, first_post_day=etivity.first_post_day,
        replies_day=etivity.replies_day,
        pieces=tuple(PieceTemplate(name=p["name"], body=p["body"]) for p in etivity.pieces or []),
        source="",
        observe_facilitators=etivity.observe_facilitators,
        toolkit=(ToolkitSection(etivity.toolkit_slug, etivity.toolkit_title)
                 if etivity.toolkit_slug else None),
        moderator_days=tuple(ModeratorDay(d["day"], d["note"])
                             for d in etivity.moderator_days or []),
    )
    return replace(spec, source=etivity_path(spec))


def course_spec(course: Course, slug: str | None = None) -> CourseSpec:
    """The course's current (not retired) content, e-tivities numbered 1, 2, … in each stage
    in their order; `slug` gives the copy another slug (duplicating a course)."""
    etivities = []
    for stage in course.stages:
        for position, etivity in enumerate(course.etivities_in(stage.number), start=1):
            etivities.append(etivity_spec(etivity, position))
    return CourseSpec(slug=slug or course.slug, title=course.title, summary=course.summary,
                      audience=course.audience, weekly_minutes=course.weekly_minutes,
                      stages=tuple(stage_spec(s) for s in course.stages),
                      etivities=tuple(etivities))
