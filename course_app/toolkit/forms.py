"""The toolkit's forms: mark a post current, name an editor, publish, and consent."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from ..forms import IdField
from ..inputs import as_id

NOBODY = "nobody"


class MarkCurrentForm(FlaskForm):
    post_id = IdField(validators=[InputRequired("Choose the post that is the current version.")])


class EditorForm(FlaskForm):
    editor = SelectField(
        "Learner editor",
        description="They choose which post is the section's current version (you can too).",
        validators=[InputRequired("Choose a learner, or nobody.")], validate_choice=False)

    @classmethod
    def for_learners(cls, learners, chosen_id: int | None, **kwargs):
        form = cls(**kwargs)
        form.editor.choices = [SelectChoice(NOBODY, "Nobody yet")] + [
            SelectChoice(str(u.id), u.name) for u in learners]
        if form.editor.data is None:
            form.editor.data = str(chosen_id) if chosen_id else NOBODY
        return form

    @property
    def editor_id(self) -> int | None:
        """The learner chosen; None for nobody (and for a value that is no id, which the
        service then refuses as no learner of the cohort: see `nobody`)."""
        return as_id(self.editor.data)

    @property
    def nobody(self) -> bool:
        return self.editor.data == NOBODY


class PublishForm(FlaskForm):
    publish = SelectField("Public page", choices=[
        SelectChoice("yes", "Published: anyone with the link can read it"),
        SelectChoice("no", "Not published: only the cohort can read it"),
    ], validators=[InputRequired("Choose whether to publish it."),
                   AnyOf(["yes", "no"], "Choose whether to publish it.")], validate_choice=False)


class ConsentForm(FlaskForm):
    consent = SelectField("Your name on the public page", choices=[
        SelectChoice("yes", "Name me among the contributors"),
        SelectChoice("no", "Don't name me"),
    ], validators=[InputRequired("Choose whether to be named."),
                   AnyOf(["yes", "no"], "Choose whether to be named.")], validate_choice=False)
