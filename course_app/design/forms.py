"""The designer's forms. Their fields are plain text: what an author types is checked by the
same code as `course validate` (design.editing turns it into a course file and reads it
back), so every message matches the command line's. Each form's fields are in the order its
page shows them: the error summary lists a form's problems in its fields' order."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from ..forms import TextRequired, single_line, strip


def one_newline(value):
    """Browsers send a textarea's line breaks as CRLF; the course files (and what is
    published) use LF, so a draft differs from the published text only where it was edited."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


F = [strip, one_newline]


class PieceForm(Form):
    name = StringField("Name", filters=F,
                       description="A word learners choose it by, e.g. Case study")
    body = TextAreaField("Starting text", filters=F,
                         description="Markdown the learner's post starts with: headings to fill in")


class DayForm(Form):
    day = StringField("Day", filters=F,
                      description="Days after the stage opens: 1 is the first day")
    note = TextAreaField("What the e-moderator does", filters=F)


# Salmon's template, in her order, each with what good looks like.
HINTS = {
    "title": "Short and inviting: it names the activity, e.g. “Listen first”.",
    "purpose": "One or two sentences: why this matters to the learner.",
    "summary": "One line for the course map: what they will do and for how long.",
    "spark": "The picture, quote, short scenario or question that starts the conversation "
             "(Markdown). Not an instruction.",
    "task": "The small individual task that ends in a post (Markdown).",
    "interaction": "How to respond to others, e.g. “reply to two people whose example "
                   "differs from yours” (Markdown).",
    "emoderator": "What the e-moderator does and when: welcome, prompt, summarise "
                  "(Markdown; facilitators only).",
    "minutes": "Total learner time in minutes, reading and posting included.",
    "days": "How many days it is spread over.",
    "first_post_day": "Optional: the day (after the stage opens) to post by.",
    "replies_day": "Optional: the day to reply by; not before the first post.",
    "next": "What follows: the next e-tivity or what it leads to.",
    "observe": "Peers' posts to read.",
    "interact": "Different peers to reply to.",
    "initiate": "Conversations to start.",
}


class EtivityForm(FlaskForm):
    slug = StringField("Slug", filters=F, description=(
        "Lower-case words joined by hyphens, e.g. listen-first. It never changes once saved."))
    title = StringField("Title", filters=F, description=HINTS["title"])
    purpose = TextAreaField("Purpose", filters=F, description=HINTS["purpose"])
    summary = StringField("Brief summary", filters=F, description=HINTS["summary"])
    spark = TextAreaField("Spark", filters=F, description=HINTS["spark"])
    task = TextAreaField("Individual task", filters=F, description=HINTS["task"])
    interaction = TextAreaField("Interaction", filters=F, description=HINTS["interaction"])
    emoderator = TextAreaField("E-moderator interventions", filters=F,
                               description=HINTS["emoderator"])
    minutes = StringField("Minutes", filters=F, description=HINTS["minutes"])
    days = StringField("Days", filters=F, description=HINTS["days"])
    first_post_day = StringField("First post by day", filters=F,
                                 description=HINTS["first_post_day"])
    replies_day = StringField("Replies by day", filters=F, description=HINTS["replies_day"])
    moderator_days = FieldList(FormField(DayForm), min_entries=1)
    next = TextAreaField("Next", filters=F, description=HINTS["next"])
    observe = StringField("Read", filters=F, description=HINTS["observe"])
    interact = StringField("Reply to", filters=F, description=HINTS["interact"])
    initiate = StringField("Start", filters=F, description=HINTS["initiate"])
    observe_facilitators = BooleanField("Reading the facilitators' posts counts towards “read”")
    required = BooleanField("Required to open the next stage")
    post_first = BooleanField("Learners post before they see their peers' conversations")
    pieces = FieldList(FormField(PieceForm), min_entries=1)
    toolkit_slug = StringField("Toolkit section slug", filters=F, description=(
        "Optional: the part of the cohort's toolkit this builds, e.g. phrase-book"))
    toolkit_title = StringField("Toolkit section title", filters=F,
                                description="Its heading on the toolkit page, e.g. Phrase book")
    version = HiddenField()
    replace = HiddenField()  # "yes" after a conflict: save over the other author's version


class StageForm(Form):
    title = StringField("Stage title", filters=F)
    summary = TextAreaField("What learners do", filters=F,
                            description="Shown to learners at the top of the stage.")
    emoderator = TextAreaField("What the e-moderator does", filters=F,
                               description="Shown to facilitators.")
    suggested_days = StringField("Suggested days", filters=F,
                                 description="How long the stage usually stays open.")


class CourseForm(FlaskForm):
    title = StringField("Course title", filters=F)
    summary = TextAreaField("Summary", filters=F,
                            description="What the course is and what learners get (Markdown).")
    audience = TextAreaField("Audience", filters=F, description="Who it is for.")
    weekly_minutes = StringField("Minutes a week", filters=F, description=(
        "Optional: the time a week the course promises to ask of a learner."))
    stages = FieldList(FormField(StageForm), min_entries=5, max_entries=5)
    version = HiddenField()  # Course.texts_version when the form was opened
    replace = HiddenField()  # "yes" after a conflict: save over the other author's texts


class NewCourseForm(FlaskForm):
    title = StringField("Title", filters=[single_line], validators=[
        InputRequired("Enter a title."), Length(max=200, message="Use at most 200 characters.")])
    slug = StringField("Slug", filters=F, validators=[
        InputRequired("Enter a slug."), Length(max=80, message="Use at most 80 characters.")],
        description=("Lower-case words joined by hyphens, e.g. working-in-the-open. "
                     "It never changes."))
    summary = TextAreaField("Summary", filters=F,
                            validators=[InputRequired("Enter a summary.")],
                            description="What the course is and what learners get.")
    audience = TextAreaField("Audience", filters=F,
                             validators=[InputRequired("Enter who it is for.")])


class DuplicateForm(FlaskForm):
    title = StringField("Title of the new course", filters=[single_line], validators=[
        TextRequired("Enter a title for the new course."),
        Length(max=200, message="Use at most 200 characters.")])
    slug = StringField("Slug of the new course", filters=F, validators=[
        InputRequired("Enter a slug for the new course."),
        Length(max=80, message="Use at most 80 characters.")])


class AuthorForm(FlaskForm):
    email = StringField("Email address", filters=F, validators=[
        InputRequired("Enter the email address of the person to add.")],
        description="They need an account here already.")


class UploadForm(FlaskForm):
    archive = FileField("The course folder, zipped", validators=[
        FileRequired("Choose a zip file of the course folder.")], description=(
        "A zip like the one Download gives: course.yaml and etivities/*.md, at most 1 MB."))
    confirm = HiddenField()  # the fingerprint of the impact on running cohorts the author saw


class MoveForm(FlaskForm):
    to = HiddenField()
