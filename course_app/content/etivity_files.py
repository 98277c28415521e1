"""etivities/*.md: each file's front matter and spark, and the checks across files."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..text import is_blank
from .fields import (
    COUNT_MAX,
    DAY_MAX,
    MINUTES_MAX,
    SLUG,
    STAGE_MAX,
    Fields,
    fields_of,
    slug_message,
)
from .links import check_links
from .reading import Doc, compose, read_text, split_front_matter
from .specs import (
    CompletionRule,
    EtivitySpec,
    ModeratorDay,
    PieceTemplate,
    Problem,
    ToolkitSection,
)

ETIVITY_FIELDS = (
    "slug", "stage", "title", "purpose", "summary", "task", "interaction", "emoderator",
    "minutes", "days", "next", "required", "complete_when", "post_first", "first_post_day",
    "replies_day", "pieces", "observe_facilitators", "toolkit", "moderator_days",
)  # fmt: skip
COUNT_FIELDS = ("observe", "interact", "initiate")
PIECE_FIELDS = ("name", "body")
TOOLKIT_FIELDS = ("slug", "title")
MODERATOR_DAY_FIELDS = ("day", "note")


def read_etivities(folder: Path, root: Path,
                   problems: list[Problem]) -> tuple[EtivitySpec, ...] | None:
    """Every etivities/*.md, checked one by one and across files (unique slugs), in course order."""
    directory = folder / "etivities"
    doc = Doc(f"{folder.name}/etivities", problems)
    if not directory.is_dir():
        doc.add(None, None,
                "there is no etivities/ folder; create it and add one .md file per e-tivity")
        return None
    paths = sorted(
        (p for p in directory.iterdir() if p.suffix == ".md" and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    if not paths:
        doc.add(None, None, "has no .md files; add one file per e-tivity")
        return None
    before = len(problems)
    slugs: dict[str, str] = {}  # slug -> the file that used it first
    toolkits: dict[str, str] = {}  # toolkit section slug -> the file that used it first
    specs = [_read_etivity(folder, root, path, problems, (slugs, toolkits)) for path in paths]
    if len(problems) > before:
        return None
    return _in_course_order([spec for spec in specs if spec is not None])


def _in_course_order(specs: list[EtivitySpec]) -> tuple[EtivitySpec, ...]:
    """Sorted by (stage, file name), each numbered 1, 2, … within its stage."""
    counts: Counter[int] = Counter()
    ordered = []
    for spec in sorted(specs, key=lambda e: (e.stage, e.source)):
        counts[spec.stage] += 1
        ordered.append(replace(spec, position=counts[spec.stage]))
    return tuple(ordered)


def _read_etivity(
    folder: Path, root: Path, path: Path, problems: list[Problem],
    seen: tuple[dict[str, str], dict[str, str]],
) -> EtivitySpec | None:
    """One e-tivity file: front matter fields, then the spark."""
    source = path.relative_to(folder).as_posix()
    doc = Doc(f"{folder.name}/{source}", problems)
    text = read_text(doc, path, root, "is missing")
    parts = None if text is None else split_front_matter(doc, text)
    if parts is None:
        return None
    front_matter, body, body_line = parts
    before = len(problems)
    doc.first_line = 2  # the YAML starts after the opening '---'
    node = compose(doc, front_matter)
    spark = _read_spark(doc, body, body_line, root)
    hint = "the fields described in modules/README.md"
    fields = None if node is None else fields_of(doc, node, "", ETIVITY_FIELDS, hint)
    if fields is None:
        return None
    slugs, toolkits = seen
    lines = {**fields.lines(), "body": body_line}
    values = {
        "slug": _read_slug(doc, fields, slugs),
        "stage": fields.whole("stage", 1, STAGE_MAX),
        "title": fields.line("title"),
        "purpose": fields.markdown("purpose", root),
        "summary": fields.markdown("summary", root),
        "task": fields.markdown("task", root),
        "interaction": fields.markdown("interaction", root),
        "emoderator": fields.markdown("emoderator", root),
        "minutes": fields.whole("minutes", 1, MINUTES_MAX),
        "days": fields.whole("days", 1, DAY_MAX),
        "next": fields.markdown("next", root),
        "required": fields.flag("required", True),
        "complete_when": _read_completion(fields, lines),
        "post_first": fields.flag("post_first", False),
        "first_post_day": fields.whole("first_post_day", 1, DAY_MAX, required=False),
        "replies_day": fields.whole("replies_day", 1, DAY_MAX, required=False),
        "pieces": _read_pieces(doc, fields, root),
        "observe_facilitators": fields.flag("observe_facilitators", False),
        "toolkit": _read_toolkit(fields, toolkits),
        "moderator_days": _read_moderator_days(doc, fields, lines, root),
    }
    _check_replies_day(fields, values["first_post_day"], values["replies_day"])
    if len(problems) > before:
        return None
    return EtivitySpec(position=0, spark=spark, source=source, lines=lines, **values)


def _read_slug(doc: Doc, fields: Fields, slugs: dict[str, str]) -> str | None:
    """The slug keys the e-tivity in the database, so it must be well formed and unique."""
    slug = fields.text("slug")
    if slug is None:
        return None
    node = fields.node("slug")
    if not SLUG.fullmatch(slug):
        doc.report(node, "slug", slug_message(slug, "slug"))
        return None
    if slug in slugs:
        message = f"{slug!r} is also the slug of {slugs[slug]}; give each e-tivity its own slug"
        doc.report(node, "slug", message)
        return None
    slugs[slug] = doc.file
    return slug


def _read_completion(fields: Fields, lines: dict[str, int]) -> CompletionRule | None:
    """complete_when: counts default to 0; only observe, interact and initiate are allowed."""
    counts = fields.child("complete_when", COUNT_FIELDS, "observe, interact and initiate counts")
    if counts is None:
        return None
    lines.update(counts.lines())
    values = {key: counts.whole(key, 0, COUNT_MAX, required=False, default=0)
              for key in COUNT_FIELDS}
    return None if None in values.values() else CompletionRule(**values)


def _read_pieces(doc: Doc, fields: Fields, root: Path) -> tuple[PieceTemplate, ...] | None:
    """Optional conversation-piece templates; a learner picks one by name, so names are unique."""
    items = fields.items("pieces", "conversation pieces, each with a name and a body",
                         required=False)
    if items is None:
        return None
    pieces: list[PieceTemplate] = []
    names: dict[str, str] = {}  # name -> field of the piece that used it first
    for index, item in enumerate(items, start=1):
        piece = fields_of(doc, item, f"pieces[{index}]", PIECE_FIELDS, "a name and a body")
        if piece is None:
            continue
        name, body = piece.line("name"), piece.markdown("body", root)
        if name in names:
            message = f"{name!r} is already the name of {names[name]}; give each piece its own name"
            doc.report(piece.node("name"), piece.name("name"), message)
        elif name is not None:
            names[name] = f"pieces[{index}]"
        if name is not None and body is not None:
            pieces.append(PieceTemplate(name=name, body=body))
    return tuple(pieces)


def _read_toolkit(fields: Fields, toolkits: dict[str, str]) -> ToolkitSection | None:
    """Optional `toolkit: {slug, title}`: the toolkit section this e-tivity builds."""
    hint = "the section's slug and title, e.g. slug: phrase-book and title: Phrase book"
    section = fields.child("toolkit", TOOLKIT_FIELDS, hint, required=False)
    slug = None if section is None else section.text("slug")
    title = None if section is None else section.line("title")
    if slug is None or title is None:
        return None
    node, name = section.node("slug"), section.name("slug")
    if not SLUG.fullmatch(slug):
        fields.doc.report(node, name, slug_message(slug, "toolkit slug"))
        return None
    if slug in toolkits:
        message = (f"{slug!r} is also the toolkit section of {toolkits[slug]}; "
                   "each toolkit section is built by one e-tivity")
        fields.doc.report(node, name, message)
        return None
    toolkits[slug] = fields.doc.file
    return ToolkitSection(slug=slug, title=title)


def _read_moderator_days(doc: Doc, fields: Fields, lines: dict[str, int],
                         root: Path) -> tuple[ModeratorDay, ...] | None:
    """Optional `moderator_days:` list of {day, note}, one note per day, sorted by day."""
    hint = "what the e-moderator does on a day, each with a day and a note"
    items = fields.items("moderator_days", hint, required=False)
    if items is None:
        return None
    days: dict[int, str] = {}  # day -> field of the entry that gave it first
    notes: list[ModeratorDay] = []
    for index, item in enumerate(items, start=1):
        entry = fields_of(doc, item, f"moderator_days[{index}]", MODERATOR_DAY_FIELDS,
                          "a day and a note")
        if entry is None:
            continue
        lines.update(entry.lines())
        day, note = entry.whole("day", 1, DAY_MAX), entry.markdown("note", root)
        if day in days:
            message = (f"day {day} is already given in {days[day]}; "
                       "put everything for one day in one note")
            doc.report(entry.node("day"), entry.name("day"), message)
        elif day is not None:
            days[day] = f"moderator_days[{index}]"
            if note is not None:
                notes.append(ModeratorDay(day=day, note=note, line=doc.line(entry.node("day"))))
    return tuple(sorted(notes, key=lambda n: n.day))


def _check_replies_day(fields: Fields, first_post_day: int | None, replies_day: int | None) -> None:
    """Replies can't be suggested before the first posts they answer."""
    if first_post_day is not None and replies_day is not None and replies_day < first_post_day:
        message = (
            f"is day {replies_day}, before first_post_day (day {first_post_day}); "
            f"make it {first_post_day} or later"
        )
        fields.doc.report(fields.node("replies_day"), "replies_day", message)


def _read_spark(doc: Doc, body: str, body_line: int, root: Path) -> str:
    """The Markdown body, stripped; it must say something and link only to safe places."""
    spark = body.strip()
    if is_blank(spark):
        how = "write the picture, quote, scenario or question that starts the conversation"
        doc.add(body_line - 1, "body",
                f"the spark (the Markdown after the front matter) is empty; {how}")
    check_links(doc, body, body_line, root)
    return spark
