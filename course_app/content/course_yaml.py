"""course.yaml: the course's texts and its five stages."""

from __future__ import annotations

from pathlib import Path

from .fields import DAY_MAX, STAGE_MAX, WEEKLY_MINUTES_MAX, Fields, fields_of
from .reading import Doc, compose, read_text
from .specs import Problem, StageSpec

COURSE_FIELDS = ("title", "summary", "audience", "weekly_minutes", "stages")
STAGE_FIELDS = ("number", "title", "summary", "emoderator", "suggested_days")
STAGE_NUMBERS = tuple(range(1, STAGE_MAX + 1))


def read_course_yaml(folder: Path, root: Path, problems: list[Problem]) -> dict | None:
    """course.yaml: the course's texts and its five stages, as CourseSpec keyword arguments."""
    doc = Doc(f"{folder.name}/course.yaml", problems)
    missing = "there is no course.yaml; create it with title, summary, audience and stages"
    text = read_text(doc, folder / "course.yaml", root, missing)
    node = None if text is None else compose(doc, text)
    if node is None:
        return None
    before = len(problems)
    fields = fields_of(doc, node, "", COURSE_FIELDS, ", ".join(COURSE_FIELDS))
    if fields is None:
        return None
    head = {"title": fields.line("title"),
            **{key: fields.markdown(key, root) for key in ("summary", "audience")}}
    head["weekly_minutes"] = fields.whole("weekly_minutes", 1, WEEKLY_MINUTES_MAX,
                                          required=False)
    head["stages"] = _read_stages(doc, fields, root)
    head["lines"] = fields.lines()
    return head if len(problems) == before else None


def _read_stages(doc: Doc, fields: Fields, root: Path) -> tuple[StageSpec, ...] | None:
    """The stages list: stages 1–5, each exactly once, returned sorted by number."""
    items = fields.items("stages", "the five stages, numbered 1 to 5")
    if items is None:
        return None
    before = len(doc.problems)
    stages: list[StageSpec] = []
    seen: dict[int, int] = {}  # stage number -> line where it was first given
    for index, item in enumerate(items, start=1):
        stage = fields_of(doc, item, f"stages[{index}]", STAGE_FIELDS, ", ".join(STAGE_FIELDS))
        if stage is None:
            continue
        values = {
            "number": stage.whole("number", 1, STAGE_MAX),
            "title": stage.line("title"),
            "summary": stage.markdown("summary", root),
            "emoderator": stage.markdown("emoderator", root),
            "suggested_days": stage.whole("suggested_days", 1, DAY_MAX),
        }
        number = values["number"]
        if number in seen:
            message = (f"stage {number} is listed twice (also on line {seen[number]}); "
                       "list each stage once")
            doc.report(stage.node("number"), stage.name("number"), message)
        elif number is not None:
            seen[number] = doc.line(stage.node("number"))
        if None not in values.values():
            where = f"stages[{index}]"
            lines = {where: doc.line(item), **stage.lines()}
            stages.append(StageSpec(**values, where=where, lines=lines))
    for number in STAGE_NUMBERS:
        if number not in seen:
            message = f"stage {number} is missing; list stages 1 to 5 once each"
            doc.report(fields.node("stages"), "stages", message)
    return tuple(sorted(stages, key=lambda s: s.number)) if len(doc.problems) == before else None
