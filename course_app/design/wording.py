"""Design warnings (content/design.py, the checks `course validate` prints) said the way the
designer's forms ask for things: field labels, not file fields. One set of checks; only the
words change, so a check added there shows here with its own words until a phrase is mapped.
"""

import re
from dataclasses import replace

from ..content.design import DesignWarning

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
