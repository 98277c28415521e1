"""Nudges: a message from a facilitator to one learner or a group of them, and the groups
a nudge can go to."""

from datetime import datetime

from ..auth.models import User
from ..cohorts.models import Cohort
from ..inputs import as_id
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress.standing import cohort_progress
from ..rendering import plural
from ..text import is_blank
from .audit import record
from .errors import FacilitateError
from .messages import PlaceholderError, fill
from .models import AuditAction
from .people import learners_of
from .queue import queue

TEXT_MAX = 2000
NAMED = 5  # learners a nudge's audit line names
GROUPS = {
    "all": "every learner",
    "silent": "learners who have been silent",
    "stuck": "learners stuck in a stage",
    "observers": "learners who have only read so far",
    "in-stage": "learners now in a stage",
}


def nudge(cohort: Cohort, actor: User, learners: list[User], text: str, at: datetime,
          group: str = "", submission_key: str | None = None) -> None:
    """Write to one learner or a group: an in-app notification each (emailed as the learner
    chooses: mailings.hooks), one intervention in the log. The form's `submission_key` goes
    in the log's entry: the same form sent twice at once sends once (the second gets an
    IntegrityError)."""
    text = text.strip()
    if is_blank(text):
        raise FacilitateError("Write the message first.", "text")
    if len(text) > TEXT_MAX:
        raise FacilitateError(f"Keep a nudge under {TEXT_MAX:,} characters.", "text")
    if not learners:
        raise FacilitateError("Nobody matches that choice, so nothing was sent.", "group")
    try:  # every message filled before any is sent
        messages = [(learner, fill(text, learner.name, cohort.name)) for learner in learners]
    except PlaceholderError as error:
        raise FacilitateError(str(error), "text") from None
    for learner, personal in messages:
        notify(learner.id, NotificationKind.MESSAGE, f"{actor.name} wrote to you: {personal}",
               at, link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    record(cohort, actor, AuditAction.NUDGE,
           audit_summary([u.name for u in learners[:NAMED]], len(learners), group), at,
           intervention=True, detail={"learners": [u.id for u in learners], "text": text,
                                      "group": group}, submission_key=submission_key)


def audit_summary(names: list[str], count: int, group: str) -> str:
    """A nudge's line in the audit log: `names` are those of the first NAMED of the `count`
    learners nudged (the entry's detail keeps all their ids, in order, so privacy.deletion
    writes the line again when one of them deletes their account)."""
    listed = ", ".join(names[:NAMED]) + (" and others" if count > NAMED else "")
    return (f"Nudged {plural(count, 'learner', 'learners')}{f' ({group})' if group else ''}: "
            f"{listed}")


def learners_in_group(cohort: Cohort, group: str, now: datetime, stage: int | None = None
                      ) -> list[User]:
    """The learners a nudge goes to. With a stage, "observers" means those who have only
    read in that stage's e-tivities, and "in-stage" those whose current stage it is."""
    learners = learners_of(cohort)
    if group == "all":
        return sorted((u for u, _ in learners.values()), key=lambda u: u.name)
    if group in ("silent", "stuck"):
        waiting = getattr(queue(cohort, now), group)
        return [w.user for w in waiting if stage is None or w.stage in (None, stage)]
    standings = cohort_progress(cohort, now.date(), set(learners))
    chosen = []
    for user_id, (user, _m) in learners.items():
        standing = standings[user_id]
        if group == "in-stage":
            if stage is not None and standing.current_stage == stage:
                chosen.append(user)
        elif group == "observers":
            items = standing.in_stage(stage) if stage else standing.etivities
            o = sum(p.counts.observe for p in items)
            i = sum(p.counts.interact + p.counts.initiate for p in items)
            if o and not i:
                chosen.append(user)
    return sorted(chosen, key=lambda u: u.name)


def recipients(cohort: Cohort, who: str, stage: str, learners: list[User], now: datetime
               ) -> tuple[list[User], str]:
    """Who a nudge goes to, and the group in words for the log. `who` is "learner:ID" (one
    of `learners`) or "group:NAME" (one of GROUPS); `stage` ("1"-"5" or "") narrows a
    group. FacilitateError (on "who" or "stage") if the choice is wrong."""
    kind, _, value = who.partition(":")
    number = as_id(stage)
    number = number if number is not None and number <= 5 else None
    if kind == "learner":
        learner = next((u for u in learners if str(u.id) == value), None)
        if learner is None:
            raise FacilitateError("Choose who to write to: that learner is not in this "
                                  "cohort.", "who")
        return [learner], ""
    if kind != "group" or value not in GROUPS:
        raise FacilitateError("Choose who to write to.", "who")
    if value == "in-stage" and number is None:
        raise FacilitateError("Choose a stage for “learners now in a stage”.", "stage")
    words = GROUPS[value]
    if number and value not in ("all", "in-stage"):
        words += f", in stage {number}"
    elif value == "in-stage":
        words = f"learners now in stage {number}"
    return learners_in_group(cohort, value, now, number), words
