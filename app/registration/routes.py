"""Registration pages: the form, the attendee's own page (manage, cancel), calendar files."""

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError

from app.db import reads_first
from app.extensions import db, limiter
from app.models import Event, Registration
from app.models.programme import event_programme
from app.models.questions import registration_answers
from app.privacy import rights, versions
from app.privacy.consent import set_marketing_choice, wants_marketing
from app.registration import agenda, changes, service
from app.registration.answers import answers_to_show, field_name
from app.registration.calendar import public_event_ics, registration_ics
from app.registration.forms import (
    CancelForm,
    EraseForm,
    MarketingForm,
    RegistrationForm,
    details_form,
    registration_form,
)
from app.registration.programme_calendar import agenda_ics
from app.registration.queries import waitlist_position
from app.registration.question_fields import stored_to_form
from app.registration.rules import RegistrationState, registration_state
from app.registration.tokens import registration_for_token
from app.site import queries

bp = Blueprint("registration", __name__)


def registration_rate_limit() -> str:
    return current_app.config.get("REGISTRATION_RATE_LIMIT", "10/minute")


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(registration_rate_limit, methods=["POST"])
def register(slug: str):
    if request.method == "POST":
        reads_first()  # the sign-up takes SQLite's writer lock only for its writes
    event = visible_event_or_404(slug, for_sign_up=True)
    state = registration_state(event)
    form = registration_form(event)
    if state.open and form.validate_on_submit():
        result = service.register(event, form.registration_data())
        db.session.commit()
        # New or already registered, the browser hears the same: anyone may type any address,
        # so only its owner, by email, learns which it was and gets the manage link. The URL's
        # slug is the event's (found by it): event.slug, expired by the commit, would cost a
        # SELECT to read again.
        if result.stored or result.outcome == "duplicate":
            return redirect(url_for(".check_email", slug=slug), 303)
        state = RegistrationState(False, result.message)
    return render_form(event, form, state)


def render_form(event: Event, form: RegistrationForm, state: RegistrationState, status=None):
    """The form page: 200 to fill in, 422 with errors, 409 when a sign-up came too late."""
    if status is None:
        status = 200 if request.method == "GET" else (422 if state.open else 409)
    page = render_template(
        "registration/register.html", event=event, form=form.prepare_for_display(), state=state
    )
    return page, status


@bp.get("/events/<slug>/register/check-your-email")
def check_email(slug: str):
    event = visible_event_or_404(slug)
    return render_template("registration/check_email.html", event=event)


@bp.get("/events/<slug>/register/already-registered")
def already_registered(slug: str):
    """The old answer to a repeated sign-up; links to it land on the one answer for all."""
    return redirect(url_for(".check_email", slug=slug), 301)


@bp.get("/events/<slug>/calendar.ics")
def event_calendar(slug: str):
    event = visible_event_or_404(slug)
    return calendar_response(public_event_ics(event), f"{event.slug}.ics")


@bp.get("/registrations/<token>")
def manage(token: str):
    registration = registration_or_404(token)
    return manage_page(registration, token)


