from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..forms import strip
from .passwords import MAX_LENGTH, MIN_LENGTH


class RegisterForm(FlaskForm):
    # Stripped: phones and autofill often add a space, which the email check would refuse.
    email = EmailField("Email", filters=[strip], validators=[
        InputRequired("Enter your email address."),
        Email("Enter an email address like name@example.org."),
        Length(max=254)])
    name = StringField("Display name", description="How other people in your cohort will see you.",
                       validators=[InputRequired("Enter the name other people will see."),
                                   Length(max=80, message="Use at most 80 characters.")])
    password = PasswordField("Password",
                             description=f"At least {MIN_LENGTH} characters. "
                                         "A short phrase works well.",
                             validators=[InputRequired("Choose a password."),
                                         Length(max=MAX_LENGTH)])
    confirm = PasswordField("Repeat password", validators=[
        InputRequired("Type the password again."),
        EqualTo("password", "The two passwords are different. Type them again.")])


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
                                             Length(max=MAX_LENGTH)])
    confirm = PasswordField("Repeat new password", validators=[
        InputRequired("Type the new password again."),
        EqualTo("new_password", "The two passwords are different. Type them again.")])


class ProfileForm(FlaskForm):
    name = StringField("Display name", validators=[
        InputRequired("Enter the name other people will see."),
        Length(max=80, message="Use at most 80 characters.")])
    about = TextAreaField("A line about yourself",
                          description="Your work and what you hope to get from the course.",
                          validators=[Length(max=500, message="Keep it under 500 characters.")])
