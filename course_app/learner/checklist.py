"""Stage 1's checklist on the course map: Salmon's technical support for access and
motivation, as checks that tick themselves."""

from dataclasses import dataclass

from flask import url_for

from ..auth.models import User
from ..cohorts.models import Cohort
from ..discussions import reading
from ..progress.rules import EtivityState
from ..progress.standing import LearnerProgress


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    todo: str = ""  # what to do when it isn't done yet
    href: str | None = None


def profile_set(user: User) -> bool:
    """A display name and a line about yourself: what stage 1 asks of a profile."""
    return bool((user.name or "").strip() and (user.about or "").strip())


def onboarding(cohort: Cohort, user: User, standing: LearnerProgress) -> list[Check]:
    """Stage 1's checks after Salmon's technical support for access: each ticks itself."""
    # The first open e-tivity that asks for a conversation of your own (the next step may
    # be one that asks only for reading, like `welcome`).
    step = next((p for p in standing.etivities
                 if p.state == EtivityState.OPEN and p.etivity.initiate), standing.next_step)
    first_post = (url_for("discussions.etivity", cohort_id=cohort.id, slug=step.etivity.slug)
                  if step else None)
    return [
        Check("Logged in", True),
        Check("Set up your profile", profile_set(user),
              "Add your display name and a line about yourself.", url_for("auth.profile")),
        Check("Make your first post", reading.posted_in_cohort(cohort, user),
              "Introduce yourself: a few sentences is plenty.", first_post),
        Check("Find where to ask for help", reading.has_read_help(cohort, user),
              "Open “Ask for help”: the facilitators read it every working day.",
              url_for("discussions.help", cohort_id=cohort.id)),
    ]


def shown(checklist: list[Check], standing: LearnerProgress) -> list[Check]:
    """The checklist stays on the map through stage 1, and after it until every check is done."""
    if standing.current_stage == 1 or not all(c.done for c in checklist):
        return checklist
    return []
