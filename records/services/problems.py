"""Problem rectification (问题整改): every write from registration to filing, each audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Unit, User
from records import dates, permissions
from records.audit import audit
from records.deadlines import working_days
from records.kinds import kind_of
from records.limits import limited_text
from records.models import ExtensionRequest, Opinion, Problem, ProgressNote
from records.workdays import add_working_days

Status = Problem.Status


def require_status(problem: Problem, *statuses: str) -> None:
    if problem.status not in statuses:
        raise ValidationError(_("This problem is %(status)s; that cannot be done now.")
                              % {"status": problem.get_status_display()})


def required_text(value: str, field: str, message: str, model=Problem,
                  model_field: str = "") -> str:
    value = limited_text(model, model_field or field, value, key=field)
    if not value:
        raise ValidationError({field: message})
    return value


def opinion_on(problem, by, kind, text, task=None, on_behalf_of=None) -> Opinion:
    return Opinion.objects.create(record=problem, author=by, kind=kind,
                                  text=limited_text(Opinion, "text", text, key="opinion"),
                                  task=task, on_behalf_of=on_behalf_of,
                                  version=problem.plan_version)


def validate_problem(*, unit: Unit, source: str, category: str, description: str,
                     found_on: datetime.date) -> None:
    errors = {}
    if source not in Problem.Source.values:
        errors["source"] = _("Choose where the problem was found.")
    if category not in Problem.Category.values:
        errors["category"] = _("Choose a category.")
    if not (description or "").strip():
        errors["description"] = _("Describe the problem.")
    if found_on and found_on > timezone.localdate():
        errors["found_on"] = _("The date found cannot be in the future.")
    elif found_on:
        try:
            dates.check_past(found_on, "found_on")
        except ValidationError as error:
            errors.update(error.message_dict)
    if unit is None or not unit.is_active:
        errors["unit"] = _("Choose an active responsible unit.")
    if errors:
        raise ValidationError(errors)


def validate_co_units(unit: Unit, co_units) -> list[Unit]:
    """The other units involved in a joint problem: active units, the lead unit left out."""
    others = [u for u in dict.fromkeys(co_units or ()) if unit is None or u.pk != unit.pk]
    if any(not u.is_active or u.kind == Unit.Kind.BUREAU for u in others):
        raise ValidationError({"co_units": _("Choose active units (not the bureau itself) as "
                                             "the other units involved.")})
    return others


def problem_create(*, by: User, unit: Unit, source: str, category: str, description: str,
                   found_on: datetime.date, person_concerned: str = "", problem_list=None,
                   process=None, co_units=()) -> Problem:
    """Register one problem (called as its rectification flow starts).

    ``co_units``: the other units involved; their heads each write a part of the
    rectification with the responsible (lead) unit's head (a countersign).
    """
    validate_problem(unit=unit, source=source, category=category, description=description,
                     found_on=found_on)
    co_units = validate_co_units(unit, co_units)
    problem = Problem.objects.create(
        problem_list=problem_list, source=source, category=category,
        description=description.strip(), found_on=found_on, unit=unit,
        person_concerned=(person_concerned or "").strip(), registered_by=by, process=process,
    )
    if co_units:
        problem.co_units.set(co_units)
    # the other units involved read it from registration: the plan holds their measures
    # and their deadline (they act on it once their part opens)
    permissions.grant_view(problem, [by, *permissions.unit_drafters(unit),
                                     chain.supervisor_of(unit),
                                     *(person for co_unit in co_units
                                       for person in permissions.unit_drafters(co_unit))])
    audit(actor=by, action="problem.register", target=problem, unit=unit.code,
          category=category, source=source, co_units=[u.code for u in co_units])
    return problem


def problem_step_started(*, problem: Problem, step: str, owner: User,
                         on_behalf_of: User | None, due: datetime.date | None) -> Problem:
    """A new task of the problem's flow was assigned: its deadline (``due``, by the step's
    rule), owner and grants."""
    problem.step, problem.assignee, problem.due_date = step, owner, due
    problem.save(update_fields=["step", "assignee", "due_date"])
    permissions.grant_view(problem, [owner, on_behalf_of])
    audit(actor=None, action=f"problem.assign.{step}", target=problem, owner=owner.username,
          on_behalf_of=on_behalf_of.username if on_behalf_of else None,
          due=due.isoformat() if due else None)
    return problem


def problem_part_started(*, problem: Problem, step: str, owner: User,
                         on_behalf_of: User | None, assignee: User,
                         due: datetime.date | None) -> Problem:
    """One participant's task of a joint rectification (countersign) was created.

    The ledger's assignee is ``assignee`` (the lead unit's head while the parts run in
    parallel; the participant whose turn it is, one after another); the deadline is ``due``,
    the earliest of the parts being written (each due on the plan's date unless extended).
    """
    problem.step, problem.assignee, problem.due_date = step, assignee, due
    problem.save(update_fields=["step", "assignee", "due_date"])
    permissions.grant_view(problem, [owner, on_behalf_of])
    audit(actor=None, action=f"problem.assign.{step}", target=problem, owner=owner.username,
          on_behalf_of=on_behalf_of.username if on_behalf_of else None,
          due=due.isoformat() if due else None)
    return problem


def problem_parts_done(*, problem: Problem) -> Problem:
    """The units' parts are written (countersign complete): the committee verifies."""
    require_status(problem, Status.RECTIFYING)
    problem.status = Status.VERIFYING
    problem.rectified_at = timezone.now()
    problem.save()
    _lapse_pending_extensions(problem, None)
    audit(actor=None, action="problem.rectified", target=problem, countersign=True)
    return problem


@transaction.atomic
def problem_analyse(*, problem: Problem, by: User, root_cause: str, measures: str,
                    planned_date: datetime.date | None, task=None) -> Problem:
    """The unit head writes the root-cause analysis and the measures, with a completion date;
    the plan is frozen as a version (``task``: the analyse task that submitted it)."""
    from records.versions import freeze

    require_status(problem, Status.ANALYSING)
    root_cause = required_text(root_cause, "root_cause", _("Write the root-cause analysis."))
    measures = required_text(measures, "measures", _("Write the rectification measures."))
    if planned_date is None:
        raise ValidationError({"planned_date": _("Give a planned completion date.")})
    if planned_date < timezone.localdate():
        raise ValidationError({"planned_date": _("The planned completion date is in the past.")})
    dates.check_ahead(planned_date, "planned_date")
    problem.root_cause, problem.measures, problem.planned_date = root_cause, measures, planned_date
    problem.status = Status.PLAN_REVIEW
    problem.review_level = 0
    problem.plan_version += 1
    problem.save()
    freeze(record=problem, number=problem.plan_version, by=by, task=task)
    audit(actor=by, action="problem.analyse", target=problem,
          planned_date=planned_date.isoformat(), version=problem.plan_version)
    return problem


def problem_save_plan_draft(*, problem: Problem, by: User, task=None, **data) -> Problem:
    """Keep the analysis, measures and planned date written so far without sending them (a
    draft); a field not in ``data`` stays as it was, and an empty save changes nothing."""
    require_status(problem, Status.ANALYSING)
    # what a plan says, and what a version of it freezes
    sent = [field for field in kind_of(problem).content_fields if field in data]
    if not sent:
        raise ValidationError(_("Nothing to save: send at least one of the analysis, the "
                                "measures and the planned date."))
    planned_date = data.get("planned_date")
    if planned_date is not None and planned_date < timezone.localdate():
        raise ValidationError({"planned_date": _("The planned completion date is in the past.")})
    if planned_date is not None:
        dates.check_ahead(planned_date, "planned_date")
    for field in sent:
        value = data[field]
        setattr(problem, field, value if field == "planned_date" else
                limited_text(Problem, field, value))
    problem.save(update_fields=sent)
    audit(actor=by, action="problem.save_plan_draft", target=problem)
    return problem


@transaction.atomic
def problem_pass_up_plan(*, problem: Problem, by: User, opinion: str = "", task=None,
                         on_behalf_of: User | None = None) -> Problem:
    """A reviewer below the last level agrees with the plan and passes it up (逐级审核)."""
    require_status(problem, Status.PLAN_REVIEW)
    opinion_on(problem, by, Opinion.Kind.PASS_UP, opinion, task, on_behalf_of)
    problem.review_level += 1
    problem.save(update_fields=["review_level"])
    audit(actor=by, action="problem.pass_up_plan", target=problem, level=problem.review_level)
    return problem


def problem_withdraw(*, problem: Problem, by: User, reason: str = "", task=None) -> Problem:
    """The unit takes back its plan, or its report of the rectification done, before the
    reviewer or verifier has acted (撤回)."""
    require_status(problem, Status.PLAN_REVIEW, Status.VERIFYING)
    opinion_on(problem, by, Opinion.Kind.WITHDRAW, (reason or "").strip(), task)
    back = Status.ANALYSING if problem.status == Status.PLAN_REVIEW else Status.RECTIFYING
    problem.status = back
    problem.review_level = 0
    if back == Status.RECTIFYING:
        problem.rectified_at = None
    problem.save()
    audit(actor=by, action="problem.withdraw", target=problem, to=back,
          task=task.pk if task else None)
    return problem


@transaction.atomic
def problem_approve_plan(*, problem: Problem, by: User, opinion: str = "", task=None,
                         on_behalf_of: User | None = None) -> Problem:
    """The supervising leader approves the plan: the unit starts rectifying."""
    require_status(problem, Status.PLAN_REVIEW)
    opinion_on(problem, by, Opinion.Kind.APPROVE, opinion, task, on_behalf_of)
    problem.status = Status.RECTIFYING
    if problem.approved_date is None:
        problem.approved_date = problem.planned_date
    problem.save()
    audit(actor=by, action="problem.approve_plan", target=problem,
          planned_date=problem.planned_date.isoformat())
    return problem


@transaction.atomic
def problem_return_plan(*, problem: Problem, by: User, opinion: str, task=None,
                        on_behalf_of: User | None = None) -> Problem:
    """The supervising leader returns the plan with an opinion."""
    require_status(problem, Status.PLAN_REVIEW)
    text = required_text(opinion, "opinion", _("Write an opinion saying what to revise."),
                         Opinion, "text")
    opinion_on(problem, by, Opinion.Kind.RETURN, text, task, on_behalf_of)
    problem.status = Status.ANALYSING
    problem.save()
    audit(actor=by, action="problem.return_plan", target=problem)
    return problem


def problem_add_progress(*, problem: Problem, by: User, text: str, task=None) -> ProgressNote:
    require_status(problem, Status.RECTIFYING)
    text = required_text(text, "text", _("Write what was done."), ProgressNote)
    note = ProgressNote.objects.create(problem=problem, author=by, text=text)
    audit(actor=by, action="problem.progress", target=problem, note=note.pk)
    return note


def problem_set_due_date(*, problem: Problem, due: datetime.date | None, reason: str) -> Problem:
    """The deadline of the problem's current step moves (a joint problem: the earliest of
    the parts still being written), audited with why."""
    if problem.due_date != due:
        old, problem.due_date = problem.due_date, due
        problem.save(update_fields=["due_date"])
        audit(actor=None, action="problem.due_date", target=problem, reason=reason,
              old=old.isoformat() if old else None, new=due.isoformat() if due else None)
    return problem


def _lapse_pending_extensions(problem: Problem, by: User | None) -> None:
    """The rectification was reported done: a request still waiting for more time is no
    longer needed. It says so in the problem's history, and its decider is told it left
    their inbox."""
    from records.models import Notification
    from records.notifications import notify

    pending = list(problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING)
                   .select_related("decider"))
    if not pending:
        return
    ExtensionRequest.objects.filter(pk__in=[r.pk for r in pending]).update(
        decision=ExtensionRequest.Decision.LAPSED, decided_at=timezone.now())
    audit(actor=by, action="problem.extension_lapse", target=problem,
          extensions=[r.pk for r in pending])
    notify(recipients=[r.decider for r in pending], kind=Notification.Kind.EXTENSION,
           record=problem, url=kind_of(problem).url(problem),
           title=(_("No longer needed: the extension of %(problem)s (the rectification was "
                    "reported done)") % {"problem": problem})[:200])


