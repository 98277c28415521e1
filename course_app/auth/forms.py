"""Account forms. Every check that can run on what was typed runs here, in the form, so a
page shows all its problems at once (GOV.UK's pattern): a weak password is reported beside a
bad email, not after it is fixed. The services check again, for callers without a form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, StopValidation, ValidationError

from ..forms import TextRequired, single_line, strip
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from .services import (
    ACCOUNT_EXISTS,
    CURRENT_PASSWORD_WRONG,
    ENTER_AN_EMAIL,
    NAME_MISSING,
    email_address,
    find_by_email,
)

TOO_LONG = f"Use at most {MAX_LENGTH} characters."  # a password; as password_problem says it


class EmailAddress:
    """The address typed is an email address (`services.email_address`, the check invites
    use too), worded as ENTER_AN_EMAIL. Every form that takes someone's address uses it."""

    def __call__(self, form, field) -> None:
        if field.errors:  # already told (too long): one message is enough
            return
        if email_address(field.data or "") is None:
            raise ValidationError(ENTER_AN_EMAIL)


def _check_password(field, email: str, name: str) -> None:
    if field.errors:  # already told (too long): one message is enough
        return
    problem = password_problem(field.data or "", email=email or "", name=name or "")
    if problem:
        raise StopValidation(problem)


class RegisterForm(FlaskForm):
    # Stripped: phones and autofill often add a space, which the email check would refuse.
    email = EmailField("Email", filters=[strip], validators=[
        InputRequired("Enter your email address."),
        Length(max=254, message="Enter an email address with at most 254 characters."),
        EmailAddress()])
    name = StringField("Display name", description="How other people in your cohort will see you.",
                       filters=[single_line],
                       validators=[TextRequired(NAME_MISSING),
                                   Length(max=80, message="Use at most 80 characters.")])
    password = PasswordField("Password",
                             description=f"At least {MIN_LENGTH} characters. "
                                         "A short phrase works well.",
                             validators=[InputRequired("Choose a password."),
                                         Length(max=MAX_LENGTH, message=TOO_LONG)])
    confirm = PasswordField("Repeat password", validators=[
        InputRequired("Type the password again."),
        EqualTo("password", "The two passwords are different. Type them again.")])

    def validate_email(self, field) -> None:
        if field.data and find_by_email(field.data) is not None:
            raise StopValidation(ACCOUNT_EXISTS)

    def validate_password(self, field) -> None:
        _check_password(field, self.email.data, self.name.data)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Remember me on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password.")])
    new_password = PasswordField("New password",
                                 description=f"At least {MIN_LENGTH} characters.",
                                 validators=[InputRequired("Choose a new password."),
                                             Length(max=MAX_LENGTH, message=TOO_LONG)])
    confirm = PasswordField("Repeat new password", validators=[
        InputRequired("Type the new password again."),
        EqualTo("new_password", "The two passwords are different. Type them again.")])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # whose password: its email and name make weak passwords

    def validate_current_password(self, field) -> None:
        if self.user is not None and not self.user.check_password(field.data or ""):
            raise StopValidation(CURRENT_PASSWORD_WRONG)

    def validate_new_password(self, field) -> None:
        if self.user is not None:
            _check_password(field, self.user.email, self.user.name)


class ProfileForm(FlaskForm):
    name = StringField("Display name", filters=[single_line], validators=[
        TextRequired(NAME_MISSING),
        Length(max=80, message="Use at most 80 characters.")])
    about = TextAreaField("A line about yourself",
                          description="Your work and what you hope to get from the course.",
                          validators=[Length(max=500, message="Keep it under 500 characters.")])
