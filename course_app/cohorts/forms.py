from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EnrolForm(FlaskForm):
    key = StringField(
        "Enrolment key",
        description="Your facilitator gives you this. It looks like ABCD-EFGH; capital "
                    "letters and the hyphen don't matter.",
        filters=[_strip],
        validators=[DataRequired("Enter the enrolment key your facilitator gave you."),
                    Length(max=40, message="Enrolment keys are short, like ABCD-EFGH.")],
    )


class JoinForm(FlaskForm):
    """Accepting an invitation: only the button (and the CSRF token)."""
