"""Static files in production: ``collectstatic`` writes hashed, compressed copies
(``CompressedManifestStaticFilesStorage``), and WhiteNoise serves a hashed name with headers
that let browsers and proxies keep it for good: its name changes whenever its content does.

Development and the test suite serve the source files as they are (config/settings.py), so the
production storage is switched on here, into a folder of the test's own.
"""

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def collected(settings, tmp_path):
    """The site's static files collected as in production; WhiteNoise as it serves them."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only the project's own folder, as the hashed names of the site's own files are tested.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0)
    return WhiteNoiseMiddleware(lambda request: HttpResponse("not a static file", status=404))


def serve(whitenoise, url, encodings=""):
    request = RequestFactory().get(url, headers={"accept-encoding": encodings})
    return whitenoise(request)


def max_age(response):
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_collected_files_have_hashed_names_and_compressed_copies(collected, tmp_path):
    hashed = staticfiles_storage.stored_name("css/site.css")

    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    for suffix in ("", ".gz", ".br"):
        assert (tmp_path / f"{hashed}{suffix}").stat().st_size > 0


@pytest.mark.parametrize(
    ("encodings", "encoding"), [("br, gzip", "br"), ("gzip", "gzip"), ("", None)]
)
def test_a_hashed_file_is_served_compressed_and_kept_for_good(collected, encodings, encoding):
    url = staticfiles_storage.url("css/site.css")

    response = serve(collected, url, encodings)

    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert max_age(response) >= ONE_YEAR
    assert response.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response["Vary"]


def test_a_file_under_its_own_name_is_kept_briefly(collected):
    response = serve(collected, "/static/css/site.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert max_age(response) <= 60


def test_pages_link_the_hashed_names(collected, client, db):
    page = client.get("/en/").content.decode()

    assert staticfiles_storage.url("css/site.css") in page
    assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', page)
