"""Operations: the /healthz check, request ids and the structured log lines."""

import io
import json
import logging
import sys
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections

from config.logging import JsonFormatter, PlainFormatter, RequestIdFilter, request_id
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

SECRET = "hunter2-database-password"


@pytest.fixture
def json_log():
    """The JSON lines the root logger writes while a test runs, through the site's own filter
    and formatter, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)


# /healthz


def test_healthz_reports_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_sets_no_cookie_and_needs_no_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_answers_503_without_details_when_the_database_fails(client, json_log):
    failure = OperationalError(f"could not connect: password={SECRET}")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert SECRET not in body
    assert "Traceback" not in body
    # The cause goes to the log, for the operator.
    (line,) = [line for line in json_log() if line["logger"] == "config.health"]
    assert line["exc_type"] == "OperationalError"
    assert line["message"] == "Health check failed: database"


def test_healthz_reports_a_failing_cache_as_degraded_but_keeps_the_server_in_rotation(client):
    with mock.patch.object(caches["default"], "set", side_effect=ConnectionError("redis is down")):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}


def test_healthz_reports_a_cache_that_forgets_what_it_was_given(client):
    with mock.patch.object(caches["default"], "get", return_value=None):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "error"


def test_healthz_answers_503_when_database_and_cache_both_fail(client):
    with (
        mock.patch.object(caches["default"], "set", side_effect=ConnectionError("redis is down")),
        mock.patch.dict("config.health.CHECKS", {"database": lambda: 1 / 0}),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "error"}


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# Request ids


def test_a_safe_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc_DEF-9"})

    assert response["X-Request-ID"] == "lb-1234.abc_DEF-9"


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert int(first, 16) >= 0  # uuid4 hex
    assert first != second


@pytest.mark.parametrize(
    "unsafe",
    ["a" * 65, "has space", "line\tbreak", 'quote"d', "semi;colon", "ünïcode"],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, unsafe):
    response = client.get("/healthz", headers={"X-Request-ID": unsafe})

    assert response["X-Request-ID"] != unsafe
    assert len(response["X-Request-ID"]) == 32


def test_the_request_id_is_on_pages_and_error_pages_too(client):
    assert client.get("/en/")["X-Request-ID"]
    assert client.get("/en/no-such-page-anywhere/")["X-Request-ID"]


def test_a_log_line_written_during_a_request_carries_its_id(client, json_log):
    with mock.patch.object(caches["default"], "get", return_value=None):
        client.get("/healthz", headers={"X-Request-ID": "req-42"})

    (line,) = [line for line in json_log() if line["logger"] == "config.health"]
    assert line["request_id"] == "req-42"
    assert request_id.get() is None  # reset when the request is over


def test_django_request_warnings_carry_method_path_and_id(client, json_log):
    client.get("/en/no-such-page-anywhere/", headers={"X-Request-ID": "req-404"})

    (line,) = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["request_id"] == "req-404"
    assert line["method"] == "GET"
    assert line["path"] == "/en/no-such-page-anywhere/"
    assert line["status_code"] == 404


# The formatters


def _record(message="Something happened", exc_info=None, **extra):
    record = logging.LogRecord("commentary.test", logging.ERROR, __file__, 1, message, (), exc_info)
    record.__dict__.update(extra)
    RequestIdFilter().filter(record)
    return record


def test_a_json_line_has_the_fields_and_a_null_id_outside_a_request():
    line = json.loads(JsonFormatter().format(_record("Hello, %s")))

    assert line["level"] == "ERROR"
    assert line["logger"] == "commentary.test"
    assert line["message"] == "Hello, %s"
    assert line["request_id"] is None
    assert line["time"].endswith("+00:00")
    assert "exc_type" not in line


def test_a_json_line_carries_the_exception_and_its_traceback():
    try:
        raise ValueError("bad input ü")
    except ValueError:
        exc_info = sys.exc_info()
    token = request_id.set("abc")
    try:
        output = JsonFormatter().format(_record(exc_info=exc_info))
    finally:
        request_id.reset(token)

    assert "\n" not in output
    line = json.loads(output)
    assert line["request_id"] == "abc"
    assert line["exc_type"] == "ValueError"
    assert line["exc_message"] == "bad input ü"
    assert line["traceback"].startswith("Traceback (most recent call last):")
    assert "raise ValueError" in line["traceback"]


def test_the_plain_format_is_readable_text_with_the_id():
    token = request_id.set("abc")
    try:
        output = PlainFormatter().format(_record("Plain words"))
    finally:
        request_id.reset(token)

    assert output.endswith("ERROR commentary.test [abc] Plain words")


def test_the_console_log_is_json_unless_log_format_says_plain(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id"]


def test_log_format_plain_switches_the_console_to_text():
    result = load_settings(
        "settings.LOGGING['handlers']['console']['formatter']", LOG_FORMAT="plain"
    )

    assert result.stdout.strip() == "plain"


def test_an_unknown_log_format_stops_the_settings_from_loading():
    result = load_settings(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or plain" in result.stderr