def problem_report_rectified(*, problem: Problem, by: User, task=None) -> Problem:
    """The unit reports the measures carried out, for the committee to verify."""
    require_status(problem, Status.RECTIFYING)
    if not (problem.evidence.exists() or problem.progress_notes.exists()):
        raise ValidationError(_("Add a progress note or upload evidence before reporting the "
                                "rectification done."))
    problem.status = Status.VERIFYING
    problem.rectified_at = timezone.now()
    problem.save()
    _lapse_pending_extensions(problem, by)
    audit(actor=by, action="problem.rectified", target=problem)
    return problem


@transaction.atomic
def problem_close_out(*, problem: Problem, by: User, opinion: str = "", task=None,
                      on_behalf_of: User | None = None) -> Problem:
    """A discipline committee member verifies the rectification and closes it out (销号)."""
    if problem.status != Status.VERIFYING:
        raise ValidationError(_("Only a problem whose rectification was reported can be closed "
                                "out; this one is %(status)s.")
                              % {"status": problem.get_status_display()})
    opinion_on(problem, by, Opinion.Kind.CLOSE_OUT, opinion, task, on_behalf_of)
    problem.status = Status.CLOSED
    problem.closed_at, problem.closed_by = timezone.now(), by
    problem.due_date = None
    problem.save()
    audit(actor=by, action="problem.close_out", target=problem)
    return problem


