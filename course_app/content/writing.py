"""Writing a CourseSpec back out as a course folder (the format in modules/README.md).

The other direction of `loader`: `folder_files(spec)` gives every file's path (relative to the
course folder) and text, so the same files can go to disk (`write_folder`) or into a zip.
Reading what this writes gives the same spec again; formatting is normalised (long text is
folded at 88 columns, text with line breaks is written as a literal block).
"""

from __future__ import annotations

import os
import secrets
import shutil
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


class FolderNotWritten(Exception):
    """`write_folder` could not write the course: `place` is the folder that refused,
    `error` the OSError that said so. The folder written to is as it was before."""

    def __init__(self, place: Path, error: OSError):
        super().__init__(f"{place}: {error}")
        self.place, self.error = place, error


def _beside(folder: Path, what: str) -> Path:
    return folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.{what}")


def _keep_others(folder: Path, new: Path) -> None:
    """Copy into `new` what `folder` holds besides the course's own files (course.yaml and
    etivities/*.md), such as images/: the export replaces only those."""
    def own(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        if here == folder:
            return {"course.yaml"} & set(names)
        if here == folder / "etivities":
            return {name for name in names if name.endswith(".md")}
        return set()

    shutil.copytree(folder, new, symlinks=True, ignore=own, dirs_exist_ok=True)


def _swap(new: Path, folder: Path) -> None:
    """Put `new` where `folder` is: two renames in one parent folder, undone if the second
    fails."""
    if not folder.exists():
        os.rename(new, folder)
        return
    old = _beside(folder, "old")
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except OSError:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_folder(spec: CourseSpec, folder: str | os.PathLike) -> list[Path]:
    """Write the course as `folder` (made if absent), whole or not at all: the files go into
    a new folder beside it, which then takes its place. An e-tivity taken out of the course
    doesn't linger (the old .md files go), and what else the folder held (images/) is kept.
    On any failure `folder` is as it was and nothing is left beside it: FolderNotWritten
    names the folder that refused. Returns the paths written."""
    folder = Path(folder)
    if folder.is_symlink():
        folder = folder.resolve()
    files = folder_files(spec)
    new = _beside(folder, "new")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        new.mkdir()
    except OSError as error:
        raise FolderNotWritten(_refused_at(error, folder.parent), error) from None
    try:
        if folder.is_dir():
            _keep_others(folder, new)
        for relative, text in files.items():
            path = new / relative
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _swap(new, folder)
    except OSError as error:
        shutil.rmtree(new, ignore_errors=True)
        inside = error.filename and Path(error.filename).is_relative_to(new)
        raise FolderNotWritten(folder if inside else _refused_at(error, folder.parent),
                               error) from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return [folder / relative for relative in files]


def _refused_at(error: OSError, fallback: Path) -> Path:
    """The folder in which a file or folder could not be made."""
    return Path(error.filename).parent if error.filename else fallback
