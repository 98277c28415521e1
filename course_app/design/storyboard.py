"""The storyboard (Carpe Diem's step 2): the five stages side by side, each e-tivity as a
card, learner time per stage and per week against what the course promises, and the design
checks of content/design.py beside the card (or stage) they concern. It shows the course as
its drafts have it: each card with a draft is marked, and new e-tivities' drafts end their
stage until they are published."""

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..content import CompletionRule, CourseSpec, StageSpec
from ..content.design import DesignWarning, design_warnings
from ..courses.export import etivity_spec, stage_spec
from ..courses.models import Course, Etivity
from ..progress.rules import describe
from .models import DesignDraft
from .wording import for_the_browser


class Drafted:
    """An e-tivity as its draft has it (the draft's fields over the published ones), or a
    new e-tivity's draft, where the storyboard and etivity_spec expect an Etivity."""

    def __init__(self, etivity: Etivity | None, draft: DesignDraft | None, position: int):
        self._etivity, self.draft = etivity, draft
        self._fields = draft.fields if draft else {}
        self.new = etivity is None
        if etivity is None and draft is not None:
            self.slug, self.stage_number, self.retired = draft.key, draft.stage, False
        self.position = position

    def __getattr__(self, name: str):
        if name in self._fields:
            return self._fields[name]
        return getattr(self._etivity, name)

    @property
    def rule(self) -> CompletionRule:
        return CompletionRule(self.observe, self.interact, self.initiate,
                              any_post=bool(self.observe_facilitators))


@dataclass
class Card:
    etivity: Drafted
    rule: str  # the completion rule in words
    warnings: list[DesignWarning]


@dataclass
class Column:
    stage: StageSpec
    cards: list[Card]
    minutes: int
    per_week: int  # the stage's minutes spread over its suggested days, a week's worth
    warnings: list[DesignWarning] = field(default_factory=list)


def rule_words(rule: CompletionRule) -> str:
    """The completion rule as a sentence: "Read 3 peers' posts, start 1 conversation"."""
    words = describe(rule)
    return (words[0].upper() + words[1:]) if words else "Done when opened (no posts needed)"


def drafted(course: Course, pending: list[DesignDraft]) -> tuple[CourseSpec, dict]:
    """The course as its drafts have it, and {stage number: its e-tivities as Drafted}."""
    by_key = {d.key: d for d in pending}
    texts = by_key.get("")
    stages = {}
    for stage in course.stages:
        items = [Drafted(e, by_key.get(e.slug), n) for n, e in
                 enumerate(course.etivities_in(stage.number), start=1)]
        items += [Drafted(None, d, len(items) + n) for n, d in enumerate(
            (d for d in pending if d.key and d.etivity is None and d.stage == stage.number),
            start=1)]
        stages[stage.number] = items
    spec_stages = tuple(StageSpec(number=s.number, **texts.fields["stages"][str(s.number)])
                        if texts and str(s.number) in texts.fields["stages"] else stage_spec(s)
                        for s in course.stages)
    spec = CourseSpec(
        slug=course.slug, title=course.title, summary=course.summary,
        audience=course.audience, weekly_minutes=course.weekly_minutes, stages=spec_stages,
        etivities=tuple(etivity_spec(e, e.position) for n in stages for e in stages[n]))
    return (replace(spec, **texts.fields["course"]) if texts else spec), stages


def storyboard(course: Course, pending: list[DesignDraft]
               ) -> tuple[list[Column], list[DesignWarning]]:
    """The columns, and the warnings about the course as a whole, all as drafted."""
    spec, stages = drafted(course, pending)
    by_etivity: dict[str, list[DesignWarning]] = defaultdict(list)
    by_stage: dict[int, list[DesignWarning]] = defaultdict(list)
    general = []
    for warning in map(for_the_browser, design_warnings(spec)):
        if warning.etivity_slug:
            by_etivity[warning.etivity_slug].append(warning)
        elif warning.stage:
            by_stage[warning.stage].append(warning)
        else:
            general.append(warning)
    columns = []
    for stage in spec.stages:
        etivities = stages[stage.number]
        minutes = sum(e.minutes for e in etivities)
        columns.append(Column(
            stage=stage,
            cards=[Card(e, rule_words(e.rule), by_etivity[e.slug]) for e in etivities],
            minutes=minutes,
            per_week=round(minutes * 7 / max(stage.suggested_days, 1)),
            warnings=by_stage[stage.number]))
    return columns, general
