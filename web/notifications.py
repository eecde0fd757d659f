"""The notification centre: my notifications, newest first; reading one opens its item."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import generic

from records.models import Notification


class NotificationListView(LoginRequiredMixin, generic.ListView):
    template_name = "records/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        notifications = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread") == "1":
            notifications = notifications.filter(read_at__isnull=True)
        return notifications.order_by("-created_at", "-pk")


class NotificationReadView(LoginRequiredMixin, generic.View):
    """Mark one as read (POST) and go to its item; someone else's is a 404."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
        return redirect(notification.url if notification.url and safe else "notifications:index")


class NotificationReadAllView(LoginRequiredMixin, generic.View):
    def post(self, request):
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now())
        return redirect("notifications:index")
