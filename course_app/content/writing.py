"""Writing a CourseSpec back out as a course folder (the format in modules/README.md).

The other direction of `loader`: `folder_files(spec)` gives every file's path (relative to the
course folder) and text, so the same files can go to disk (`write_folder`) or into a zip.
Reading what this writes gives the same spec again; formatting is normalised (long text is
folded at 88 columns, text with line breaks is written as a literal block).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .reading import LOADER
from .specs import CourseSpec, EtivitySpec

WIDTH = 88


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as the documented examples write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > WIDTH - 20:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def dump_yaml(data: dict) -> str:
    """YAML for `data` in the folder's style; falls back to PyYAML's own quoting for any text a
    block style could not carry exactly (trailing spaces, tabs), so reading it gives `data`."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH)
    # LOADER is PyYAML's safe loader (its C one where built): no objects are made.
    if yaml.load(text, Loader=LOADER) != data:  # nosec B506
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=WIDTH)
    return text


def course_yaml(spec: CourseSpec) -> str:
    return dump_yaml({
        "title": spec.title,
        "summary": spec.summary,
        "audience": spec.audience,
        **({"weekly_minutes": spec.weekly_minutes} if spec.weekly_minutes else {}),
        "stages": [{
            "number": stage.number,
            "title": stage.title,
            "summary": stage.summary,
            "emoderator": stage.emoderator,
            "suggested_days": stage.suggested_days,
        } for stage in spec.stages],
    })


def front_matter(etivity: EtivitySpec) -> dict:
    """The e-tivity's fields in the documented order; optional ones only when they say
    something (defaults are left out)."""
    data: dict = {
        "slug": etivity.slug, "stage": etivity.stage, "title": etivity.title,
        "purpose": etivity.purpose, "summary": etivity.summary, "task": etivity.task,
        "interaction": etivity.interaction, "emoderator": etivity.emoderator,
        "minutes": etivity.minutes, "days": etivity.days, "next": etivity.next,
        "required": etivity.required,
    }
    counts = {k: v for k, v in etivity.complete_when.as_dict().items() if v}
    data["complete_when"] = counts or {"observe": 0}
    if etivity.post_first:
        data["post_first"] = True
    if etivity.first_post_day is not None:
        data["first_post_day"] = etivity.first_post_day
    if etivity.replies_day is not None:
        data["replies_day"] = etivity.replies_day
    if etivity.pieces:
        data["pieces"] = [{"name": p.name, "body": p.body} for p in etivity.pieces]
    if etivity.observe_facilitators:
        data["observe_facilitators"] = True
    if etivity.toolkit is not None:
        data["toolkit"] = {"slug": etivity.toolkit.slug, "title": etivity.toolkit.title}
    if etivity.moderator_days:
        data["moderator_days"] = [day.as_dict() for day in etivity.moderator_days]
    return data


def etivity_text(fields: dict, spark: str) -> str:
    """An e-tivity file: the front matter fields between '---' lines, then the spark."""
    return f"---\n{dump_yaml(fields)}---\n{spark.strip()}\n"


def etivity_file(etivity: EtivitySpec) -> str:
    return etivity_text(front_matter(etivity), etivity.spark)


def etivity_path(etivity: EtivitySpec) -> str:
    """etivities/<stage>-<position, two digits>-<slug>.md: file names sort in course order."""
    return f"etivities/{etivity.stage}-{etivity.position:02d}-{etivity.slug}.md"


def folder_files(spec: CourseSpec) -> dict[str, str]:
    """{path inside the course folder: text} for every file of the course."""
    files = {"course.yaml": course_yaml(spec)}
    for etivity in spec.etivities:
        files[etivity_path(etivity)] = etivity_file(etivity)
    return files


def write_folder(spec: CourseSpec, folder: str | os.PathLike) -> list[Path]:
    """Write the course into `folder` (made if absent). Existing .md files in its etivities/
    are removed first, so an e-tivity taken out of the course doesn't linger. Returns the
    paths written."""
    folder = Path(folder)
    etivities = folder / "etivities"
    etivities.mkdir(parents=True, exist_ok=True)
    for old in etivities.glob("*.md"):
        old.unlink()
    written = []
    for relative, text in folder_files(spec).items():
        path = folder / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
