"""The storyboard (Carpe Diem's step 2): the five stages side by side, each e-tivity as a
card, learner time per stage and per week against what the course promises, and the design
checks of content/design.py beside the card (or stage) they concern."""

from collections import defaultdict
from dataclasses import dataclass, field

from ..content import CompletionRule
from ..content.design import DesignWarning, design_warnings
from ..courses.export import course_spec
from ..courses.models import Course, Etivity, Stage
from ..progress.rules import describe


@dataclass
class Card:
    etivity: Etivity
    rule: str  # the completion rule in words
    warnings: list[DesignWarning]


@dataclass
class Column:
    stage: Stage
    cards: list[Card]
    minutes: int
    per_week: int  # the stage's minutes spread over its suggested days, a week's worth
    warnings: list[DesignWarning] = field(default_factory=list)


def rule_words(rule: CompletionRule) -> str:
    """The completion rule as a sentence: "Read 3 peers' posts, start 1 conversation"."""
    words = describe(rule)
    return (words[0].upper() + words[1:]) if words else "Done when opened (no posts needed)"


def storyboard(course: Course) -> tuple[list[Column], list[DesignWarning]]:
    """The columns, and the warnings about the course as a whole."""
    by_etivity: dict[str, list[DesignWarning]] = defaultdict(list)
    by_stage: dict[int, list[DesignWarning]] = defaultdict(list)
    general = []
    for warning in design_warnings(course_spec(course)):
        if warning.etivity_slug:
            by_etivity[warning.etivity_slug].append(warning)
        elif warning.stage:
            by_stage[warning.stage].append(warning)
        else:
            general.append(warning)
    columns = []
    for stage in course.stages:
        etivities = course.etivities_in(stage.number)
        minutes = sum(e.minutes for e in etivities)
        columns.append(Column(
            stage=stage,
            cards=[Card(e, rule_words(e.rule), by_etivity[e.slug]) for e in etivities],
            minutes=minutes,
            per_week=round(minutes * 7 / max(stage.suggested_days, 1)),
            warnings=by_stage[stage.number]))
    return columns, general