@transaction.atomic
def problem_send_back(*, problem: Problem, by: User, opinion: str, task=None,
                      on_behalf_of: User | None = None) -> Problem:
    """The committee member sends it back to rectify, with an opinion."""
    require_status(problem, Status.VERIFYING)
    text = required_text(opinion, "opinion", _("Write an opinion saying what is missing."),
                         Opinion, "text")
    opinion_on(problem, by, Opinion.Kind.SEND_BACK, text, task, on_behalf_of)
    problem.status = Status.RECTIFYING
    if problem.planned_date and problem.planned_date < timezone.localdate():
        problem.planned_date = add_working_days(timezone.localdate(),
                                                working_days("problem_revise"))
    problem.save()
    audit(actor=by, action="problem.send_back", target=problem)
    return problem


def problem_file(*, problem: Problem) -> Problem:
    """File a closed problem for record with the stationed discipline group (备案)."""
    require_status(problem, Status.CLOSED)
    problem.status = Status.FILED
    problem.filed_at = timezone.now()
    problem.step, problem.assignee = "", None
    problem.save()
    audit(actor=problem.closed_by, action="problem.file", target=problem)
    return problem


def problem_cancel(*, problem: Problem, by: User, reason: str) -> Problem:
    """A problem registered in error is cancelled with a reason (its process was cancelled by
    the caller): never deleted, and the reason stays in its history."""
    problem.status = Status.CANCELLED
    problem.due_date, problem.step, problem.assignee = None, "", None
    problem.save()
    Opinion.objects.create(record=problem, author=by, kind=Opinion.Kind.CANCEL, text=reason)
    audit(actor=by, action="problem.cancel", target=problem, reason=reason)
    return problem
