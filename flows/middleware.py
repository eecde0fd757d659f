"""Guards every viewflow task URL, whatever view serves it."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

FINISHED = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)


def conflict(request, message):
    return render(request, "flows/conflict.html", {"message": message}, status=409)


class TaskGuardMiddleware:
    """
    viewflow 2.4 locks the process named in the URL but loads the task by its
    own id, so a URL pairing a task with another process's id would act on the
    task without holding its lock. Such URLs get 404 here, before any view.
    Lock contention and a task somebody else already finished get 409 with a
    message instead of a bare 500 or 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (not request.user.is_authenticated and match is not None
                and match.namespaces[:1] == ["workflow"]):
            # viewflow's site middleware answers anonymous visitors with a bare 403
            return redirect_to_login(request.get_full_path())
        process_pk, task_pk = view_kwargs.get("process_pk"), view_kwargs.get("task_pk")
        if process_pk is None or task_pk is None:
            return None
        if request.method in ("GET", "HEAD") and \
                getattr(view_func, "reads_task_with_its_process", False):
            return None  # our task pages read the task only with its process (flows/nodes.py)
        if not Task.objects.filter(pk=task_pk, process_id=process_pk).exists():
            raise Http404(_("No such task."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed):
            return conflict(request, _("Someone else is acting on this item right now. "
                                       "Wait a moment and open it again."))
        if isinstance(exception, PermissionDenied) and request.method == "POST":
            match = request.resolver_match
            task_pk = match.kwargs.get("task_pk") if match else None
            if task_pk is not None:
                task = Task.objects.filter(pk=task_pk).select_related("owner", "process").first()
                flow = task.flow_task.flow_class.instance if task is not None else None
                # only someone who may see the item learns who handled it
                if task is not None and task.status == STATUS.CANCELED and \
                        task.data.get("countersign_part") and \
                        flow.has_view_permission(request.user, task.process):
                    return conflict(request, _("Another participant has already decided this "
                                               "step; your part is not needed. Nothing was "
                                               "changed."))
                if task is not None and task.status in FINISHED and \
                        flow.has_view_permission(request.user, task.process):
                    return conflict(request, _("This task has already been handled by %(who)s; "
                                               "nothing was changed.")
                                    % {"who": task.owner or _("someone else")})
        return None