def manage_page(
    registration: Registration, token: str, agenda_message: str = "", status: int | None = None
):
    """The attendee's own page. With the agenda form on it, it lets the browser send a Referer
    to this site (the form's POST needs one over https); never to another site."""
    sessions = event_programme(registration.event)
    can_choose = agenda.can_choose(registration)
    page = render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        position=waitlist_position(registration),
        can_cancel=service.can_cancel(registration),
        answers=answers_to_show(registration),
        can_change=changes.can_change(registration),
        changes_close_at=changes.changes_close_at(registration),
        details_changed=request.args.get("details"),
        just_registered=request.args.get("registered") == "1",
        just_cancelled=request.args.get("cancelled") == "1",
        token=token,
        # The personal agenda (issue 15).
        sessions=sessions,
        chosen_ids={session.id for session in agenda.chosen_sessions(registration)},
        can_choose=can_choose,
        agenda_saved=request.args.get("agenda") == "saved",
        agenda_message=agenda_message,
        # Privacy (issue 11): the person's marketing answer, changeable on its own page.
        wants_marketing=wants_marketing(registration.email_normalized),
        marketing_changed=request.args.get("marketing"),
    )
    shows_form = bool(sessions) and can_choose
    return private(page, status, posts_form=shows_form)


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
def edit_details(token: str):
    """The attendee's own change of details and answers, until changes close."""
    registration = registration_or_404(token)
    open_now = changes.can_change(registration)
    form = details_form(registration.event, data=stored_details(registration))
    status = 200
    if open_now and form.validate_on_submit():
        try:
            changed = changes.change_details(registration, form.details())
        except changes.ChangesClosed:
            db.session.rollback()
            open_now, status = False, 409
        except ValueError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            status = 422
        else:
            db.session.commit()
            outcome = "saved" if changed else "unchanged"
            return redirect(url_for(".manage", token=token, details=outcome), 303)
    elif request.method == "POST":
        status = 422 if open_now else 409
    page = render_template(
        "registration/edit.html",
        registration=registration,
        event=registration.event,
        form=form,
        open_now=open_now,
        closes_at=changes.changes_close_at(registration),
        token=token,
    )
    return private(page, status, posts_form=open_now)


def stored_details(registration: Registration) -> dict:
    """The form's starting values: what is stored now."""
    data = {field: getattr(registration, field) for field in changes.EDITABLE}
    for answer in registration_answers(registration):
        data[field_name(answer.question)] = stored_to_form(answer.question, answer.value)
    return data


@bp.post("/registrations/<token>/agenda")
def save_agenda(token: str):
    """The attendee's session checkboxes: book what is ticked, free what is not."""
    registration = registration_or_404(token)
    if not CancelForm().validate_on_submit():
        abort(400)
    try:
        wanted = {int(value) for value in request.form.getlist("session_ids")}
        result = agenda.set_agenda(registration, wanted)
    except ValueError as error:
        db.session.rollback()
        return manage_page(registration, token, str(error), 422)
    db.session.commit()
    if result.full:
        return manage_page(registration, token, result.message, 409)
    return redirect(url_for(".manage", token=token, agenda="saved") + "#agenda", 303)


@bp.get("/registrations/<token>/agenda.ics")
def agenda_calendar(token: str):
    registration = registration_or_404(token)
    sessions = agenda.chosen_sessions(registration)
    return private(calendar_response(agenda_ics(registration.event, sessions), "agenda.ics"))


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    return cancel_step(token, "registration/cancel.html")


@bp.route("/registrations/<token>/release", methods=["GET", "POST"])
def release(token: str):
    """The reminder's "Can't come? Release your seat": one button; the POST cancels exactly as
    the cancel page does (seat freed, first person waiting promoted, one transaction)."""
    return cancel_step(token, "registration/release.html")


def cancel_step(token: str, template: str):
    registration = registration_or_404(token)
    form = CancelForm()
    if not service.can_cancel(registration):
        status = 200 if request.method == "GET" else 409
        return private(render_cancel(registration, form, token, template), status, posts_form=True)
    if form.validate_on_submit():
        try:
            service.cancel_registration(registration)
        except service.AlreadyCancelled:
            db.session.rollback()
            page = render_cancel(registration, form, token, template)
            return private(page, 409, posts_form=True)
        db.session.commit()
        return redirect(url_for(".manage", token=token, cancelled=1), 303)
    return private(render_cancel(registration, form, token, template), posts_form=True)


def render_cancel(
    registration: Registration,
    form: CancelForm,
    token: str,
    template: str = "registration/cancel.html",
) -> str:
    return render_template(
        template,
        registration=registration,
        event=registration.event,
        form=form,
        can_cancel=service.can_cancel(registration),
        token=token,
    )


# --- Privacy (issue 11): download, erase, marketing consent, from the attendee's own link ---


@bp.get("/registrations/<token>/data.json")
def data_json(token: str):
    registration = registration_or_404(token)
    response = jsonify(rights.registration_data(registration))
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration-data.json"'
    return private(response)


