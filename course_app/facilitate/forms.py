"""Forms for the facilitator's pages. They check the shape of what was typed; the services
check the rest (and name the field at fault), so a message is the same wherever it comes from."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..auth.forms import EmailAddress
from ..discussions.forms import _PostingForm as _KeyedForm  # its submission_key
from ..forms import ConfirmForm, FriendlyDateField, WholeNumberField, single_line, strip
from ..inputs import as_id
from ..text import is_blank

# ---- cohorts, invites, people ------------------------------------------------------

def _release(number: int) -> FriendlyDateField:
    return FriendlyDateField(f"Stage {number} opens on", validators=[Optional()])


class _CohortFields(FlaskForm):
    """What a cohort is: shared by "Open a new cohort" and the cohort's settings."""

    name = StringField("Name", filters=[single_line],
                       description="Learners see it on their course map, e.g. “Spring 2027”.",
                       validators=[DataRequired("Give the cohort a name."),
                                   Length(max=120, message="Use at most 120 characters.")])
    starts_on = FriendlyDateField("Start date", validators=[Optional()],
                      description="The day the cohort begins. Leave it empty if it starts "
                                  "whenever people join.")
    capacity = WholeNumberField("Places (optional)", validators=[
        Optional(), NumberRange(min=1, max=10000, message="Enter a number from 1 upwards.")],
        description="The most learners who can join. Leave it empty for no limit.")
    silent_days = WholeNumberField("Days before someone counts as silent", default=5, validators=[
        InputRequired("Enter a number of days, e.g. 5."),
        NumberRange(min=1, max=60, message="Enter a number of days from 1 to 60.")],
        description="A learner who hasn't posted for this many days shows up in What needs "
                    "you now.")
    paced = BooleanField("Paced: each stage opens on a date I set")
    release_1 = _release(1)
    release_2 = _release(2)
    release_3 = _release(3)
    release_4 = _release(4)
    release_5 = _release(5)

    RELEASES = ("release_1", "release_2", "release_3", "release_4", "release_5")

    def release_fields(self):
        return [getattr(self, name) for name in self.RELEASES]

    def release_dates(self) -> dict:
        return {n: getattr(self, name).data for n, name in enumerate(self.RELEASES, start=1)}

    def fill_release_dates(self, dates: dict) -> None:
        for n, name in enumerate(self.RELEASES, start=1):
            field = getattr(self, name)
            field.data, field.raw_data = dates.get(n), None
            field.errors = []

    def describe_stages(self, stages) -> None:
        """Name each release date after the course's stage ("Access and motivation")."""
        for stage in stages:
            if 1 <= stage.number <= 5:
                getattr(self, f"release_{stage.number}").description = stage.title


class NewCohortForm(_CohortFields):
    course = SelectField("Course", coerce=int,
                         validators=[InputRequired("Choose the course this cohort runs.")])


class SettingsForm(_CohortFields):
    welcome_message = TextAreaField(
        "Welcome message (optional)",
        description="Shown to learners at the top of their course map. You can use Markdown: "
                    "**bold**, *italic*, - lists, [links](https://…). Up to 5,000 characters.",
        validators=[Length(max=5000, message="Keep the welcome under 5,000 characters.")])


class StateForm(ConfirmForm):
    to = HiddenField()
    seen = HiddenField()  # the state the page showed: another's change meanwhile is refused


