"""The forms about staff accounts: creating them, roles, passwords and the second factor."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.models import ROLES
from app.staff.forms import StaffForm, options, strip
from app.staff.services.passwords import MIN_PASSWORD_LENGTH


class UserCreateForm(StaffForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(message="Enter an email address."), Email(), Length(max=254)],
        filters=[strip],
    )
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Enter a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the person safely.",
    )
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The passwords do not match.")]
    )
    save = SubmitField("Create account")


class UserAccessForm(StaffForm):
    role = SelectField("Role", choices=options((role, role.capitalize()) for role in ROLES))
    active = BooleanField("Active (may sign in)")
    save = SubmitField("Save")


def new_password_field(label: str, description: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(message="Enter a password.")],
        description=description,
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        "New password again",
        validators=[EqualTo("password", message="The passwords do not match.")],
    )


class PasswordChangeForm(StaffForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password.")]
    )
    password = new_password_field(
        "New password",
        f"At least {MIN_PASSWORD_LENGTH} characters; not a common password, the site's name or "
        "your address. A few unrelated words make a good one.",
    )
    confirm = confirm_field()
    save = SubmitField("Change password")


class TemporaryPasswordForm(StaffForm):
    password = new_password_field(
        "Temporary password",
        f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the person safely; they must "
        "choose their own at their next sign-in, and their current sessions end now.",
    )
    confirm = confirm_field()
    save = SubmitField("Set temporary password")


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
