"""The audit log page (admin): every staff change and export, newest first."""

from flask import render_template

from app.models import Role
from app.pagination import paginate
from app.staff.services.audit import PER_PAGE, audit_entries
from app.staff.services.users import recent_sign_ins
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp

SIGN_INS_SHOWN = 50


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    pagination = paginate(audit_entries(), PER_PAGE)
    return render_template(
        "staff/audit.html", pagination=pagination, sign_ins=recent_sign_ins(SIGN_INS_SHOWN)
    )
