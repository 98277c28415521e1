"""What content/ says of a course (design warnings, the checks `course validate` prints, and
the problems it finds in a field) said the way the designer's forms ask for things: field
labels, not file fields. One set of checks; only the words change, so a check added there
shows here with its own words until a phrase is mapped. And a draft's fields by the same
labels, for the Publish page and a save that crossed another author's.
"""

import re
from dataclasses import replace

from ..content.design import DesignWarning
from .forms import CourseForm, EtivityForm, StageForm

# Where a warning points (its field) -> the label of the box in the designer's forms.
LABELS = {"summary": "Course summary", "body": "Spark", "first_post_day": "First post by day",
          "replies_day": "Replies by day", "moderator_days": "E-moderator's days",
          "complete_when.initiate": "Start (the completion rule)"}
STAGE = re.compile(r"stages\[\d+\]")
# File wording -> form wording, in this order.
PHRASES = (
    (re.compile(r"course\.yaml has no weekly_minutes; add 'weekly_minutes: (\d+)'"),
     r"the course has no “Minutes a week”; enter \1 in the course texts"),
    (re.compile(r"\(weekly_minutes; "), "(“Minutes a week”; "),
    (re.compile(r"\bweekly_minutes\b"), "“Minutes a week”"),
    (re.compile(r"\(complete_when\.initiate\)"), "(the rule's “Start” box)"),
    (re.compile(r"the stage's suggested_days"), "the stage's “Suggested days”"),
    (re.compile(r"\bsuggested_days\b"), "the stage's “Suggested days”"),
    (re.compile(r"'([a-z0-9-]+)'"), r"“\1”"),
)


def for_the_browser(warning: DesignWarning) -> DesignWarning:
    """The warning with its message in the designer's words, led by the field's label."""
    message = warning.message
    for pattern, words in PHRASES:
        message = pattern.sub(words, message)
    stage = STAGE.fullmatch(warning.field or "")
    label = None if stage else LABELS.get(warning.field)  # a stage's sit under the stage
    if label:
        message = f"{label}: {message}"
    return replace(warning, message=message[0].upper() + message[1:])


# ---- a field's problem, said beside the form's box ----------------------------------------

WEB_LINKS = "links may go to web pages (http, https) or email (mailto)"
# What content/ says of a field (its file wording) -> what the form says; "{label}" is the
# box's label. Whole messages, tried in this order.
FORM_MESSAGES = (
    (re.compile(r"the spark \(the Markdown after the front matter\) is empty; write (.+)"),
     r"Write the spark: \1."),
    (re.compile(r"is day (\d+), before first_post_day \(day (\d+)\); make it (\d+) or later"),
     r"{label} (\1) comes before First post by day (\2); make it \3 or later."),
    (re.compile(r"the link (.+) uses '[^']*:'; links may only go to the web .*"),
     r"{label}: the link \1 can't be followed; " + WEB_LINKS + "."),
    (re.compile(r"the link (.+) (?:leads outside the course folder|is an absolute path); .*"),
     r"{label}: the link \1 goes nowhere a learner can follow; " + WEB_LINKS + "."),
    (re.compile(r"the (?:slug|toolkit slug) (.+) may only use (.+)"),
     r"{label} \1 may only use \2."),
    (re.compile(r"(.+) is also the slug of \S+; (.+)"),
     r"{label} \1 is taken by another e-tivity of this course; \2."),
    (re.compile(r"(.+) is already the name of pieces\[(\d+)\]; (.+)"),
     r"{label} \1 is already the name of conversation piece \2; \3."),
    (re.compile(r"day (\d+) is already given in moderator_days\[(\d+)\]; (.+)"),
     r"Day \1 is already given in row \2 of the e-moderator's days; \3."),
)
VERBS = ("is ", "must ", "has ", "was ")


def for_the_form(label: str, message: str) -> str:
    """A problem content/ found in a field (as `course validate` says it of the file), said
    the way the designer's form asks for it: led by the box's label, never a file field."""
    for pattern, words in FORM_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return match.expand(words.replace("{label}", label))
    if message.startswith(("is missing", "is empty")):
        return f"Enter {label[0].lower() + label[1:]}."
    return f"{label} {message}" if message.startswith(VERBS) else f"{label}: {message}"


# ---- a draft's fields, by the forms' labels (the Publish page, two authors at once) --------

ETIVITY_LABELS = {"pieces": "Templates for a first post",
                  "moderator_days": "The e-moderator's days"}
STAGE_FIELD = re.compile(r"stages\[(\d+)\]\.(\w+)")


def _label(form, name: str) -> str:
    """A field's label in a designer's form (an unbound field's first argument)."""
    unbound = getattr(form, name, None)
    return unbound.args[0] if unbound is not None and unbound.args else name.replace("_", " ")


def field_label(name: str, course_texts: bool = False) -> str:
    """The label of the box an e-tivity's field (or, `course_texts`, a field of the course's
    texts: "title", "stages[2].summary") is typed in."""
    stage = STAGE_FIELD.fullmatch(name)
    if stage:
        return f"Stage {stage[1]}: {_label(StageForm, stage[2]).lower()}"
    if course_texts:
        return _label(CourseForm, name)
    return ETIVITY_LABELS.get(name) or _label(EtivityForm, name)


def shown(value):
    """A field's value as a person reads it: pieces and days one after another, yes or no."""
    if isinstance(value, list):
        return "; ".join(" — ".join(str(v) for v in item.values()) for item in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def change_rows(changes: dict, course_texts: bool = False) -> list[tuple[str, object, object]]:
    """(label, before, after) for each {field: [before, after]}; None stays None."""
    return [(field_label(name, course_texts), None if before is None else shown(before),
             shown(after)) for name, (before, after) in changes.items()]
