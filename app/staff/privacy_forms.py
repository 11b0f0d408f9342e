"""Forms of the admins' privacy page (/staff/privacy): find an address, erase it."""

from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired

from app.staff.forms import StaffForm, strip


class PrivacyLookupForm(StaffForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(message="Enter the email address the request is about.")],
        filters=[strip],
        description="Everything stored for this address: registrations, emails, marketing choice.",
    )


class PrivacyEraseForm(PrivacyLookupForm):
    confirm = BooleanField(
        "Yes, erase everything stored for this address",
        validators=[DataRequired(message="Tick the box to confirm the erasure.")],
    )
