"""Read a course folder (format: modules/README.md) and report everything wrong with it.

`validate_course` and `load_course` share one pass over the folder that collects every problem
instead of stopping at the first, so an author can fix a whole folder in one go. YAML is only
*composed* (never constructed into arbitrary objects): each value keeps its line for the
report, and no tag can make the loader run code.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from markdown_it import MarkdownIt
from yaml.constructor import SafeConstructor

from .specs import (
    CompletionRule,
    CourseSpec,
    EtivitySpec,
    PieceTemplate,
    Problem,
    StageSpec,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STAGE_NUMBERS = (1, 2, 3, 4, 5)
WEB_SCHEMES = ("http", "https", "mailto")

COURSE_FIELDS = ("title", "summary", "audience", "stages")
STAGE_FIELDS = ("number", "title", "summary", "emoderator", "suggested_days")
ETIVITY_FIELDS = (
    "slug", "stage", "title", "purpose", "summary", "task", "interaction", "emoderator",
    "minutes", "days", "next", "required", "complete_when", "post_first", "first_post_day",
    "replies_day", "pieces",
)  # fmt: skip
COUNT_FIELDS = ("observe", "interact", "initiate")
PIECE_FIELDS = ("name", "body")

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT = _TAG + "null", _TAG + "bool", _TAG + "int"
# Scalars an author may mean as text: `title: 2024` or `title: Yes` is read as written.
TEXT_TAGS = {_TAG + kind for kind in ("str", "int", "float", "bool", "timestamp")}


class ContentError(Exception):
    """A course folder has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in the course folder:"]
        super().__init__("\n".join(lines + [f"  {p}" for p in self.problems]))


def validate_course(path: str | os.PathLike) -> list[Problem]:
    """Every problem in the course folder at `path`; [] when it is valid. Never raises for bad content."""
    return _read_course(path)[1]


def load_course(path: str | os.PathLike) -> CourseSpec:
    """The course at `path`, or ContentError listing every problem when there is any."""
    course, problems = _read_course(path)
    if problems or course is None:
        raise ContentError(problems)
    return course


# --- the folder -------------------------------------------------------------------------------


def _read_course(path: str | os.PathLike) -> tuple[CourseSpec | None, list[Problem]]:
    """The one pass behind both public functions: the spec is built only when nothing is wrong."""
    folder = Path(os.path.abspath(path))  # not resolved: the folder's own name is the slug
    problems: list[Problem] = []
    if not folder.is_dir():
        message = f"there is no course folder at {os.fspath(path)}; check the path"
        return None, [Problem(folder.name, None, None, message)]
    if not SLUG.fullmatch(folder.name):
        problems.append(Problem(folder.name, None, "slug", _slug_message(folder.name, "folder name")))
    root = Path(os.path.realpath(folder))
    head = _read_course_yaml(folder, root, problems)
    etivities = _read_etivities(folder, root, problems)
    if problems or head is None or etivities is None:
        return None, _in_reading_order(problems)
    return CourseSpec(slug=folder.name, etivities=etivities, **head), problems


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Files in the order they were read, and each file's problems from top to bottom."""
    files = {problem.file: index for index, problem in reversed(list(enumerate(problems)))}
    return sorted(problems, key=lambda p: (files[p.file], p.line or 0))


def _inside(path: Path, root: Path) -> bool:
    """Whether `path`, after following `..` and symlinks, is still inside the course folder."""
    return Path(os.path.realpath(path)).is_relative_to(root)


class _Doc:
    """One file being checked: where its problems go, and how YAML lines map to file lines."""

    def __init__(self, file: str, problems: list[Problem], first_line: int = 1):
        self.file = file
        self.problems = problems
        self.first_line = first_line  # the file line on which the YAML text starts

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def report(self, node: yaml.Node, field: str | None, message: str) -> None:
        self.add(self.line(node), field, message)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line


