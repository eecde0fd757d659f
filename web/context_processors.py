"""What every page's frame shows: the bell's count, the menus' key, the calendar banner."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from records.notifications import unread_count


def notifications(request):
    """The unread count in the header: one query, and only on pages that show it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user)),
            "can_bulk_sign_off": SimpleLazyObject(lambda: _can_bulk_sign_off(request.user)),
            "menu_key": SimpleLazyObject(lambda: menu_key(request)),
            "calendar_missing": SimpleLazyObject(lambda: calendar_missing(request.user))}


def calendar_missing(user) -> list[int]:
    """The years whose holidays the administrators must enter now, for the banner that
    administrators and the secretary see on every page ([] for everyone else).

    No query while the library covers this year and, from November, the next. Otherwise
    who the secretaries are (shared by the process's requests: accounts.chain) and, for
    them and the administrators only, the confirmed years (shared for a minute:
    records.workdays.confirmed_years).
    """
    from records.workdays import library_years, missing_years, years_due

    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    if all(year in library_years() for year in years_due(today)):
        return []
    if not (user.is_staff or user.is_superuser or _is_secretary(user, today)):
        return []
    return missing_years(today)


def _is_secretary(user, today) -> bool:
    """From the roles the page already read for its permission checks, if it did (free);
    otherwise from the chain's answer, which the process's requests share."""
    from accounts import chain
    from accounts.models import Post
    from records.permissions import roles_read

    roles = roles_read(user)
    if roles is not None:
        return Post.Role.SECRETARY in roles
    return user in chain.holders(None, Post.Role.SECRETARY, today)


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
