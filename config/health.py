"""The health check a load balancer or orchestrator polls: ``/healthz``."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_ok():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


CHECKS = {"database": _database_ok, "cache": _cache_ok}
# Without these the app server cannot serve; without the others it serves in a degraded way
# (a Redis outage: no page cache, rate limits counted in the database). A load balancer must not
# take every server out of rotation because the cache they all share is down.
REQUIRED = {"database"}


@require_safe
@never_cache
def healthz(request):
    """200 ``{"status": "ok", "database": "ok", "cache": "ok"}`` when the database answers and
    the cache keeps a value; 200 with ``"status": "degraded"`` when only the cache fails (the
    site still serves from the database); 503 with ``"status": "error"`` when the database fails.
    The failing part is set to ``"error"``.

    The response names no exception and no setting (it is public); the cause is logged. It
    touches neither the session nor the user, so it sets no cookie and needs no login.
    """
    result = {"status": "ok"}
    for name, check in CHECKS.items():
        try:
            healthy = check()
        except Exception:
            logger.exception("Health check failed: %s", name)
            healthy = False
        else:
            if not healthy:
                logger.error("Health check failed: %s gave a wrong answer", name)
        result[name] = "ok" if healthy else "error"
        if not healthy and name in REQUIRED:
            result["status"] = "error"
        elif not healthy and result["status"] == "ok":
            result["status"] = "degraded"
    return JsonResponse(result, status=503 if result["status"] == "error" else 200)