def _read_text(doc: _Doc, path: Path, root: Path, missing: str) -> str | None:
    """A file's text, provided it exists, stays inside the course folder and is UTF-8."""
    if not path.exists() and not path.is_symlink():
        doc.add(None, None, missing)
        return None
    if not _inside(path, root):
        doc.add(None, None, "is a link to a file outside the course folder; copy the file in instead")
        return None
    if not path.is_file():
        doc.add(None, None, "is not a file (a broken link?); replace it with the real file")
        return None
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        doc.add(None, None, "is not UTF-8 text; save it again as UTF-8")
    except OSError as error:
        doc.add(None, None, f"can't be read ({error.strerror}); check its permissions")
    return None


def _compose(doc: _Doc, text: str) -> yaml.Node | None:
    """The YAML as a node tree (values keep their lines), or None after reporting why not."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "it is not valid YAML"
        hint = "check the indentation, and put text that contains ': ' or ' #' in quotes"
        doc.add(mark and mark.line + doc.first_line, None, f"the YAML can't be read: {what}; {hint}")
        return None
    except yaml.YAMLError as error:
        doc.add(None, None, f"the YAML can't be read: {error}")
        return None
    if node is None:
        doc.add(doc.first_line, None, "has no fields; add those described in modules/README.md")
    return node


# --- reading fields with their types ----------------------------------------------------------


class _Fields:
    """The fields of one YAML mapping. Unknown and repeated keys are reported on creation;
    each getter checks one field's type and returns None after reporting a problem."""

    def __init__(self, doc: _Doc, node: yaml.MappingNode, where: str, allowed: tuple[str, ...]):
        self.doc, self.mapping, self.where = doc, node, where
        self.values: dict[str, yaml.Node] = {}
        keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                field = self.name(key) if key is not None else self.where or None
                doc.report(key_node, field, _unknown_message(key, allowed))
            elif key in keys:
                line = doc.line(keys[key])
                doc.report(key_node, self.name(key), f"is given twice (also on line {line}); keep one")
            else:
                keys[key] = key_node
                if value_node.tag != NULL:  # `field:` with nothing after it counts as absent
                    self.values[key] = value_node

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def node(self, key: str) -> yaml.Node | None:
        return self.values.get(key)

    def _present(self, key: str, required: bool, hint: str) -> yaml.Node | None:
        node = self.values.get(key)
        if node is None and required:
            self.doc.report(self.mapping, self.name(key), f"is missing; add '{key}:' with {hint}")
        return node

    def _wrong(self, node: yaml.Node, key: str, message: str) -> None:
        self.doc.report(node, self.name(key), message)

    def text(self, key: str) -> str | None:
        """A required text field, stripped; empty text counts as missing."""
        node = self._present(key, True, "some text")
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in TEXT_TAGS:
            self._wrong(node, key, "must be text, not a list or a set of fields")
            return None
        if not node.value.strip():
            self._wrong(node, key, f"is empty; write some text after '{key}:'")
            return None
        return node.value.strip()

    def whole(
        self,
        key: str,
        minimum: int,
        maximum: int | None = None,
        *,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        """A whole number in range; `true`, `2.5` and `"2"` are not whole numbers."""
        wanted = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        node = self._present(key, required, f"a whole number {wanted}")
        if node is None:
            return default
        if node.tag == BOOL:
            message = f"{node.value} is not a number; write a whole number such as {minimum + 1}"
            self._wrong(node, key, message)
            return None
        if node.tag != INT:
            value = node.value if isinstance(node, yaml.ScalarNode) else "a list or set of fields"
            self._wrong(node, key, f"must be a whole number such as {minimum + 1}, not {value!r}")
            return None
        number = SafeConstructor().construct_yaml_int(node)
        if maximum is not None and not minimum <= number <= maximum:
            self._wrong(node, key, f"must be from {minimum} to {maximum}, not {number}")
        elif number < minimum:
            self._wrong(node, key, f"must be {minimum} or more, not {number}")
        else:
            return number
        return None

    def flag(self, key: str, default: bool) -> bool | None:
        """An optional true/false field."""
        node = self.values.get(key)
        if node is None:
            return default
        if node.tag != BOOL:
            value = node.value if isinstance(node, yaml.ScalarNode) else "a list or set of fields"
            self._wrong(node, key, f"must be true or false, not {value!r}")
            return None
        return SafeConstructor().construct_yaml_bool(node)

    def child(self, key: str, allowed: tuple[str, ...], hint: str) -> _Fields | None:
        """A required nested set of fields, such as complete_when."""
        node = self._present(key, True, hint)
        return None if node is None else _fields(self.doc, node, self.name(key), allowed, hint)

    def items(self, key: str, hint: str, required: bool = True) -> list[yaml.Node] | None:
        """The entries of a list field; [] when an optional list is absent."""
        node = self._present(key, required, hint)
        if node is None:
            return None if required else []
        if not isinstance(node, yaml.SequenceNode):
            self._wrong(node, key, f"must be a list ({hint}), each entry starting with '- '")
            return None
        return node.value


def _fields(doc: _Doc, node: yaml.Node, where: str, allowed: tuple[str, ...], hint: str) -> _Fields | None:
    """`node` read as a set of fields, or None after reporting that it isn't one."""
    if isinstance(node, yaml.MappingNode):
        return _Fields(doc, node, where, allowed)
    doc.report(node, where or None, f"must be a set of 'field: value' lines ({hint})")
    return None


def _unknown_message(key: str | None, allowed: tuple[str, ...]) -> str:
    """Says which field was probably meant, so a typo such as `sumary` is quick to fix."""
    if key is None:
        return "field names must be plain words"
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return f"is not a known field; {guess}the fields here are: {', '.join(allowed)}"


def _slug_message(slug: str, what: str) -> str:
    suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "introduce-yourself"
    return (
        f"the {what} {slug!r} may only use lower-case letters, digits and single hyphens "
        f"between words, e.g. {suggestion!r}"
    )


# --- course.yaml ------------------------------------------------------------------------------


def _read_course_yaml(folder: Path, root: Path, problems: list[Problem]) -> dict | None:
    """course.yaml: the course's texts and its five stages, as CourseSpec keyword arguments."""
    doc = _Doc(f"{folder.name}/course.yaml", problems)
    missing = "there is no course.yaml; create it with title, summary, audience and stages"
    text = _read_text(doc, folder / "course.yaml", root, missing)
    node = None if text is None else _compose(doc, text)
    if node is None:
        return None
    before = len(problems)
    fields = _fields(doc, node, "", COURSE_FIELDS, ", ".join(COURSE_FIELDS))
    if fields is None:
        return None
    head = {key: fields.text(key) for key in ("title", "summary", "audience")}
    head["stages"] = _read_stages(doc, fields)
    return head if len(problems) == before else None


def _read_stages(doc: _Doc, fields: _Fields) -> tuple[StageSpec, ...] | None:
    """The stages list: stages 1–5, each exactly once, returned sorted by number."""
    items = fields.items("stages", "the five stages, numbered 1 to 5")
    if items is None:
        return None
    before = len(doc.problems)
    stages: list[StageSpec] = []
    seen: dict[int, int] = {}  # stage number -> line where it was first given
    for index, item in enumerate(items, start=1):
        stage = _fields(doc, item, f"stages[{index}]", STAGE_FIELDS, ", ".join(STAGE_FIELDS))
        if stage is None:
            continue
        values = {
            "number": stage.whole("number", 1, 5),
            "title": stage.text("title"),
            "summary": stage.text("summary"),
            "emoderator": stage.text("emoderator"),
            "suggested_days": stage.whole("suggested_days", 1),
        }
        number = values["number"]
        if number in seen:
            message = f"stage {number} is listed twice (also on line {seen[number]}); list each stage once"
            doc.report(stage.node("number"), stage.name("number"), message)
        elif number is not None:
            seen[number] = doc.line(stage.node("number"))
        if None not in values.values():
            stages.append(StageSpec(**values))
    for number in STAGE_NUMBERS:
        if number not in seen:
            message = f"stage {number} is missing; list stages 1 to 5 once each"
            doc.report(fields.node("stages"), "stages", message)
    return tuple(sorted(stages, key=lambda s: s.number)) if len(doc.problems) == before else None


# --- e-tivity files ---------------------------------------------------------------------------


def _read_etivities(folder: Path, root: Path, problems: list[Problem]) -> tuple[EtivitySpec, ...] | None:
    """Every etivities/*.md, checked one by one and across files (unique slugs), in course order."""
    directory = folder / "etivities"
    doc = _Doc(f"{folder.name}/etivities", problems)
    if not directory.is_dir():
        doc.add(None, None, "there is no etivities/ folder; create it and add one .md file per e-tivity")
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
    specs = [_read_etivity(folder, root, path, problems, slugs) for path in paths]
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
    folder: Path, root: Path, path: Path, problems: list[Problem], slugs: dict[str, str]
) -> EtivitySpec | None:
    """One e-tivity file: front matter fields, then the spark."""
    source = path.relative_to(folder).as_posix()
    doc = _Doc(f"{folder.name}/{source}", problems)
    text = _read_text(doc, path, root, "is missing")
    parts = None if text is None else _split_front_matter(doc, text)
    if parts is None:
        return None
    front_matter, body, body_line = parts
    before = len(problems)
    doc.first_line = 2  # the YAML starts after the opening '---'
    node = _compose(doc, front_matter)
    spark = _read_spark(doc, body, body_line, root)
    hint = "the fields described in modules/README.md"
    fields = None if node is None else _fields(doc, node, "", ETIVITY_FIELDS, hint)
    if fields is None:
        return None
    values = {
        "slug": _read_slug(doc, fields, slugs),
        "stage": fields.whole("stage", 1, 5),
        "title": fields.text("title"),
        "purpose": fields.text("purpose"),
        "summary": fields.text("summary"),
        "task": fields.text("task"),
        "interaction": fields.text("interaction"),
        "emoderator": fields.text("emoderator"),
        "minutes": fields.whole("minutes", 1),
        "days": fields.whole("days", 1),
        "next": fields.text("next"),
        "required": fields.flag("required", True),
        "complete_when": _read_completion(fields),
        "post_first": fields.flag("post_first", False),
        "first_post_day": fields.whole("first_post_day", 1, required=False),
        "replies_day": fields.whole("replies_day", 1, required=False),
        "pieces": _read_pieces(doc, fields),
    }
    _check_replies_day(fields, values["first_post_day"], values["replies_day"])
    if len(problems) > before:
        return None
    return EtivitySpec(position=0, spark=spark, source=source, **values)


