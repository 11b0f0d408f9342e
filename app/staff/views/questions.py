"""An event's sign-up questions (staff see them; marketing and admins change them)."""

from flask import abort, flash, redirect, render_template, url_for

from app.extensions import db
from app.models import Event, Question, Role
from app.models.questions import event_questions
from app.staff.forms import EmptyForm
from app.staff.question_forms import QuestionForm
from app.staff.services.questions import find_question, move_question, save_question, set_retired
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.events import get_event_or_404
from app.staff.views.saving import save_form


@bp.get("/events/<slug>/questions")
@role_required(Role.STAFF)
def questions(slug: str):
    event = get_event_or_404(slug)
    return questions_page(event, None, QuestionForm(data={"kind": "short_text"}))


@bp.post("/events/<slug>/questions")
@role_required(Role.MARKETING)
def question_add(slug: str):
    event = get_event_or_404(slug)
    return question_editor(event, None)


@bp.route("/events/<slug>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def question_edit(slug: str, question_id: int):
    event = get_event_or_404(slug)
    return question_editor(event, question_of(event, question_id))


def question_editor(event: Event, question: Question | None):
    form = QuestionForm(obj=question) if question is not None else QuestionForm()
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_question(event, question, values))
        if saved is not None:
            flash(f"Saved the question “{saved.label}”.", "success")
            return redirect(url_for("staff.questions", slug=event.slug))
    return questions_page(event, question, form)


def questions_page(event: Event, question: Question | None, form: QuestionForm):
    return render_template(
        "staff/questions.html",
        event=event,
        question=question,
        questions=event_questions(event),
        form=form,
    )


@bp.post("/events/<slug>/questions/<int:question_id>/<any(up, down):direction>")
@role_required(Role.MARKETING)
def question_move(slug: str, question_id: int, direction: str):
    event = get_event_or_404(slug)
    question = checked_question(event, question_id)
    move_question(event, question, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("staff.questions", slug=event.slug) + f"#question-{question.id}")


@bp.post("/events/<slug>/questions/<int:question_id>/<any(retire, restore):action>")
@role_required(Role.MARKETING)
def question_retire(slug: str, question_id: int, action: str):
    event = get_event_or_404(slug)
    question = checked_question(event, question_id)
    set_retired(question, action == "retire")
    db.session.commit()
    if action == "retire":
        flash(f"Retired “{question.label}”: off the form, its answers kept.", "success")
    else:
        flash(f"“{question.label}” is back on the form.", "success")
    return redirect(url_for("staff.questions", slug=event.slug))


def question_of(event: Event, question_id: int) -> Question:
    return find_question(event, question_id) or abort(404)


def checked_question(event: Event, question_id: int) -> Question:
    """The question of a POST button, after its CSRF check (400 without a valid token)."""
    question = question_of(event, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return question