@bp.route("/registrations/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    registration = registration_or_404(token)
    form = EraseForm()
    if form.validate_on_submit():
        rights.erase_registration(registration)
        db.session.commit()
        return redirect(url_for(".erased"), 303)
    return private(render_erase(registration, form, token), posts_form=True)


def render_erase(registration: Registration, form: EraseForm, token: str) -> str:
    return render_template(
        "registration/erase.html",
        registration=registration,
        event=registration.event,
        form=form,
        will_cancel=service.can_cancel(registration),
        token=token,
    )


@bp.get("/registrations/erased")
def erased():
    """After "Delete my data": says it is done, shows nothing about anyone."""
    return private(render_template("registration/erased.html"))


@bp.route("/registrations/<token>/marketing", methods=["GET", "POST"])
def marketing(token: str):
    """Give or withdraw consent to news (its own page: the manage page sends no Referer, and
    a form over https needs one)."""
    registration = registration_or_404(token)
    form = MarketingForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        opted_in = form.marketing_opt_in.data == "yes"
        label = versions.MARKETING_MANAGE_LABEL
        version = versions.marketing_version(label) if opted_in else None
        set_marketing_choice(
            registration.email_normalized, opted_in, "manage page", version=version
        )
        db.session.commit()
        return redirect(url_for(".manage", token=token, marketing=form.marketing_opt_in.data), 303)
    page = render_template(
        "registration/marketing.html",
        registration=registration,
        event=registration.event,
        form=form,
        wants_marketing=wants_marketing(registration.email_normalized),
        token=token,
    )
    return private(page, posts_form=True)


@bp.get("/registrations/<token>/calendar.ics")
def registration_calendar(token: str):
    registration = registration_or_404(token)
    response = calendar_response(registration_ics(registration, "PUBLISH"), "registration.ics")
    return private(response)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A form sent without a valid security token: show it again, keeping what was typed."""
    message = "For your security the form had expired. Your details are kept: please send it again."
    args = request.view_args or {}
    if request.endpoint == "registration.register":
        event = queries.get_event(args["slug"])
        if event is not None:
            form = registration_form(event)
            form.form_errors.append(message)
            return render_form(event, form, registration_state(event), status=400)
    elif request.endpoint == "registration.erase":
        registration = registration_for_token(args["token"])
        if registration is not None:
            form = EraseForm()
            form.form_errors.append(message)
            return private(render_erase(registration, form, args["token"]), 400, posts_form=True)
    elif request.endpoint in ("registration.cancel", "registration.release"):
        registration = registration_for_token(args["token"])
        if registration is not None:
            form = CancelForm()
            form.form_errors.append(message)
            template = f"registration/{request.endpoint.split('.')[1]}.html"
            page = render_cancel(registration, form, args["token"], template)
            return private(page, 400, posts_form=True)
    else:
        return render_template("errors/generic.html", error=error, code=400), 400
    # Errors raised inside an error handler are not handled again: answer the 404 here.
    return render_template("errors/404.html", error=error, code=404), 404


def visible_event_or_404(slug: str, *, for_sign_up: bool = False) -> Event:
    event = queries.get_event(slug, for_sign_up=for_sign_up)
    if event is None:
        abort(404)
    return event


def registration_or_404(token: str) -> Registration:
    """The registration behind a manage token; any bad token is a plain 404."""
    registration = registration_for_token(token)
    if registration is None:
        abort(404)
    return registration


def calendar_response(body: str, filename: str):
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def private(response, status: int | None = None, *, posts_form: bool = False):
    """An attendee's own page: its URL (the manage token) never sent to another site as a
    referrer, and never indexed.

    A page with a form sends its Referer to this site only (`same-origin`): over https,
    Flask-WTF refuses a POST without a same-origin Referer, so `no-referrer` would make the
    form fail for everyone.
    """
    response = make_response(response)
    if status is not None:
        response.status_code = status
    response.headers["Referrer-Policy"] = "same-origin" if posts_form else "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
