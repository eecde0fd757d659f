from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .notifications import unread_count


def notifications(request):
    """The unread count in the header: one query, and only on pages that show it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user)),
            "can_bulk_sign_off": SimpleLazyObject(lambda: _can_bulk_sign_off(request.user)),
            "menu_key": SimpleLazyObject(lambda: menu_key(request))}


def menu_key(request) -> str:
    """What the side menu's application links depend on, as a key to keep them rendered
    under (templates/viewflow/base_page.html): the person, the language, the page's
    application, and the org chart's version (their roles; a renamed person is a new
    version too). "" where the menu shows counts that change all day (the inbox's)."""
    from viewflow.workflow.flow.viewset import WorkflowAppViewset

    from accounts import chain

    match, user = request.resolver_match, request.user
    app = getattr(match, "app", None)
    if app is None or not user.is_authenticated or isinstance(app, WorkflowAppViewset):
        return ""
    parts = [user.pk, get_language(), match.namespace, chain.current_version()]
    if app.menu_template_name == "records/menu.html":
        parts.append(_can_bulk_sign_off(user))
    return ":".join(map(str, parts))


def _can_bulk_sign_off(user) -> bool:
    """Whether the reports menu links the bulk sign-off page (only where the menu shows)."""
    from flows.bulk import can_bulk_sign_off

    return can_bulk_sign_off(user)
