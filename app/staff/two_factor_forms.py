"""The forms of the second factor: the code step of sign-in, and turning it off."""

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from app.staff.forms import StaffForm, strip


class TwoFactorCodeForm(StaffForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired(message="Enter the code.")],
        filters=[strip],
    )


class TwoFactorDisableForm(StaffForm):
    password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password.")]
    )
