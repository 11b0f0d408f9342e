"""What the staff area emails its own people: a builder per message, queued in the outbox."""

from flask import current_app, render_template

from app.models import OutboxMessage, User
from app.outbox.queue import enqueue
from app.urls import site_url_for


def queue_account_locked(user: User, failures: int, minutes: int) -> OutboxMessage:
    """Tell the owner that wrong passwords paused sign-in to their account from new browsers."""
    context = {
        "user": user,
        "failures": failures,
        "minutes": minutes,
        "site_name": current_app.config["SITE_NAME"],
        "login_url": site_url_for("staff.login"),
        "subject": f"{current_app.config['SITE_NAME']} staff sign-in paused for your account",
    }
    return enqueue(
        "staff_account_locked",
        user.email,
        context["subject"],
        render_template("email/staff/account_locked.txt", **context),
        render_template("email/staff/account_locked.html", **context),
    )
