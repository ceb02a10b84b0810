"""Structured logging: one JSON object per line, each carrying the id of its request.

``RequestIdMiddleware`` (``config.middleware``) sets ``request_id`` for the duration of a
request; ``RequestIdFilter`` copies it onto every log record, and ``JsonFormatter`` writes the
record as a single line of JSON that a log shipper can parse without guessing.
"""

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

# The id of the request being handled in this thread or task; None outside a request.
request_id = contextvars.ContextVar("request_id", default=None)


def _record_request_id(record):
    current = request_id.get()
    if current is None:
        # django.request logs some 4xx responses after the middleware has returned (and reset
        # the context); the request itself still carries its id.
        current = getattr(getattr(record, "request", None), "request_id", None)
    return current


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or None) to every record; it never drops one."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = _record_request_id(record)
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON.

    Fields: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, ``request_id`` (null
    outside a request); ``method``, ``path`` and ``status_code`` when the record comes with a
    request (``django.request``); ``exc_type``, ``exc_message`` and ``traceback`` when it comes
    with an exception.
    """

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _record_request_id(record),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"] = request.method
            entry["path"] = request.path
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            entry["status_code"] = status_code
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc_value, exc_traceback = record.exc_info
            entry["exc_type"] = exc_type.__name__
            entry["exc_message"] = str(exc_value)
            entry["traceback"] = "".join(
                traceback.format_exception(exc_type, exc_value, exc_traceback)
            )
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """Readable text for a developer's console (``LOG_FORMAT=plain``), request id included."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = _record_request_id(record) or "-"
        return super().format(record)
