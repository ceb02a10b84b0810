"""``config.settings`` read from the environment, each case in a fresh Python process."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SETTINGS_FILE = Path(settings.BASE_DIR) / "config" / "settings.py"
SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()"
)
GOOD_SECRET_KEY = "x7Hq-" * 10  # 50 characters, as a generated key would be


def _variables_the_settings_read():
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    names = set(re.findall(r"(?:env_\w+|os\.environ\.get)\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= names
    return names | {"DJANGO_SETTINGS_MODULE"}


def load_settings(print_expression=None, **environment):
    """Run ``django.setup()`` in a new interpreter whose environment holds none of the
    variables the settings read, except ``environment``."""
    ignored = _variables_the_settings_read()
    env = {name: value for name, value in os.environ.items() if name not in ignored}
    env.update(environment)
    code = SETUP
    if print_expression:
        code += f"; from django.conf import settings; print({print_expression})"
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="0", ALLOWED_HOSTS="commentary.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = load_settings(
        DEBUG="0", SECRET_KEY="too-short", ALLOWED_HOSTS="commentary.example.org"
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_refuses_to_start_without_allowed_hosts(hosts):
    environment = {"DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY}
    if hosts is not None:
        environment["ALLOWED_HOSTS"] = hosts

    result = load_settings(**environment)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_secret_key_and_hosts():
    result = load_settings(
        "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECRET_KEY == " + repr(GOOD_SECRET_KEY),
        DEBUG="0",
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS="commentary.example.org, www.commentary.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['commentary.example.org', 'www.commentary.example.org'] True"
    )


def test_development_starts_with_no_environment_at_all():
    result = load_settings("settings.DEBUG, settings.DATABASES['default']['ENGINE']")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True django.db.backends.sqlite3"


def test_database_url_selects_the_database():
    result = load_settings(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.DATABASES['default']['HOST']",
        DATABASE_URL="postgres://commentary:secret@db.internal:5432/commentary_prod",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql commentary_prod db.internal"


@pytest.mark.parametrize(("value", "disabled"), [(None, "False"), ("0", "True"), ("1", "False")])
def test_prepared_statements_can_be_turned_off_for_a_pooler(value, disabled):
    environment = {"DATABASE_URL": "postgres://commentary@db.internal:5432/commentary_prod"}
    if value is not None:
        environment["DATABASE_PREPARED_STATEMENTS"] = value

    result = load_settings(
        "settings.DATABASES['default']['DISABLE_PREPARED_STATEMENTS']", **environment
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == disabled


def test_redis_url_selects_the_redis_cache():
    result = load_settings(
        "settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION']",
        REDIS_URL="redis://cache.internal:6379/2",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "config.cache.ResilientRedisCache redis://cache.internal:6379/2"
    )


def test_without_redis_url_the_cache_is_local_memory():
    result = load_settings("settings.CACHES['default']['BACKEND']")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"
