"""Placeholder routes: replaced by the staff work (issue 4)."""

from flask import abort

from app.staff import bp


@bp.get("/")
def index():
    abort(404)
