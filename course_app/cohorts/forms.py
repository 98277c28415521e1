"""The enrolment-key form (accepting an invite is a `forms.ButtonForm`)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import strip


class EnrolForm(FlaskForm):
    key = StringField(
        "Enrolment key",
        description="Your facilitator gives you this. It looks like ABCD-EFGH; capital "
                    "letters and the hyphen don't matter.",
        filters=[strip],
        validators=[DataRequired("Enter the enrolment key your facilitator gave you."),
                    Length(max=40, message="Enrolment keys are short, like ABCD-EFGH.")],
    )
