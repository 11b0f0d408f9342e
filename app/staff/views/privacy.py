"""Privacy requests (admin): find, export as JSON and erase what is stored for an address.

Every action is a POST, so the address never appears in a URL (or an access log)."""

import json

from flask import flash, make_response, redirect, render_template, url_for

from app.extensions import db
from app.models import Role
from app.staff.forms import show_errors
from app.staff.privacy_forms import PrivacyEraseForm, PrivacyLookupForm
from app.staff.services import privacy
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.route("/privacy", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def privacy_requests():
    form = PrivacyLookupForm()
    data = None
    if form.validate_on_submit():
        try:
            data = privacy.lookup(form.email.data)
            db.session.commit()
        except privacy.PrivacyRequestError as error:
            db.session.rollback()
            show_errors(form, {"email": str(error)})
    erase_form = PrivacyEraseForm(formdata=None, email=form.email.data) if data else None
    # Like every staff form, a form with errors comes back as a page (200) saying what to fix.
    return render_template("staff/privacy.html", form=form, data=data, erase_form=erase_form)


@bp.post("/privacy/export.json")
@role_required(Role.ADMIN)
def privacy_export():
    form = PrivacyLookupForm()
    if not form.validate_on_submit():
        return render_template("staff/privacy.html", form=form, data=None, erase_form=None)
    try:
        data = privacy.export(form.email.data)
    except privacy.PrivacyRequestError as error:
        db.session.rollback()
        show_errors(form, {"email": str(error)})
        return render_template("staff/privacy.html", form=form, data=None, erase_form=None)
    db.session.commit()
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response


@bp.post("/privacy/erase")
@role_required(Role.ADMIN)
def privacy_erase():
    form = PrivacyEraseForm()
    if form.validate_on_submit():
        try:
            counts = privacy.erase(form.email.data)
            db.session.commit()
            flash(
                f"Erased: {counts['registrations']} registrations, {counts['other_emails']} other "
                f"emails, {counts['marketing_choice']} marketing choice.",
                "success",
            )
            return redirect(url_for("staff.privacy_requests"), 303)
        except privacy.PrivacyRequestError as error:
            db.session.rollback()
            show_errors(form, {"email": str(error)})
    return render_template("staff/privacy.html", form=form, data=None, erase_form=form)
