"""What a change will do to the cohorts running a course, said before it is made.

A changed completion rule never takes a completion back (learners who finished keep it);
learners who have not finished are measured against the new rule, and those who now meet
it complete at once (drafts.publish reevaluates). Retiring an e-tivity hides it from
the map and from new work; its threads stay readable.
"""

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..cohorts.models import Cohort, MemberRole, Membership
from ..content import CompletionRule, CourseSpec
from ..courses.models import Course, Etivity
from ..courses.services import etivity_fields
from ..discussions.models import Thread
from ..extensions import db
from ..progress.models import Completion
from ..progress.rules import describe, meets
from ..progress.standing import counts_for
from ..rendering import plural

RULE_WORDS = {"observe": ("read", "reads"), "interact": ("reply", "replies"),
              "initiate": ("new conversation", "new conversations")}


@dataclass
class Impact:
    cohorts: int = 0  # live cohorts (open or running) of the course
    lines: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cohorts and self.lines)

    @property
    def fingerprint(self) -> str:
        """Names what was shown, so a confirmation counts only for the impact it saw."""
        return hashlib.sha256("\n".join(self.lines).encode()).hexdigest()[:16]

    @property
    def heading(self) -> str:
        return (f"{self.cohorts} running {'cohort uses' if self.cohorts == 1 else 'cohorts use'}"
                " this course")


def live_cohorts(course: Course) -> list[Cohort]:
    return [c for c in db.session.scalars(select(Cohort).where(Cohort.course_id == course.id))
            if c.state.live]


def _more(old: CompletionRule, new: CompletionRule) -> str:
    """What the new rule asks beyond the old: "1 more read and 1 more reply"."""
    parts = []
    for mode, (one, many) in RULE_WORDS.items():
        extra = getattr(new, mode) - getattr(old, mode)
        if extra > 0:
            parts.append(plural(extra, f"more {one}", f"more {many}"))
    return " and ".join(parts)


def rule_change(course: Course, etivity: Etivity, new: CompletionRule) -> list[str]:
    """The sentences for a changed rule, counted over the live cohorts' learners."""
    old = etivity.rule
    if old == new:
        return []
    finished = not_finished = complete_now = 0
    for cohort in live_cohorts(course):
        done = set(db.session.scalars(select(Completion.user_id).where(
            Completion.cohort_id == cohort.id, Completion.etivity_id == etivity.id)))
        counts = counts_for(cohort.id)
        learners = db.session.scalars(select(Membership.user_id).where(
            Membership.cohort_id == cohort.id, Membership.role == MemberRole.LEARNER,
            Membership.removed_at.is_(None)))
        for user_id in learners:
            count = counts.get((user_id, etivity.id))
            if user_id in done:
                finished += 1
            elif count is not None and meets(new, count):
                complete_now += 1
            else:
                not_finished += 1
    old_words, new_words = describe(old) or "nothing", describe(new) or "nothing"
    lines = [f"The rule of “{etivity.title}” changes from “{old_words}” to “{new_words}”."]
    if not_finished and _more(old, new):
        lines.append(f"{plural(not_finished, 'learner', 'learners')} who "
                     f"{'has' if not_finished == 1 else 'have'} not finished it will need "
                     f"{_more(old, new)}.")
    if complete_now:
        lines.append(f"{plural(complete_now, 'learner meets', 'learners meet')} the new rule "
                     "already and will complete it now.")
    lines.append(f"{plural(finished, 'learner', 'learners')} who finished it keep "
                 f"{'their completion' if finished != 1 else 'the completion'}: "
                 "completions are never taken back.")
    return lines


def etivity_lines(course: Course, etivity: Etivity | None, stage: int, fields: dict) -> list[str]:
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
    rule = CompletionRule(*(fields.get(mode, getattr(etivity, mode)) for mode in RULE_WORDS))
    lines = rule_change(course, etivity, rule)
    required = fields.get("required", etivity.required)
    if required != etivity.required:
        lines.append(f"“{title}” becomes {'required' if required else 'optional'} for "
                     f"finishing stage {etivity.stage_number}.")
    return lines


def of_publishing(course: Course, drafts) -> Impact:
    """Publishing the course's drafts (drafts.pending)."""
    cohorts = live_cohorts(course)
    impact = Impact(len(cohorts))
    if cohorts:
        for draft in drafts:
            if draft.key:
                impact.lines += etivity_lines(course, draft.etivity, draft.stage or 0,
                                              draft.fields)
            else:
                impact.lines.append("The course page and the stages' texts show the new "
                                    "wording.")
    return impact


def of_upload(course: Course, spec: CourseSpec) -> Impact:
    """Uploading a folder: each e-tivity's change as publishing it would, and those left out
    retired."""
    cohorts = live_cohorts(course)
    impact = Impact(len(cohorts))
    if not cohorts:
        return impact
    by_slug = {e.slug: e for e in course.etivities}
    for new in spec.etivities:
        etivity = by_slug.get(new.slug)
        impact.lines += etivity_lines(course, etivity, new.stage, etivity_fields(new))
    kept = {e.slug for e in spec.etivities}
    for etivity in course.active_etivities:
        if etivity.slug not in kept:
            impact.lines += of_retiring(course, etivity).lines
    return impact


def of_retiring(course: Course, etivity: Etivity) -> Impact:
    cohorts = live_cohorts(course)
    impact = Impact(len(cohorts))
    threads = db.session.scalar(select(func.count(Thread.id)).where(
        Thread.etivity_id == etivity.id)) or 0
    impact.lines.append(f"“{etivity.title}” leaves learners' maps and takes no new work.")
    if threads:
        impact.lines.append(f"Its {plural(threads, 'thread stays', 'threads stay')} readable; "
                            "nothing is deleted, and completions are kept.")
    return impact
