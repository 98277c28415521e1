"""Form pieces every blueprint shares: one definition each.

Forms check the shape of what was typed; services check the rest and name the field at
fault, so a message is the same wherever it comes from.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField
from wtforms.validators import InputRequired, StopValidation, ValidationError

from .inputs import as_id, date_problem
from .text import is_blank, one_line


def strip(value):
    """A field filter: surrounding spaces are never part of what someone meant."""
    return value.strip() if isinstance(value, str) else value


def single_line(value):
    """A field filter for names and titles: stripped, and line breaks, tabs and other control
    characters folded into single spaces (`text.one_line`). A name goes into email subjects,
    where a line break can't go; people paste names, so it is folded, not refused."""
    return one_line(value) if isinstance(value, str) else value


class TextRequired(InputRequired):
    """InputRequired for words someone must type (a name): spaces or invisible characters
    alone (`text.is_blank`) count as nothing typed. The form says so with its other problems,
    instead of the service refusing it once they are fixed."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if is_blank(field.data if isinstance(field.data, str) else ""):
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("This field is required."))


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that does one thing."""


class ConfirmForm(FlaskForm):
    """A button that asks first: sent without `confirm`, the page asks "are you sure?"."""

    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return bool((self.confirm.data or "").strip())


class FriendlyDateField(DateField):
    """A date field whose message says what to type, and which takes only dates in
    inputs.EARLIEST_DATE..LATEST_DATE (a year like 9999 would overflow the first sum)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date like 2027-01-04 (year, month, day).") from None

    def pre_validate(self, form):
        problem = date_problem(self.data)
        if problem:
            raise ValidationError(problem)


class WholeNumberField(IntegerField):
    """A whole-number field whose message says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, like 12.") from None


class IdField(IntegerField):
    """A (hidden) id sent back by a form: only numbers an id column can hold count."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] not in ("", None):
            self.data = as_id(valuelist[0].strip())
            if self.data is None:
                raise ValueError("This form was damaged. Reload the page and try again.")
        else:
            self.data = None