def _split_front_matter(doc: _Doc, text: str) -> tuple[str, str, int] | None:
    """Split '---', YAML, '---', body. Returns (YAML, body, file line where the body starts).

    A closing line must be exactly '---' at the left margin, so an indented '---' inside a
    piece's body text does not end the front matter.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        how = "start the file with a '---' line, then the fields, then another '---' line, then the spark"
        doc.add(1, None, f"has no front matter; {how}")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    how = "add a '---' line after the last field"
    doc.add(1, None, f"the front matter that starts here has no closing '---' line; {how}")
    return None


def _read_slug(doc: _Doc, fields: _Fields, slugs: dict[str, str]) -> str | None:
    """The slug keys the e-tivity in the database, so it must be well formed and unique."""
    slug = fields.text("slug")
    if slug is None:
        return None
    node = fields.node("slug")
    if not SLUG.fullmatch(slug):
        doc.report(node, "slug", _slug_message(slug, "slug"))
        return None
    if slug in slugs:
        message = f"{slug!r} is also the slug of {slugs[slug]}; give each e-tivity its own slug"
        doc.report(node, "slug", message)
        return None
    slugs[slug] = doc.file
    return slug


def _read_completion(fields: _Fields) -> CompletionRule | None:
    """complete_when: counts default to 0; only observe, interact and initiate are allowed."""
    counts = fields.child("complete_when", COUNT_FIELDS, "observe, interact and initiate counts")
    if counts is None:
        return None
    values = {key: counts.whole(key, 0, required=False, default=0) for key in COUNT_FIELDS}
    return None if None in values.values() else CompletionRule(**values)


def _read_pieces(doc: _Doc, fields: _Fields) -> tuple[PieceTemplate, ...] | None:
    """Optional conversation-piece templates; a learner picks one by name, so names are unique."""
    items = fields.items("pieces", "conversation pieces, each with a name and a body", required=False)
    if items is None:
        return None
    pieces: list[PieceTemplate] = []
    names: dict[str, str] = {}  # name -> field of the piece that used it first
    for index, item in enumerate(items, start=1):
        piece = _fields(doc, item, f"pieces[{index}]", PIECE_FIELDS, "a name and a body")
        if piece is None:
            continue
        name, body = piece.text("name"), piece.text("body")
        if name in names:
            message = f"{name!r} is already the name of {names[name]}; give each piece its own name"
            doc.report(piece.node("name"), piece.name("name"), message)
        elif name is not None:
            names[name] = f"pieces[{index}]"
        if name is not None and body is not None:
            pieces.append(PieceTemplate(name=name, body=body))
    return tuple(pieces)


def _check_replies_day(fields: _Fields, first_post_day: int | None, replies_day: int | None) -> None:
    """Replies can't be suggested before the first posts they answer."""
    if first_post_day is not None and replies_day is not None and replies_day < first_post_day:
        message = (
            f"is day {replies_day}, before first_post_day (day {first_post_day}); "
            f"make it {first_post_day} or later"
        )
        fields.doc.report(fields.node("replies_day"), "replies_day", message)


