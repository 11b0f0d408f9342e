"""Placeholder routes: replaced by the registration work (issue 3)."""

from flask import abort

from app.registration import bp


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    abort(404)


@bp.get("/events/<slug>/calendar.ics")
def event_calendar(slug: str):
    abort(404)
