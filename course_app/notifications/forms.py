from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import Optional


class MarkReadForm(FlaskForm):
    """Mark one notification read (with its id) or all of them (without)."""

    notification_id = IntegerField(validators=[Optional()])
    next = HiddenField()
