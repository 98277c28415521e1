from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import InputRequired


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", description="To be sure it is you.",
                             validators=[InputRequired("Enter your password to delete your "
                                                       "account.")])
