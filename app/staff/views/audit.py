"""The audit log page (admin): every staff change and export, newest first."""

from flask import render_template, request

from app.extensions import db
from app.models import Role
from app.staff.services.audit import PER_PAGE, audit_entries
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(audit_entries(), page=page, per_page=PER_PAGE, error_out=True)
    return render_template("staff/audit.html", pagination=pagination)
