"""Production hardening: security headers, the Content-Security-Policy, ``check --deploy``,
the configurable admin address and the staff members' shorter sessions."""

import base64
import hashlib
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ArticleFactory
from tests.test_settings import GOOD_SECRET_KEY, _variables_the_settings_read, load_settings

IMPORTMAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


def csp_directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def sha256_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def article_page(client, db):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


@pytest.fixture
def admin_article_form(client, db):
    from accounts.models import User

    superuser = User.objects.create_superuser("boss", "boss@example.org", "pw-long-enough-1")
    client.force_login(superuser)
    article = ArticleFactory()
    response = client.get(reverse("admin:commentary_article_change", args=[article.pk]))
    assert response.status_code == 200
    return response


def test_public_pages_carry_a_strict_content_security_policy(article_page):
    header = article_page["Content-Security-Policy"]
    directives = csp_directives(article_page)

    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_public_pages_have_no_inline_scripts(article_page):
    """Data blocks (JSON-LD) are never run, so the policy need not allow them."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", article_page.text, re.DOTALL)
    inline = [
        body for attributes, body in scripts if body.strip() and "application/" not in attributes
    ]

    assert inline == []


def test_admin_policy_allows_exactly_the_editors_import_map(admin_article_form):
    importmaps = IMPORTMAP.findall(admin_article_form.text)
    script_src = csp_directives(admin_article_form)["script-src"]

    assert importmaps, "the article form should load the rich-text editor's import map"
    for body in importmaps:
        assert sha256_source(body) in script_src
    assert "'unsafe-inline'" not in script_src
    # Only style attributes are relaxed in the admin; they cannot run script.
    assert csp_directives(admin_article_form)["style-src-attr"] == ["'unsafe-inline'"]
    assert set(script_src) == {"'self'"} | {sha256_source(body) for body in importmaps}


def test_public_pages_do_not_get_the_admins_script_hash(article_page):
    assert not any(s.startswith("'sha256-") for s in csp_directives(article_page)["script-src"])


def test_every_response_carries_the_other_security_headers(article_page):
    permissions = article_page["Permissions-Policy"]

    assert article_page["X-Content-Type-Options"] == "nosniff"
    assert article_page["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert article_page["X-Frame-Options"] == "DENY"
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in permissions


def test_cookies_are_same_site_lax():
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_deploy_check_finds_no_issues_with_production_settings():
    env_code = (
        "import os; from django.core.management import execute_from_command_line; "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    env = {**_clean_environment(), "DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY}
    env["ALLOWED_HOSTS"] = "commentary.example.org"
    check = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", env_code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout


def _clean_environment():
    """This process's environment without any variable the settings read."""
    ignored = _variables_the_settings_read()
    return {name: value for name, value in os.environ.items() if name not in ignored}


def test_admin_address_comes_from_the_environment():
    result = load_settings("__import__('django.urls').urls.reverse('admin:index')")
    moved = load_settings(
        "__import__('django.urls').urls.reverse('admin:index')", ADMIN_URL="desk-7f3a/"
    )

    assert result.stdout.strip() == "/admin/"
    assert moved.stdout.strip() == "/desk-7f3a/", moved.stderr


def test_an_admin_address_with_a_leading_slash_is_refused():
    result = load_settings(ADMIN_URL="/desk/")

    assert result.returncode != 0
    assert "ADMIN_URL" in result.stderr


PASSWORD = "pw-long-enough-1"  # noqa: S105 - a test account's


def log_in(client, user, url_name="admin:login"):
    """Log in through a real log-in page, as a browser does (``force_login`` skips the view)."""
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse(url_name), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_staff_sessions_expire_after_the_staff_session_age(client, editor, settings):
    settings.STAFF_SESSION_AGE = 3600

    log_in(client, editor)

    assert client.session.get_expiry_age() == 3600
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600
    assert client.get(reverse("admin:index")).status_code == 200


def test_readers_sessions_keep_the_site_wide_age(client, reader, settings):
    settings.STAFF_SESSION_AGE = 3600

    log_in(client, reader, "accounts:log-in")

    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert "_session_expiry" not in client.session


def test_pages_that_leave_the_session_alone_do_not_rewrite_it(client, editor, settings):
    client.force_login(editor)

    client.get(reverse("admin:index"))

    assert "_session_expiry" not in client.session
