from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notifications(request):
    """The unread count in the header: one query, and only on pages that show it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user)),
            "can_bulk_sign_off": SimpleLazyObject(lambda: _can_bulk_sign_off(request.user))}


def _can_bulk_sign_off(user) -> bool:
    """Whether the reports menu links the bulk sign-off page (only where the menu shows)."""
    from flows.bulk import can_bulk_sign_off

    return can_bulk_sign_off(user)
