"""What a change will do to the cohorts running a course, said before it is made.

A changed completion rule never takes a completion back (learners who finished keep it);
learners who have not finished are measured against the new rule, and those who now meet
it complete at once (drafts.publish reevaluates). Retiring an e-tivity hides it from
the map and from new work; its threads stay readable.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..cohorts.models import Cohort, CohortState, Membership
from ..content import CompletionRule, CourseSpec
from ..courses.models import Course, Etivity
from ..courses.services import etivity_fields
from ..discussions.models import Thread
from ..extensions import db
from ..progress.models import Completion
from ..progress.rules import Counts, describe, meets, still_needed
from ..progress.standing import etivity_counts
from ..rendering import listed, plural

RULE_WORDS = {"observe": ("read", "reads"), "interact": ("reply", "replies"),
              "initiate": ("new conversation", "new conversations")}


@dataclass
class Impact:
    running: int = 0  # the course's running cohorts
    open: int = 0  # and those open for enrolment (live too: they take learners and posts)
    lines: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, cohorts: list[Cohort]) -> "Impact":
        running = sum(c.state == CohortState.RUNNING for c in cohorts)
        return cls(running, len(cohorts) - running)

    @property
    def cohorts(self) -> int:
        return self.running + self.open

    def __bool__(self) -> bool:
        return bool(self.cohorts and self.lines)

    @property
    def fingerprint(self) -> str:
        """Names what was shown, so a confirmation counts only for the impact it saw."""
        return hashlib.sha256("\n".join(self.lines).encode()).hexdigest()[:16]

    @property
    def heading(self) -> str:
        """ "1 running cohort and 2 cohorts open for enrolment use this course"."""
        if self.running and self.open:
            return (f"{plural(self.running, 'running cohort', 'running cohorts')} and "
                    f"{plural(self.open, 'cohort', 'cohorts')} open for enrolment use this "
                    "course")
        if self.running:
            return plural(self.running, "running cohort uses", "running cohorts use") + \
                " this course"
        return plural(self.open, "cohort open for enrolment uses",
                      "cohorts open for enrolment use") + " this course"


def live_cohorts(course: Course) -> list[Cohort]:
    return [c for c in db.session.scalars(select(Cohort).where(Cohort.course_id == course.id))
            if c.state.live]


def _difference(change: tuple[int, ...]) -> str:
    """A change in what is left to do (reads, replies, new conversations), in the designer's
    words: "2 more reads and 1 fewer reply"."""
    parts = []
    for extra, (one, many) in zip(change, RULE_WORDS.values(), strict=True):
        if extra:
            word = "more" if extra > 0 else "fewer"
            parts.append(plural(abs(extra), f"{word} {one}", f"{word} {many}"))
    return listed(parts)


def _change_for(old: CompletionRule, new: CompletionRule, counts: Counts) -> tuple[int, ...]:
    """How much more (or less, below zero) one learner has left to do under the new rule:
    (reads, replies, new conversations)."""
    before, after = still_needed(old, counts), still_needed(new, counts)
    return tuple(getattr(after, mode) - getattr(before, mode) for mode in RULE_WORDS)


def _who(count: int, among: int) -> str:
    """Some of the learners who haven't finished: "they" (the one), "both of them", "all 5
    of them", "2 of them"."""
    if among == 1:
        return "they"
    if count == among:
        return "both of them" if count == 2 else f"all {count} of them"
    return f"{count} of them"


