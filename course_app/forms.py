"""Form pieces every blueprint shares: one definition each.

Forms check the shape of what was typed; services check the rest and name the field at
fault, so a message is the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField


def strip(value):
    """A field filter: surrounding spaces are never part of what someone meant."""
    return value.strip() if isinstance(value, str) else value


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that does one thing."""


class ConfirmForm(FlaskForm):
    """A button that asks first: sent without `confirm`, the page asks "are you sure?"."""

    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return bool((self.confirm.data or "").strip())


class FriendlyDateField(DateField):
    """A date field whose message says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date like 2027-01-04 (year, month, day).") from None


class WholeNumberField(IntegerField):
    """A whole-number field whose message says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, like 12.") from None