class InviteLinkForm(FlaskForm):
    expires_in_days = WholeNumberField("Expires after (days)", default=14, validators=[
        Optional(), NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365.")],
        description="Leave it empty for a link that works until you revoke it.")


class BulkInviteForm(FlaskForm):
    emails = TextAreaField(
        "Email addresses",
        description="One address per line, or paste rows from a spreadsheet: we use the first "
                    "cell that looks like an email address.")
    csv_file = FileField("Or choose a CSV file",
                         description="A .csv or .txt file saved as UTF-8, up to 200 KB.")
    expires_in_days = WholeNumberField("Links expire after (days)", default=14, validators=[
        Optional(), NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365.")],
        description="Leave it empty for links that work until you revoke them.")


class StaffForm(FlaskForm):
    email = EmailField("Their email", filters=[strip], validators=[
        InputRequired("Enter the email address of the person to add."),
        Length(max=254, message="Enter an email address with at most 254 characters."),
        EmailAddress()],
        description="They need an account already.")
    # Short choices, explained in the hint: a closed list shows only its first 30 or so
    # characters at 320 px.
    role = SelectField("Role", choices=[
        SelectChoice("facilitator", "Co-facilitator"),
        SelectChoice("reviewer", "Reviewer"),
    ], default="facilitator", description="A co-facilitator runs the cohort with you; a "
                                          "reviewer only reads its progress reports (a "
                                          "sponsor, say).")


# ---- moderation
# Hiding and showing posts, pinning and locking, weaving, overrides, nudges, the audit log.

class HidePostForm(FlaskForm):
    reason = TextAreaField(
        "Why are you hiding it?",
        description="Its author sees this beside their post, so say kindly what was wrong and "
                    "what they could do instead. Up to 500 characters.")


class ThreadFlagsForm(FlaskForm):
    """Pin or lock a thread: each flag is "1" (on), "0" (off) or absent (leave it)."""

    pinned = HiddenField()
    locked = HiddenField()
    back = HiddenField()  # "etivity": back to the e-tivity's list of pieces

    @staticmethod
    def flag(field) -> bool | None:
        return {"1": True, "0": False}.get(field.data or "")


class WeaveForm(_KeyedForm):  # sent twice, one weave (audit.find_submission)
    title = StringField("Title", description="What the summary draws together, e.g. “What we "
                                             "heard in the first week”.")
    body = TextAreaField(
        "Your summary",
        description="Weave the posts together: what they share, where they differ, what to "
                    "take forward. You can use Markdown: **bold**, *italic*, - lists, "
                    "[links](https://…).")

    @classmethod
    def for_posts(cls, posts, **kwargs) -> "WeaveForm":
        """A "Cite this post" box and a "Short quote" field for each post (cite_ID, quote_ID).
        A quote typed for a post not ticked is refused beside it, not dropped unseen."""
        fields = {}
        for post in posts:
            fields[f"cite_{post.id}"] = BooleanField("Cite this post")
            fields[f"quote_{post.id}"] = StringField(
                "Short quote (optional)",
                description="Copy a few words from the post, or leave it empty to quote its "
                            "opening.",
                validators=[Length(max=280, message="Keep the quote under 280 characters."),
                            _ticked_to_quote(f"cite_{post.id}", post.author.name)])
        return type(cls.__name__, (cls,), fields)(**kwargs)

    def cited(self, posts) -> list[tuple]:
        """(post, quote) for each post ticked, in the order shown."""
        return [(post, self[f"quote_{post.id}"].data or "") for post in posts
                if self[f"cite_{post.id}"].data]


def _ticked_to_quote(box: str, author: str):
    """A quote field's check: words typed for a post whose box (`box`) is not ticked."""
    def check(form, field) -> None:
        if not form[box].data and not is_blank(field.data or ""):
            raise ValidationError(f"You wrote a quote for {author}'s post: tick “Cite this "
                                  "post” to cite it, or clear the quote.")
    return check


class _LearnerChoice(ConfirmForm):
    """Overrides: the confirm field asks first where a change can't be undone."""

    @classmethod
    def with_choices(cls, learners, etivities, stages=None, everyone=False, **kwargs):
        form = cls(**kwargs)
        choices = [("", "Choose who…"), ("everyone", "Everyone in the cohort")] if everyone \
            else [("", "Choose a learner…")]
        form.learner.choices = choices + [(str(u.id), u.name) for u in learners]
        if hasattr(form, "etivity"):
            form.etivity.choices = [("", "Choose an e-tivity…")] + [
                (str(e.id), f"Stage {e.stage_number}: {e.title}") for e in etivities]
        if hasattr(form, "stage"):
            form.stage.choices = [(str(s.number), f"Stage {s.number}: {s.title}")
                                  for s in stages or () if s.number > 1]
        return form


class OpenStageForm(_LearnerChoice):
    stage = SelectField("Stage", description="Stage 1 is always open.")
    learner = SelectField("Open it for",
                          validators=[InputRequired("Choose a learner, or everyone.")])


class OpenEtivityForm(_LearnerChoice):
    etivity = SelectField("E-tivity", validators=[InputRequired("Choose an e-tivity.")])
    learner = SelectField("Open it for",
                          validators=[InputRequired("Choose a learner, or everyone.")])


class CompleteByHandForm(_LearnerChoice):
    learner = SelectField("Learner", validators=[InputRequired("Choose a learner.")])
    etivity = SelectField("E-tivity", validators=[InputRequired("Choose an e-tivity.")])


class RecipientsForm(FlaskForm):
    """Step 1 of a nudge, sent with GET so the preview writes nothing."""

    class Meta:
        csrf = False

    who = SelectField("Write to", validate_choice=False)
    stage = SelectField(
        "In stage (needed for “Learners now in a stage”)",
        description="Narrows a group to one stage, e.g. those who have only read in stage 2. "
                    "“Every learner” and one learner ignore it.", validate_choice=False)

    @classmethod
    def with_choices(cls, who: str, stage: str, groups: dict[str, str], learners
                     ) -> "RecipientsForm":
        form = cls(formdata=None, who=who, stage=stage)
        form.who.choices = {
            "A group": [(f"group:{key}", words[0].upper() + words[1:])
                        for key, words in groups.items()],
            "One learner": [(f"learner:{u.id}", u.name) for u in learners],
        }
        form.stage.choices = [("", "Any stage")] + [(str(n), f"Stage {n}") for n in range(1, 6)]
        return form


class TemplateChoiceForm(FlaskForm):
    """The list of message templates, inside the nudge's form: it changes nothing by itself;
    "Use this template" sends the form and the page comes back with the template's text
    (static/js/forms.js does it in place). See templates/_macros/template_picker.html."""

    class Meta:
        csrf = False

    template = SelectField("Start from a template (optional)", id="template-choice",
                           validate_choice=False)

    @classmethod
    def with_templates(cls, templates, chosen: int | None, formdata=None) -> "TemplateChoiceForm":
        form = cls(formdata=formdata)
        form.template.choices = [("", "Choose a template…", {})] + [
            (str(n), name, {"data-body": body})
            for n, (name, body) in enumerate(templates, start=1)]
        if formdata is None:
            form.template.data = str(chosen) if chosen else ""
        return form


class NudgeForm(_KeyedForm):  # sent twice, sent once (audit.find_submission)
    who = HiddenField(id="nudge-who")  # ids apart from the chooser's fields of the same name
    stage = HiddenField(id="nudge-stage")
    recipients = HiddenField()  # the ids previewed: nothing goes to anyone not on that list
    template_used = HiddenField()
    # What the message was before "Use this template" replaced it, for "Undo" (without scripts).
    undo_text = HiddenField()
    undo_template = HiddenField()
    text = TextAreaField(
        "Your message",
        description="{name} becomes each learner's name and {cohort} the cohort's name. "
                    "Up to 2,000 characters.")

    def previewed(self) -> set[int]:
        return {as_id(i.strip()) for i in (self.recipients.data or "").split(",")} - {None}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Action", validate_choice=False)
    interventions = BooleanField("Interventions only (nudges, weaves, welcomes)")
