from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the switch.

    Django's own middleware follows the browser's Accept-Language, which on
    many office machines is English; the bureau's interface is Chinese first.
    Programs calling the API (under /api/) say which language they want with
    Accept-Language, and get its messages in that language.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            language = accepted_language(request) or settings.LANGUAGE_CODE
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def accepted_language(request) -> str | None:
    """The first language of the Accept-Language header that the site speaks, if any."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None
