"""Forms for threads and posts.

Length and emptiness are checked once, by the services (`PostError` names the field), so the
messages are the same wherever a post comes from; these forms carry CSRF and the hidden keys.
"""

import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, Regexp

from .services import BODY_MAX, TITLE_MAX

DAMAGED = "This form was damaged. Reload the page and try again."  # as forms.IdField says it
_KEY = [Optional(), Regexp(r"^[0-9a-f]{32}$", message=DAMAGED)]


def _new_key() -> str:
    return uuid.uuid4().hex


class _PostingForm(FlaskForm):
    # A resent form carries the same key, so the post is stored once (see services.find_submission).
    submission_key = HiddenField(validators=_KEY, default=_new_key)

    def ensure_key(self) -> None:
        if not self.submission_key.data:
            self.submission_key.data = _new_key()


class ThreadForm(_PostingForm):
    title = StringField("Title", description=f"A few words that say what it is about "
                                             f"(up to {TITLE_MAX} characters).")
    body = TextAreaField("Your post", description=f"You can format your text: **bold**, "
                                                  f"*italic*, - lists. "
                                                  f"Up to {BODY_MAX:,} characters.")
    piece = HiddenField()  # the template it started from
    # What the text was before "Use this template" replaced it, for "Undo" (without scripts).
    undo_body = HiddenField()
    undo_piece = HiddenField()
    send_anyway = BooleanField("Send it as it is")


class PieceChoiceForm(FlaskForm):
    """Choosing a piece template: a list inside the post's form, which changes nothing by
    itself; its "Use this template" button sends the form, so the page comes back with the
    template's text and everything else kept (static/js/forms.js does it in place)."""

    class Meta:
        csrf = False

    template = SelectField("Start from a template (optional)", id="template-choice",
                           description="A template gives your post a shape to fill in. "
                                       "Choose one, then “Use this template”.",
                           validate_choice=False)

    @classmethod
    def for_etivity(cls, etivity, chosen: str | None, formdata=None) -> "PieceChoiceForm":
        form = cls(formdata=formdata)
        form.template.choices = [("", "Choose a template…", {})] + [
            (p["name"], p["name"], {"data-body": p.get("body") or ""}) for p in etivity.pieces or ()
        ]
        if formdata is None:
            form.template.data = chosen or ""
        return form


class ReplyForm(_PostingForm):
    body = TextAreaField("Your reply",
                         description="You can format your text: **bold**, *italic*, - lists.")
    parent_id = HiddenField(validators=[Optional(), Regexp(r"^\d+$", message=DAMAGED)])


class EditForm(FlaskForm):
    body = TextAreaField("Your post",
                         description="Your earlier text is kept in the post's history.")
