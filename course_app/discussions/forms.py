"""Forms for threads and posts.

Length and emptiness are checked once, by the services (`PostError` names the field), so the
messages are the same wherever a post comes from; these forms carry CSRF and the hidden keys.
"""

import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, Regexp

from .services import BODY_MAX, TITLE_MAX

_KEY = [Optional(), Regexp(r"^[0-9a-f]{32}$", message="This form was damaged. Reload the page.")]


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
    body = TextAreaField("Your post", description=f"You can use Markdown: **bold**, *italic*, "
                                                  f"> quotes, - lists, [links](https://…). "
                                                  f"Up to {BODY_MAX:,} characters.")
    piece = HiddenField()


class PieceChoiceForm(FlaskForm):
    """Choosing a piece template. A GET form (?piece=Name), so it works without JavaScript;
    static/js/forms.js fills the post's text at once where scripts run."""

    class Meta:
        csrf = False

    piece = SelectField("Start from a template (optional)", id="piece-choice",
                        description="A template gives your post a shape to fill in. "
                                    "Choose one before you start writing.",
                        render_kw={"data-fills": "body", "data-records": "piece"},
                        validate_choice=False)

    @classmethod
    def for_etivity(cls, etivity, chosen: str | None) -> "PieceChoiceForm":
        form = cls(formdata=None)
        form.piece.choices = [("", "No template: a blank post", {})] + [
            (p["name"], p["name"], {"data-body": p.get("body") or ""}) for p in etivity.pieces or ()
        ]
        form.piece.data = chosen or ""
        return form


class ReplyForm(_PostingForm):
    body = TextAreaField("Your reply", description="You can use Markdown, as in posts.")
    parent_id = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])


class EditForm(FlaskForm):
    body = TextAreaField("Your post",
                         description="Your earlier text is kept in the post's history.")