# --- the spark --------------------------------------------------------------------------------


def _read_spark(doc: _Doc, body: str, body_line: int, root: Path) -> str:
    """The Markdown body, stripped; it must say something and link only to safe places."""
    spark = body.strip()
    if not spark:
        how = "write the picture, quote, scenario or question that starts the conversation"
        doc.add(body_line - 1, "body", f"the spark (the Markdown after the front matter) is empty; {how}")
    for target, line in _link_targets(body):
        reason = _link_problem(target, root)
        if reason:
            doc.add(body_line + line, "body", reason)
    return spark


def _link_targets(body: str) -> Iterator[tuple[str, int]]:
    """Every link and image target in the Markdown, with its 0-based line in `body`.

    markdown-it normally drops links it considers unsafe (javascript:, file:, …) and renders
    them as text; we accept every link here precisely so that those are reported.
    Raw HTML is parsed as text, as the course pages are expected to render it.
    """
    markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    markdown.validateLink = lambda url: True
    lines = body.splitlines()
    for block in markdown.parse(body):
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map or (0, 1)
        for token in _walk(block.children):
            attr = {"link_open": "href", "image": "src"}.get(token.type)
            if attr and attr in token.attrs:
                target = str(token.attrs[attr])
                yield target, _line_containing(lines, start, end, target)


