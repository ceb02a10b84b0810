"""Backups: backup_site and restore_site round-trip the content and refuse damaged backups.

The commands run in a subprocess against a database of their own (a SQLite file, or a scratch
PostgreSQL database), because they replace the whole database, which the test database that
pytest-django holds open (in memory on SQLite) cannot stand in for.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

CREATE_CONTENT = """
from tests.factories import ArticleFactory, CommentFactory, TagFactory
russia, china = TagFactory(name="Russia"), TagFactory(name="China")
kept = ArticleFactory(title="Kept article", slug="kept", tags=[russia, china])
doomed = ArticleFactory(title="Doomed article", slug="doomed", tags=[china])
CommentFactory(article=kept, body="An approved remark.", approved=True)
CommentFactory(article=kept, body="A pending remark.")
CommentFactory(article=doomed, body="A rejected remark.", rejected=True)
"""

CHANGE_CONTENT = """
from commentary.models import Article
Article.objects.get(slug="doomed").delete()
Article.objects.filter(slug="kept").update(title="Edited title")
"""

SNAPSHOT = """
import json
from commentary.models import Article
print(json.dumps([
    {
        "title": article.title,
        "slug": article.slug,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "comments": sorted([c.body, c.status] for c in article.comments.all()),
    }
    for article in Article.objects.order_by("slug")
]))
"""

MEDIA_BYTES = b"\x89PNG\r\n\x1a\n not really a picture"


def manage(env, *args, check=True):
    return subprocess.run(  # noqa: S603 - fixed interpreter and commands
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def command_env(database_url, media_root):
    env = dict(os.environ, DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DEBUG="1")
    env.pop("REDIS_URL", None)  # keep the subprocess out of the shared cache
    return env


def snapshot(env):
    return json.loads(manage(env, "shell", "-v0", "-c", SNAPSHOT).stdout)


def make_backup(env, output_dir):
    manage(env, "backup_site", "--output-dir", str(output_dir))
    (backup,) = Path(output_dir).iterdir()
    return backup


def assert_round_trip(env, media_root, tmp_path):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-v0", "-c", CREATE_CONTENT)
    picture = media_root / "articles" / "lead.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(MEDIA_BYTES)
    before = snapshot(env)
    assert [article["slug"] for article in before] == ["doomed", "kept"]

    backup = make_backup(env, tmp_path / "backups")
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"] == {"articles": 2, "comments": 3, "users": 0}
    assert manifest["migrations"]["commentary"].startswith("0")

    manage(env, "shell", "-v0", "-c", CHANGE_CONTENT)
    picture.unlink()
    (media_root / "stray.txt").write_text("uploaded after the backup")
    assert snapshot(env) != before

    result = manage(env, "restore_site", str(backup))

    assert "2 articles, 3 comments, 0 users" in result.stdout
    assert snapshot(env) == before
    assert picture.read_bytes() == MEDIA_BYTES
    assert not (media_root / "stray.txt").exists()


def sqlite_env(tmp_path):
    return command_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path / "media")


def test_backup_and_restore_round_trip_the_content_on_sqlite(tmp_path):
    assert_round_trip(sqlite_env(tmp_path), tmp_path / "media", tmp_path)


@pytest.mark.postgres
def test_backup_and_restore_round_trip_the_content_on_postgresql(tmp_path):
    database = settings.DATABASES["default"]
    scratch = f"backup_test_{uuid.uuid4().hex[:12]}"
    credentials = quote(database["USER"] or "postgres")
    if database.get("PASSWORD"):
        credentials += ":" + quote(str(database["PASSWORD"]), safe="")
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    url = f"postgres://{credentials}@{host}:{port}/{scratch}"
    client = ["--host", host, "--port", str(port), "--username", database["USER"] or "postgres"]
    client_env = dict(os.environ)
    if database.get("PASSWORD"):
        client_env["PGPASSWORD"] = str(database["PASSWORD"])
    subprocess.run(["createdb", *client, scratch], env=client_env, check=True)  # noqa: S603,S607
    try:
        env = command_env(url, tmp_path / "media")
        env["CONN_MAX_AGE"] = "0"
        assert_round_trip(env, tmp_path / "media", tmp_path)
    finally:
        subprocess.run(  # noqa: S603
            ["dropdb", *client, "--force", scratch],  # noqa: S607
            env=client_env,
            check=True,
        )


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """One migrated SQLite site and a backup of it, shared by the refusal tests."""
    root = tmp_path_factory.mktemp("site")
    env = sqlite_env(root)
    manage(env, "migrate", "--noinput", "-v0")
    return env, make_backup(env, root / "backups")


@pytest.fixture
def damaged_backup(sqlite_backup, tmp_path):
    env, backup = sqlite_backup
    copy = tmp_path / backup.name
    shutil.copytree(backup, copy)
    return env, copy


def assert_refused(env, backup, message):
    result = manage(env, "restore_site", str(backup), check=False)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_restore_refuses_a_manifest_whose_checksum_was_changed(damaged_backup):
    env, backup = damaged_backup
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["db.sqlite3"] = "0" * 64
    (backup / "manifest.json").write_text(json.dumps(manifest))

    assert_refused(env, backup, "does not match its checksum")


def test_restore_refuses_an_altered_media_archive(damaged_backup):
    env, backup = damaged_backup
    with open(backup / "media.tar.gz", "ab") as archive:
        archive.write(b"tampered")

    assert_refused(env, backup, "does not match its checksum")


def test_restore_refuses_a_backup_with_a_missing_file(damaged_backup):
    env, backup = damaged_backup
    (backup / "db.sqlite3").unlink()

    assert_refused(env, backup, "db.sqlite3 is missing")


def test_restore_refuses_a_directory_without_a_manifest(damaged_backup):
    env, backup = damaged_backup
    (backup / "manifest.json").unlink()

    assert_refused(env, backup, "manifest.json is missing")
