"""Message templates a facilitator starts a nudge or welcome from. `{name}` becomes the
learner's name, `{cohort}` the cohort's name: `fill` is the one place a message's
placeholders are filled, and checked.

There is no escape for a literal pair of braces (no `{{`/`}}` as in Python's format): a short
note to a learner hardly needs one, and `{{name}}`, the way other tools write placeholders,
would then reach learners as "{name}". Doubled braces are refused as typed instead, which
shows the right way next to them; a lone brace ("a { b") is only a brace."""

import re

from ..rendering import listed

PLACEHOLDERS = {"name": "the learner's name", "cohort": "the cohort's name"}
# Anything in braces on one line reads as a placeholder: {Name} or {unknown} would otherwise
# reach learners as typed. The braces are matched however many there are, so {{name}} is
# one placeholder (not {name} filled inside braces) and a message names it as typed.
_PLACEHOLDER = re.compile(r"\{+([^{}\n]*)\}+")


class PlaceholderError(ValueError):
    """A message has a placeholder `fill` doesn't know; the words name it, and those it does."""


TEMPLATES: tuple[tuple[str, str], ...] = (
    ("A gentle hello",
     "Hi {name}, I noticed it has been a little quiet from you in {cohort}. No pressure at all: "
     "if something is getting in the way, tell me and we'll find a way round it."),
    ("From reading to replying",
     "Hi {name}, thank you for reading so much of what others have shared. You clearly have a "
     "feel for the conversation now. Could you reply to one post that made you think? "
     "A couple of sentences is plenty."),
    ("Stuck in a stage",
     "Hi {name}, you've been in this stage a while. Is anything unclear about what the "
     "e-tivities ask? Reply here or post in Ask for help and I'll help you through it."),
    ("Start your own conversation",
     "Hi {name}, your replies have been really useful to others. You're ready to start a "
     "conversation of your own: pick one of the e-tivity's templates and give it a go."),
    ("Welcome",
     "Welcome to {cohort}, {name}! Start with the first e-tivity on your course map, and ask "
     "anything in Ask for help. I read it every working day."),
)


def _known(match: re.Match) -> bool:
    return match.group(1) in PLACEHOLDERS and match.group(0) == f"{{{match.group(1)}}}"


def unknown_placeholders(template: str) -> list[str]:
    """The placeholders in `template` that `fill` doesn't know, each once, as typed."""
    unknown = [match.group(0) for match in _PLACEHOLDER.finditer(template)
               if not _known(match)]
    return list(dict.fromkeys(unknown))


def fill(template: str, name: str, cohort: str) -> str:
    """The message for one learner. PlaceholderError if `template` has a placeholder other
    than {name} and {cohort}: check it (call this) before sending anything."""
    unknown = unknown_placeholders(template)
    if unknown:
        these = (f"{listed(unknown)} aren't placeholders" if len(unknown) > 1
                 else f"{unknown[0]} isn't a placeholder")
        known = listed([f"{{{key}}} ({words})" for key, words in PLACEHOLDERS.items()])
        raise PlaceholderError(f"{these} a message can fill, so learners would see "
                               f"{'them' if len(unknown) > 1 else 'it'} as typed. The "
                               f"placeholders it knows are {known}.")
    values = {"name": name, "cohort": cohort}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
