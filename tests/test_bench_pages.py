"""The HTTP benchmark's own parts (bench/pages.py, bench/baseline_app.py): reading wrk's
report, answering from memory, the report's tables and targets. The benchmark itself needs
wrk, gunicorn and the large data set, so it runs by hand (bench/run), not here."""

import importlib
import io
import json
import sys

import pytest

from bench import pages
from bench.pages import BASELINE, CACHED, COLD, SIGNED_IN, Measurement, Page

WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8150/en/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.41ms    3.02ms  1.20s    91.00%
    Req/Sec     1.29k   101.22     1.50k    70.00%
  Latency Distribution
     50%  850.00us
     75%   12.00ms
     90%   20.00ms
     99%    1.20s
  12874 requests in 10.00s, 183.21MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1287.40
Transfer/sec:     18.32MB
"""


def test_wrk_report_gives_throughput_percentiles_in_milliseconds_and_errors():
    result = pages.parse_wrk(WRK_REPORT, page="home", mode=COLD, connections=16)

    assert result == Measurement(
        page="home",
        mode=COLD,
        connections=16,
        requests_per_second=1287.40,
        p50_ms=0.85,
        p99_ms=1200.0,
        requests=12874,
        errors=9,
    )


def test_a_run_in_which_nothing_finished_has_no_latencies():
    report = WRK_REPORT.replace("12874 requests", "0 requests").replace("1287.40", "0.00")

    result = pages.parse_wrk(report, page="home", mode=COLD, connections=16)

    assert (result.requests, result.p50_ms, result.p99_ms) == (0, None, None)


def test_an_unexpected_wrk_report_is_refused():
    with pytest.raises(ValueError, match="Unexpected wrk output"):
        pages.parse_wrk("unable to connect", page="home", mode=COLD, connections=16)


@pytest.fixture
def baseline_app(tmp_path, monkeypatch):
    (tmp_path / "page-0.bin").write_bytes("<p>Главная</p>".encode())
    manifest = {"/ru/?page=2": {"file": "page-0.bin", "content_type": "text/html; charset=utf-8"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("BENCH_BASELINE_DIR", str(tmp_path))
    sys.modules.pop("bench.baseline_app", None)
    yield importlib.import_module("bench.baseline_app").application
    sys.modules.pop("bench.baseline_app", None)


def call(application, raw_uri):
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    path, _, query = raw_uri.partition("?")
    environ = {
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(),
    }
    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_baseline_answers_each_address_with_the_bytes_the_site_gave(baseline_app):
    status, headers, body = call(baseline_app, "/ru/?page=2")

    assert status == "200 OK"
    assert body == "<p>Главная</p>".encode()
    assert headers == {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(body)),
    }


def test_baseline_answers_404_to_any_other_address(baseline_app):
    status, _headers, _body = call(baseline_app, "/ru/?page=3")

    assert status == "404 Not Found"


def measurement(page, mode, rps, p50=5.0, p99=20.0, connections=16):
    return Measurement(page, mode, connections, rps, p50, p99, requests=100, errors=0)


def test_targets_compare_each_mode_with_its_own_pages_baseline():
    results = [
        measurement("article", COLD, 60.0),
        measurement("article", CACHED, 700.0, p99=75.0),
        measurement("article", BASELINE, 1000.0),
        measurement("search", COLD, 10.0, p50=45.0, connections=1),
        measurement("queue", SIGNED_IN, 5.0, p50=None, p99=None, connections=1),
    ]

    checks = {name: (measured, met) for name, measured, met in pages.targets(results, 16)}

    assert checks["article, page cache off: ≥ 5 % of baseline"] == ("6.0 %", True)
    assert checks["article, cached: ≥ 70 % of baseline"] == ("70.0 %", True)
    assert checks["article, cached, 16 connections: p99 ≤ 60 ms"] == ("75.0 ms", False)
    assert checks["search, one connection: p50 ≤ 50 ms"] == ("45.0 ms", True)
    assert checks["queue, one connection: p50 ≤ 100 ms"] == ("— ms", False)


def test_tables_put_a_pages_modes_together_with_their_share_of_the_baseline():
    page_list = [Page("home", "/en/"), Page("queue", "/moderation/", public=False)]
    results = [
        measurement("queue", SIGNED_IN, 5.0),
        measurement("home", BASELINE, 2000.0),
        measurement("home", CACHED, 1500.0),
        measurement("home", COLD, 20.0),
        measurement("queue", BASELINE, 1000.0),
    ]

    many, one = pages.tables(results, page_list, 16)

    assert [(row[0], row[1], row[5]) for row in many] == [
        ("home", COLD, "1.0 %"),
        ("home", CACHED, "75.0 %"),
        ("home", BASELINE, ""),
        ("queue", SIGNED_IN, "0.5 %"),
        ("queue", BASELINE, ""),
    ]
    assert one == []
