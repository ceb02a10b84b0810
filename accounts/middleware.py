from django.conf import settings
from django.http import HttpResponseRedirect
from django.views.static import serve

from . import two_factor

# What a session that owes the second factor may still open.
OPEN_TO_PENDING_SESSIONS = {
    "accounts:two-factor",
    "accounts:two-factor-setup",
    "accounts:log-out",
    "admin:logout",
    "set_language",
    "healthz",
}


class StaffTwoFactorMiddleware:
    """Keeps a staff member who has given only their password (``two_factor.is_pending``)
    out of everything -- the admin, the moderation queue, previews of drafts, the public
    pages too -- but the two-factor pages, log-out and the language switch; they are sent
    to give the code (or to set their app up) and then on to the page they asked for.

    One place for every staff tool, present and future, instead of a check in each. Visitors
    without a session cookie cost nothing: no session is read for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_TWO_FACTOR:
            return None
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        if request.resolver_match.view_name in OPEN_TO_PENDING_SESSIONS or view_func is serve:
            return None
        if not two_factor.is_pending(request.user):
            return None
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        return HttpResponseRedirect(two_factor.second_step_url(next_url))
