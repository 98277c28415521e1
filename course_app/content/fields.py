"""Reading the fields of a YAML mapping with their types, reporting each wrong one.

Every getter checks one field and returns None after reporting a problem, so a caller can
read all fields of a file and then build its spec only when none was wrong.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from ..text import is_blank, one_line
from .links import check_links
from .reading import Doc

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80  # characters of a course's slug (its column)
# /design/<slug> is a course's storyboard, so a course may not take the name of another
# design page (/design/new); tests/web/test_designer.py checks this against the routes.
RESERVED_COURSE_SLUGS = frozenset({"new"})

# The most a whole number in course content may be. Each is far beyond any course we
# have seen, and small enough that a date `DAY_MAX` days after any date a cohort may have
# (inputs.LATEST_DATE) exists and every count fits any database's integer.
DAY_MAX = 365  # a suggested day, the days an e-tivity or a stage runs: a stage within a year
MINUTES_MAX = 1000  # one e-tivity's time: e-tivities take minutes to hours, never days
WEEKLY_MINUTES_MAX = 2400  # the time a week a course asks: a full-time week of 40 hours
COUNT_MAX = 100  # posts to read, people to reply to, conversations to start
STAGE_MAX = 5  # Salmon's five stages
# The longest text read as a whole number: every most above has four digits, and Python
# refuses to read or write an int of more than 4300 digits (`0x` and 4000 `f`s is one).
WHOLE_TEXT_MAX = 20
DECIMAL = re.compile(r"[-+]?[1-9][0-9_]*")  # YAML 1.1's decimal: a leading 0 is octal

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT = _TAG + "null", _TAG + "bool", _TAG + "int"
# Scalars an author may mean as text: `title: 2024` or `title: Yes` is read as written.
TEXT_TAGS = {_TAG + kind for kind in ("str", "int", "float", "bool", "timestamp")}


class Fields:
    """The fields of one YAML mapping. Unknown and repeated keys are reported on creation;
    each getter checks one field's type and returns None after reporting a problem."""

    def __init__(self, doc: Doc, node: yaml.MappingNode, where: str, allowed: tuple[str, ...]):
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
                doc.report(key_node, self.name(key),
                           f"is given twice (also on line {line}); keep one")
            else:
                keys[key] = key_node
                if value_node.tag != NULL:  # `field:` with nothing after it counts as absent
                    self.values[key] = value_node

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def node(self, key: str) -> yaml.Node | None:
        return self.values.get(key)

    def lines(self) -> dict[str, int]:
        """Each given field's name (as a problem would name it) -> the line of its value."""
        return {self.name(key): self.doc.line(node) for key, node in self.values.items()}

    def _present(self, key: str, required: bool, hint: str) -> yaml.Node | None:
        node = self.values.get(key)
        if node is None and required:
            self.doc.report(self.mapping, self.name(key), f"is missing; add '{key}:' with {hint}")
        return node

    def _wrong(self, node: yaml.Node, key: str, message: str) -> None:
        self.doc.report(node, self.name(key), message)

    def text(self, key: str) -> str | None:
        """A required text field, stripped; empty text, or text with nothing in it that would
        be seen (`text.is_blank`: spaces, a zero-width space), counts as missing."""
        node = self._present(key, True, "some text")
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in TEXT_TAGS:
            self._wrong(node, key, "must be text, not a list or a set of fields")
            return None
        if is_blank(node.value):
            self._wrong(node, key, f"is empty; write some text after '{key}:'")
            return None
        return node.value.strip()

    def markdown(self, key: str, root: Path) -> str | None:
        """A required text field in Markdown: like the spark, each of its links goes to the
        web or stays inside the course folder (`links.check_links`), else it is reported on
        its line."""
        value = self.text(key)
        node = self.values.get(key)
        if value is not None and node is not None:
            after = 1 if node.style in ("|", ">") else 0  # a block starts below its marker
            check_links(self.doc, node.value, self.doc.line(node) + after, root, self.name(key))
        return value

    def line(self, key: str) -> str | None:
        """A required text field of one line (a title, a name): line breaks and tabs in it
        become single spaces (`text.one_line`), as titles go into email subjects."""
        value = self.text(key)
        return None if value is None else one_line(value)

    def whole(
        self,
        key: str,
        minimum: int,
        maximum: int,
        *,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        """A whole number from `minimum` to `maximum` (every number field has both: a bigger
        one would overflow the database or a date); `true`, `2.5` and `"2"` are not whole
        numbers."""
        node = self._present(key, required, f"a whole number from {minimum} to {maximum}")
        if node is None:
            return default
        if node.tag == BOOL:
            message = f"{node.value} is not a number; write a whole number such as {minimum + 1}"
            self._wrong(node, key, message)
            return None
        number = None
        if node.tag == INT and isinstance(node, yaml.ScalarNode):
            if len(node.value) > WHOLE_TEXT_MAX:  # never read: Python can't read 4301 digits
                self._wrong(node, key, f"must be from {minimum} to {maximum}, "
                                       f"not {_as_written(node.value)}")
                return None
            try:
                number = SafeConstructor().construct_yaml_int(node)
            except ValueError:  # `!!int two`, `0x_`: tagged as a whole number, but none
                pass
        if number is None:
            value = node.value if isinstance(node, yaml.ScalarNode) else "a list or set of fields"
            self._wrong(node, key, f"must be a whole number such as {minimum + 1}, not {value!r}")
            return None
        if minimum <= number <= maximum:
            return number
        self._wrong(node, key, f"must be from {minimum} to {maximum}, "
                               f"not {_as_written(node.value)}")
        return None

    def flag(self, key: str, default: bool) -> bool | None:
        """An optional true/false field."""
        node = self.values.get(key)
        if node is None:
            return default
        # `!!bool maybe` and `!!bool [1]` are tagged true/false but are neither.
        if (node.tag != BOOL or not isinstance(node, yaml.ScalarNode)
                or node.value.lower() not in SafeConstructor.bool_values):
            value = node.value if isinstance(node, yaml.ScalarNode) else "a list or set of fields"
            self._wrong(node, key, f"must be true or false, not {value!r}")
            return None
        return SafeConstructor().construct_yaml_bool(node)

    def child(self, key: str, allowed: tuple[str, ...], hint: str,
              required: bool = True) -> Fields | None:
        """A nested set of fields, such as complete_when; None when an optional one is absent
        (`key in values` tells that apart from a wrong one)."""
        node = self._present(key, required, hint)
        return None if node is None else fields_of(self.doc, node, self.name(key), allowed, hint)

    def items(self, key: str, hint: str, required: bool = True) -> list[yaml.Node] | None:
        """The entries of a list field; [] when an optional list is absent."""
        node = self._present(key, required, hint)
        if node is None:
            return None if required else []
        if not isinstance(node, yaml.SequenceNode):
            self._wrong(node, key, f"must be a list ({hint}), each entry starting with '- '")
            return None
        return node.value


def _as_written(text: str) -> str:
    """A number out of range as its message names it, from its text (never the number: one
    of more than 4300 digits can't be written out): a short one as written, a long decimal
    by its digits ("a 26-digit number"), anything longer than WHOLE_TEXT_MAX otherwise as
    "a number that long" (hex, octal, binary, 1:30:00)."""
    digits = text.lstrip("+-").replace("_", "")
    if DECIMAL.fullmatch(text) and len(digits) > 12:
        return f"a {len(digits)}-digit number"
    return text if len(text) <= WHOLE_TEXT_MAX else "a number that long"


def fields_of(doc: Doc, node: yaml.Node, where: str, allowed: tuple[str, ...],
              hint: str) -> Fields | None:
    """`node` read as a set of fields, or None after reporting that it isn't one."""
    if isinstance(node, yaml.MappingNode):
        return Fields(doc, node, where, allowed)
    doc.report(node, where or None, f"must be a set of 'field: value' lines ({hint})")
    return None


def _unknown_message(key: str | None, allowed: tuple[str, ...]) -> str:
    """Says which field was probably meant, so a typo such as `sumary` is quick to fix."""
    if key is None:
        return "field names must be plain words"
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return f"is not a known field; {guess}the fields here are: {', '.join(allowed)}"


def course_slug_problem(slug: str, what: str = "slug", new: bool = True) -> str | None:
    """Why `slug` can't be a course's slug (None when it can): it is the course's address
    (/design/<slug>, /courses/<slug>), so it is well formed, short and, where it is being
    chosen for a `new` course, not the name of a designer's page. `what` names it in the
    message ("slug", "folder name")."""
    if len(slug or "") > SLUG_MAX:
        return f"the {what} is longer than {SLUG_MAX} characters; shorten it"
    if not SLUG.fullmatch(slug or ""):
        return slug_message(slug, what)
    if new and slug in RESERVED_COURSE_SLUGS:
        return (f"the {what} {slug!r} is taken by a page of the course designer "
                f"(/design/{slug}); choose another, e.g. {slug + '-course'!r}")
    return None


def slug_message(slug: str, what: str) -> str:
    suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "introduce-yourself"
    return (
        f"the {what} {slug!r} may only use lower-case letters, digits and single hyphens "
        f"between words, e.g. {suggestion!r}"
    )
