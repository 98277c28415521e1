from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Optional

from ..forms import IdField


class MarkReadForm(FlaskForm):
    """Mark one notification read (with its id) or all of them (without)."""

    notification_id = IdField(validators=[Optional()])
    next = HiddenField()
