"""The rows of the staff attendee list, written with str.format rather than Jinja.

A page shows 50 rows (the check-in sheet up to 1,000), each with its cells and up to three
buttons. Written in the template they took about half of the page's time (issue 16: 2.7 of
5.8 ms in-process for 50 rows, an attribute lookup, a test and an escape per value, and 26,000
Python calls for the page); written here, 0.85 ms and 10,000 calls. Every value that comes
from a person or a question goes through escape(); ids, counts, dates and statuses are ours.
The table around the rows stays in templates/staff/attendees.html.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask import request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.models import ACTIVE_STATUSES, Question
from app.models import RegistrationStatus as Status
from app.templating import format_datetime, iso

# Each action's form: the page's token and where to come back to, then the one button.
FORM = (
    '<form method="post" action="{action}/{verb}" class="inline-form">{fields}'
    '<button type="submit" class="button button-small{style}">{label}</button></form>'
)
HIDDEN = '<span class="visually-hidden">{}</span>'
TICK_BOX = (
    '<span class="tick-box" aria-hidden="true"></span><span class="visually-hidden">not yet</span>'
)
CHECKED = '<span class="checked">✓ <span class="meta">{}</span></span>'
PICK = '<td class="no-print">{}</td>'
PICK_BOX = (
    '<input type="checkbox" id="pick-{id}" name="registration_ids" value="{id}" '
    'form="decide-form"><label for="pick-{id}" class="visually-hidden">'
    "Select the application of {name}</label>"
)
ROW = (
    "<tr>{pick}"
    '<th scope="row">{who}</th>'
    "<td>{email}</td>"
    "<td>{company}</td>"
    '<td><span class="badge badge-{status}">{status}</span>{place}</td>'
    '<td class="no-print">{registered}</td>'
    '<td class="check-in">{checked_in}</td>'
    '<td class="no-print actions">{actions}</td>'
    "</tr>\n"
)


def attendee_rows(
    rows: Iterable,
    *,
    zone: str,
    slug: str,
    with_picks: bool,
    seat_free: bool,
    questions: list[Question],
    answers: Mapping[int, Mapping[int, str]],
    positions: Mapping[int, int],
) -> Markup:
    """The <tr> of each listed registration (rows of LISTED columns, app/staff/services)."""
    fields = (
        f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">'
        f'<input type="hidden" name="back" value="{escape(request.full_path)}">'
    )
    # Each action is /events/<slug>/attendees/<id>/<verb> (views/attendees.py); a test holds
    # the URLs to url_for.
    base = url_for("staff.attendees", slug=slug) + "/"
    out = []
    for row in rows:
        name = escape(row.name or "")
        out.append(
            ROW.format(
                pick=picked(row, name) if with_picks else "",
                who=who(row, name, questions, answers),
                email=escape(row.email),
                company=escape(row.company),
                status=row.status,
                place=(
                    f' <span class="meta">#{positions[row.id]} in line</span>'
                    if row.id in positions
                    else ""
                ),
                registered=registered(row.registered_at),
                checked_in=(
                    CHECKED.format(format_datetime(row.checked_in_at, zone))
                    if row.checked_in_at
                    else TICK_BOX
                ),
                actions=actions(row, name, f"{base}{row.id}", fields, seat_free, questions),
            )
        )
    return Markup("".join(out))


def actions(row, name: str, action: str, fields: str, seat_free: bool, questions) -> str:
    """The row's buttons (each a form with the page's token and the way back) and links."""
    status = row.status
    buttons = []
    if status == Status.CONFIRMED:
        if row.checked_in_at:
            label = "Undo check-in" + HIDDEN.format(f" of {name}")
        else:
            label = "Check in" + (HIDDEN.format(f" {name}") if name else "")
        buttons.append(action_form(action, fields, "check-in", label))
    if status == Status.WAITLISTED and seat_free:
        label = "Give a seat" + HIDDEN.format(f" to {name}")
        buttons.append(action_form(action, fields, "promote", label))
    if questions:
        buttons.append(f'<a href="{action}/answers">Answers{HIDDEN.format(f" of {name}")}</a>')
    if status == Status.PENDING:
        named = HIDDEN.format(f" {name}") if name else ""
        buttons.append(action_form(action, fields, "approve", "Approve" + named))
        buttons.append(
            action_form(action, fields, "decline", "Decline" + named, " button-secondary")
        )
    elif status in ACTIVE_STATUSES:
        label = "Cancel" + HIDDEN.format(f" the registration of {name}")
        buttons.append(action_form(action, fields, "cancel", label, " button-danger"))
    return "".join(buttons)


def action_form(action: str, fields: str, verb: str, label: str, style: str = "") -> str:
    return FORM.format(action=action, verb=verb, fields=fields, style=style, label=label)


def picked(row, name: str) -> str:
    """The tick box that adds a pending application to the decision form below the table."""
    box = PICK_BOX.format(id=row.id, name=name) if row.status == Status.PENDING else ""
    return PICK.format(box)


def who(row, name: str, questions: list[Question], answers: Mapping) -> str:
    """The name, the job title and the answers shown on the list, one line each."""
    parts = [name or "(data deleted)"]
    if row.job_title:
        parts.append(f'<br><span class="meta">{escape(row.job_title)}</span>')
    mine = answers.get(row.id, {})
    for question in questions:
        answer = mine.get(question.id)
        if answer:
            shown = escape(", ".join(answer.splitlines()))
            parts.append(f'<br><span class="meta answer">{escape(question.label)}: {shown}</span>')
    return "".join(parts)


def registered(value: datetime | None) -> str:
    if value is None:
        return ""
    return f'<time datetime="{iso(value)}">{format_datetime(value)} UTC</time>'