def rule_change(cohorts: list[Cohort], etivity: Etivity, new: CompletionRule) -> list[str]:
    """The sentences for a changed rule, counted over the live cohorts' learners: for each
    who hasn't finished, what they have left to do under the new rule against the old.
    Three queries however many cohorts and learners there are."""
    old = etivity.rule
    if old == new:
        return []
    finished = complete_now = 0
    changes: Counter[tuple[int, ...]] = Counter()  # what is left changes by: learners
    ids = [cohort.id for cohort in cohorts]
    done = {(cohort_id, user_id) for cohort_id, user_id in db.session.execute(
        select(Completion.cohort_id, Completion.user_id).where(
            Completion.cohort_id.in_(ids), Completion.etivity_id == etivity.id))}
    counts = etivity_counts(ids, etivity.id)
    learners = db.session.execute(select(Membership.cohort_id, Membership.user_id).where(
        Membership.cohort_id.in_(ids), Membership.active_learners()))
    for cohort_id, user_id in learners:
        learner = (cohort_id, user_id)
        count = counts.get(learner)
        if learner in done:
            finished += 1
        elif count is not None and meets(new, count):  # as reevaluate_cohort finds them
            complete_now += 1
        else:
            changes[_change_for(old, new, count or Counts())] += 1
    old_words, new_words = describe(old) or "nothing", describe(new) or "nothing"
    lines = [f"The rule of “{etivity.title}” changes from “{old_words}” to “{new_words}”."]
    not_finished = changes.total()
    if not_finished:
        lines.append(f"{plural(not_finished, 'learner has', 'learners have')} not finished it.")
    # the most learners first; ties in a fixed order, so the fingerprint is the same each time
    for change, count in sorted(changes.items(), key=lambda item: (-item[1], item[0])):
        who = _who(count, not_finished)
        if any(change):
            lines.append(f"Under the new rule, {who} will need {_difference(change)} than "
                         "before.")
        else:
            lines.append(f"The change makes no difference to what is left for "
                         f"{'them' if who == 'they' else who}.")
    if complete_now:
        lines.append(f"{plural(complete_now, 'learner meets', 'learners meet')} the new rule "
                     "already and will complete it now.")
    if finished:
        kept = plural(finished, "learner who finished it keeps",
                      "learners who finished it keep")
        lines.append(f"{kept} their completion: completions are never taken back.")
    return lines


def etivity_lines(cohorts: list[Cohort], etivity: Etivity | None, stage: int,
                  fields: dict) -> list[str]:
    """What publishing an e-tivity's fields does: a new one appears on every map; a changed
    one shows its new text; a changed rule is counted learner by learner; a retired one
    changes nothing learners see until it is brought back."""
    title = fields.get("title") or (etivity.title if etivity else "")
    if etivity is None:
        return [f"“{title}” will appear in stage {stage} of their maps" + (
            ", and is required to finish the stage." if fields.get("required") else ".")]
    if etivity.retired:
        return [f"“{title}” is retired: learners see no change unless it is brought back, "
                "and then they see the new version."]
    rule = CompletionRule(*(fields.get(mode, getattr(etivity, mode)) for mode in RULE_WORDS),
                          any_post=fields.get("observe_facilitators",
                                              etivity.observe_facilitators))
    lines = rule_change(cohorts, etivity, rule)
    required = fields.get("required", etivity.required)
    if required != etivity.required:
        lines.append(f"“{title}” becomes {'required' if required else 'optional'} for "
                     f"finishing stage {etivity.stage_number}.")
    return lines


def of_publishing(course: Course, drafts) -> Impact:
    """Publishing the course's drafts (drafts.pending)."""
    cohorts = live_cohorts(course)
    impact = Impact.of(cohorts)
    if cohorts:
        for draft in drafts:
            if draft.key:
                impact.lines += etivity_lines(cohorts, draft.etivity, draft.stage or 0,
                                              draft.fields)
            else:
                impact.lines.append("The course page and the stages' texts show the new "
                                    "wording.")
    return impact


def of_upload(course: Course, spec: CourseSpec) -> Impact:
    """Uploading a folder: each e-tivity's change as publishing it would, and those left out
    retired."""
    cohorts = live_cohorts(course)
    impact = Impact.of(cohorts)
    if not cohorts:
        return impact
    by_slug = {e.slug: e for e in course.etivities}
    for new in spec.etivities:
        etivity = by_slug.get(new.slug)
        impact.lines += etivity_lines(cohorts, etivity, new.stage, etivity_fields(new))
    kept = {e.slug for e in spec.etivities}
    for etivity in course.active_etivities:
        if etivity.slug not in kept:
            impact.lines += of_retiring(course, etivity, cohorts).lines
    return impact


def of_retiring(course: Course, etivity: Etivity,
                cohorts: list[Cohort] | None = None) -> Impact:
    """Retiring an e-tivity (`cohorts`: the course's live cohorts, when already read)."""
    impact = Impact.of(live_cohorts(course) if cohorts is None else cohorts)
    threads = db.session.scalar(select(func.count(Thread.id)).where(
        Thread.etivity_id == etivity.id)) or 0
    impact.lines.append(f"“{etivity.title}” leaves learners' maps and takes no new work.")
    if threads:
        impact.lines.append(f"Its {plural(threads, 'conversation stays', 'conversations stay')} "
                            "readable; nothing is deleted, and completions are kept.")
    return impact
