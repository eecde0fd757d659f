from .audit import current_ip, current_user


class AuditContextMiddleware:
    """Remembers who is asking and from where, for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = current_ip.set(request.META.get("REMOTE_ADDR") or None)
        user = current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(ip)
            current_user.reset(user)