def _walk(tokens: list) -> Iterator:
    """Tokens and their children (an image's alt text is a child list)."""
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def _line_containing(lines: list[str], start: int, end: int, target: str) -> int:
    """The line of a block that holds `target`, falling back to the block's first line."""
    for index in range(start, min(end, len(lines))):
        if target in lines[index] or unquote(target) in lines[index]:
            return index
    return start


def _link_problem(target: str, root: Path) -> str | None:
    """Why a link target is not allowed, or None for a web link or a file inside the course.

    Relative targets are taken from the course folder (`images/map.png`, as in the README).
    The path is percent-decoded and backslashes count as slashes, as some browsers and servers
    treat them, so `%2e%2e/` and `..\\` cannot slip past.
    """
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES:
        return None
    if scheme:
        return (
            f"the link {target!r} uses '{scheme}:'; links may only go to the web "
            f"(http, https, mailto) or to a file inside the course folder"
        )
    if parts.netloc:
        return f"the link {target!r} has no scheme; write it in full, starting with https://"
    path = unquote(parts.path).replace("\\", "/")
    example = "link to a file inside the course folder, such as images/map.png"
    if path.startswith("/"):
        return f"the link {target!r} is an absolute path; {example}"
    if path and not _inside(root / path, root):
        return f"the link {target!r} leads outside the course folder; {example}"
    return None
