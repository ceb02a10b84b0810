"""Middleware that is about operating the site rather than about its pages."""

import re
import uuid

from config.logging import request_id

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or client's id is kept only when it is a short, plain token: it ends up in log
# lines and response headers, where anything else could forge lines or inject headers.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Gives every request an id: ``request.request_id``, the ``X-Request-ID`` response header
    and the ``request_id`` of every log record written while the request is handled.

    An incoming ``X-Request-ID`` (from a load balancer or a client) is reused when it is a safe
    token; otherwise a new uuid4 hex is generated. First in ``MIDDLEWARE``, so that the other
    middleware's log lines carry the id too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
