"""The task pages of the quarterly report flow: draft-and-submit, and review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from accounts.models import User
from records import services
from records.forms import ReportContentForm, ReviewForm
from records.models import QuarterlyReport

from .selectors import report_history


class ReportTaskView(generic.FormView):
    """A task page of a report: the form on the left, the report and its history around it."""

    def dispatch(self, request, *args, **kwargs):
        self.activation = request.activation
        self.report = QuarterlyReport.objects.select_related("unit").get(
            process_id=self.activation.process.pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report=self.report, task=self.activation.task,
            history=report_history(self.report), **kwargs,
        )

    def on_behalf_of(self):
        pk = self.activation.task.data.get("on_behalf_of")
        return User.objects.filter(pk=pk).first() if pk else None

    def done(self, message):
        self.activation.execute()
        messages.success(self.request, message)
        return redirect(reverse("reports:detail", args=[self.report.pk]))

    def fail(self, form, error: ValidationError):
        form.add_error(None, error)
        return self.form_invalid(form)


class DraftView(ReportTaskView):
    """The unit head writes the report, saves it as a draft, and submits it."""

    form_class = ReportContentForm
    template_name = "flows/quarterly/draft.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.report}

    def form_valid(self, form):
        try:
            if "_save" in self.request.POST:
                services.report_save_draft(report=self.report, by=self.request.user,
                                           data=form.cleaned_data)
                messages.success(self.request, _("Draft saved. It has not been submitted yet."))
                return redirect(self.request.get_full_path())
            if "_submit" not in self.request.POST:
                raise ValidationError(_("Choose to save the draft or to submit it."))
            services.report_submit(report=self.report, by=self.request.user,
                                   data=form.cleaned_data)
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(_("Submitted to the supervising leader for review."))


class ReviewView(ReportTaskView):
    """The supervising leader signs the report off or returns it with an opinion."""

    form_class = ReviewForm
    template_name = "flows/quarterly/review.html"

    def form_valid(self, form):
        opinion = form.cleaned_data["opinion"]
        kwargs = dict(report=self.report, by=self.request.user, opinion=opinion,
                      task=self.activation.task, on_behalf_of=self.on_behalf_of())
        try:
            if "_return" in self.request.POST:
                services.report_return(**kwargs)
                message = _("Returned to the unit with your opinion.")
            elif "_sign_off" in self.request.POST:
                services.report_sign_off(**kwargs)
                message = _("Signed off and archived.")
            else:
                raise ValidationError(_("Choose to sign off or to return the report."))
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(message)
