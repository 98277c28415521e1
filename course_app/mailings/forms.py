from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..rendering import listed
from . import preferences
from .models import Delivery, DigestEvery

DELIVERY_CHOICES = [SelectChoice(Delivery.NOW.value, "At once, one email each"),
                    SelectChoice(Delivery.DIGEST.value, "Collected in my digest"),
                    SelectChoice(Delivery.OFF.value, "Not by email (only in the course)")]
DIGEST_CHOICES = [SelectChoice(DigestEvery.DAILY.value, "Daily, at 08:00"),
                  SelectChoice(DigestEvery.WEEKLY.value, "Weekly, on Mondays at 08:00"),
                  SelectChoice(DigestEvery.NEVER.value, "Never")]
# What each choice that can be collected in the digest is called in a sentence.
COLLECTED = {"replies": "replies", "messages": "messages", "stages": "stage openings"}


class Choice(SelectField):
    """A list to choose from; anything else is refused in plain words."""

    def __init__(self, label, problem="Choose one of the options.", **kwargs):
        super().__init__(label, **kwargs)
        self.problem = problem

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.problem)


class PreferencesForm(FlaskForm):
    replies = Choice("Replies to your posts", choices=DELIVERY_CHOICES)
    messages = Choice("Messages from facilitators", choices=DELIVERY_CHOICES,
                      description="They always arrive in the course's notifications too.")
    stages = Choice("A stage opening for you", choices=DELIVERY_CHOICES)
    digest = Choice("Digest", choices=DIGEST_CHOICES,
                    description="New posts in your open e-tivities, what to do next, and "
                                "anything you chose to collect. Nothing is sent when "
                                "nothing is new.")
    time_zone = Choice("Your time zone", description="Digests come at 08:00 here.",
                       problem="Choose a time zone from the list, like Europe/London.")
    # After the time zone, as the page shows them (the error summary follows this order).
    morning = BooleanField("Facilitators: a morning email of what needs you today")

    @classmethod
    def for_person(cls, user, chosen, **kwargs) -> "PreferencesForm":
        """The form for `user`, whose stored choices are `chosen` (preferences.of): the zones
        they may pick (their own kept even when no longer offered), and the morning email only
        for those it goes to (for others the field is gone, so saving leaves it as stored)."""
        form = cls(**kwargs)
        form.time_zone.choices = [SelectChoice(name, name.replace("_", " "))
                                  for name in preferences.zones_for(chosen.time_zone)]
        if not preferences.offers_morning(user):
            del form.morning
        return form

    def validate_digest(self, field):
        """Something collected for a digest that never comes would never be emailed."""
        collected = [words for name, words in COLLECTED.items()
                     if self[name].data == Delivery.DIGEST.value]
        if field.data == DigestEvery.NEVER.value and collected:
            raise ValidationError(
                f"You chose to collect {listed(collected)} in your digest: choose how often "
                "it comes, or send them at once or not at all.")
