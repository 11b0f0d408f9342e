"""The public unsubscribe link: GET shows one button and changes nothing (mail scanners follow
links); POST withdraws at once. The POST carries no CSRF token, since mailbox providers send it
themselves (RFC 8058 one-click), so it is exempt from the CSRF check: the signed token in the
URL is what proves the link came from us."""

from flask import Blueprint, abort, make_response, render_template, request

from app.extensions import csrf, db
from app.privacy.consent import wants_marketing
from app.privacy.unsubscribe import address_for_token, withdraw

bp = Blueprint("unsubscribe", __name__)

ONE_CLICK = "One-Click"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    address = address_for_token(token)
    if address is None:
        abort(404)
    done = False
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != ONE_CLICK:
            abort(400)
        withdraw(address)
        db.session.commit()
        done = True
    page = render_template(
        "privacy/unsubscribe.html",
        token=token,
        done=done,
        subscribed=wants_marketing(address),
    )
    response = make_response(page, 200)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"  # it shows one person's choice
    return response
