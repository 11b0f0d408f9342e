"""The audit log page (admin): every staff change and export, newest first."""

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEntry
from app.staff import bp
from app.staff.access import role_required

PER_PAGE = 50


@bp.get("/audit")
@role_required("admin")
def audit():
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=True)
    return render_template("staff/audit.html", pagination=pagination)
