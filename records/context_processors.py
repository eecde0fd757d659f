from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notifications(request):
    """The unread count in the header: one query, and only on pages that show it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
