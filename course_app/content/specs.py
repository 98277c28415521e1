"""What a course folder means, as frozen dataclasses.

These are the only shapes that leave the `content` package: the loader builds them from
`modules/<slug>/`, and the import service copies them into the database. They are frozen so
that nothing downstream can quietly change what the files said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course folder, pointing at where an author should look."""

    file: str  # relative to the course folder's parent, e.g. "engaging-online/course.yaml"
    line: int | None  # 1-based line in `file`
    field: str | None  # e.g. "stages[2].number", "complete_when.observe", "body"
    message: str  # plain words, says how to fix

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = self.message if self.field is None else f"{self.field}: {self.message}"
        return f"{where}: {what}"


@dataclass(frozen=True)
class CompletionRule:
    """How many reads, replies and new threads complete an e-tivity."""

    observe: int = 0
    interact: int = 0
    initiate: int = 0
    # Facilitators' posts count towards the reads too (content's `observe_facilitators`). Only
    # the words depend on it here (`progress.rules.describe`); what counts is evidence's work.
    any_post: bool = field(default=False, compare=False)

    def as_dict(self) -> dict[str, int]:
        return {"observe": self.observe, "interact": self.interact, "initiate": self.initiate}


@dataclass(frozen=True)
class PieceTemplate:
    """A conversation-piece template offered when a learner starts a thread."""

    name: str
    body: str


@dataclass(frozen=True)
class ToolkitSection:
    """The section of the cohort's toolkit an e-tivity builds (e.g. the phrase book)."""

    slug: str  # unique in the course
    title: str


@dataclass(frozen=True)
class ModeratorDay:
    """What the e-moderator does on day `day` after the stage opens."""

    day: int
    note: str  # Markdown
    line: int | None = field(default=None, compare=False)  # where the day is written

    def as_dict(self) -> dict:
        return {"day": self.day, "note": self.note}


# Where each value was written, for reports that point at a line (the design warnings): the
# field as a Problem names it ("first_post_day", "moderator_days[2].day", "stages[1]") -> line.
Lines = Mapping[str, int]


def _lines() -> Lines:
    return field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class StageSpec:
    number: int
    title: str
    summary: str
    emoderator: str
    suggested_days: int
    where: str = ""  # the entry in course.yaml, e.g. "stages[1]"
    lines: Lines = _lines()


@dataclass(frozen=True)
class EtivitySpec:
    slug: str
    stage: int
    position: int  # 1-based order within its stage, by file name
    title: str
    purpose: str
    summary: str
    spark: str  # the Markdown body, stripped
    task: str
    interaction: str
    emoderator: str
    minutes: int
    days: int
    next: str
    required: bool
    complete_when: CompletionRule
    post_first: bool
    first_post_day: int | None
    replies_day: int | None
    pieces: tuple[PieceTemplate, ...]
    source: str  # relative to the course folder, e.g. "etivities/1-01-welcome.md"
    observe_facilitators: bool = False  # facilitators' posts count toward *observe* here
    toolkit: ToolkitSection | None = None
    moderator_days: tuple[ModeratorDay, ...] = ()  # sorted by day
    lines: Lines = _lines()


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    audience: str
    stages: tuple[StageSpec, ...]  # sorted by number
    etivities: tuple[EtivitySpec, ...]  # sorted by (stage, file name)
    weekly_minutes: int | None = None  # the time a week the course asks of a learner
    lines: Lines = _lines()  # course.yaml's top-level fields

    def etivities_in(self, stage: int) -> tuple[EtivitySpec, ...]:
        """The e-tivities of one stage, in course order."""
        return tuple(e for e in self.etivities if e.stage == stage)
