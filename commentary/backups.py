"""Back up and restore the site: the database, the uploaded media and a manifest.

A backup is a directory holding ``db.dump`` (PostgreSQL, ``pg_dump --format=custom``) or
``db.sqlite3`` (SQLite, copied with the sqlite3 backup API), ``media.tar.gz`` (the contents of
``MEDIA_ROOT``) and ``manifest.json`` (when, which Django, the last applied migration per app,
content counts and the sha256 of every file).  ``backup_restore`` refuses a backup whose files
are missing or do not match the manifest before it touches anything.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DATABASE_FILES = {"postgresql": "db.dump", "sqlite": "db.sqlite3"}


class BackupError(Exception):
    """A backup cannot be made or restored; the message is one line for the operator."""


def _database():
    return settings.DATABASES["default"]


def _vendor():
    vendor = connections["default"].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _postgres_command(program, database):
    """The argument list and environment for a PostgreSQL client program; the password goes in
    PGPASSWORD, never on the command line, where other users could read it."""
    args = [program, "--no-owner", f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(args, env):
    try:
        # An argument list, no shell: a database name or password cannot inject a command.
        result = subprocess.run(  # noqa: S603
            args, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(f"{args[0]} is not installed or not on PATH.") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackupError(f"{args[0]} failed (exit {result.returncode}): {detail}")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_counts():
    """The numbers an operator checks after a restore: articles, comments and users."""
    from commentary.models import Article, Comment

    return {
        "articles": Article.objects.count(),
        "comments": Comment.objects.count(),
        "users": get_user_model().objects.count(),
    }


def _migration_state():
    applied = MigrationRecorder(connections["default"]).applied_migrations()
    state = {}
    for app, name in applied:
        state[app] = max(state.get(app, name), name)
    return dict(sorted(state.items()))


def _dump_database(vendor, target):
    database = _database()
    if vendor == "postgresql":
        args, env = _postgres_command("pg_dump", database)
        _run([*args, "--format=custom", f"--file={target}"], env)
    else:
        source = sqlite3.connect(database["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()


def _archive_media(target):
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            for child in sorted(media_root.iterdir()):
                archive.add(child, arcname=child.name)


def backup_create(*, destination):
    """Write a backup of the database and media into a new directory under ``destination``,
    named by the UTC time, and return its path."""
    vendor = _vendor()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = Path(destination) / stamp
    try:
        directory.mkdir(parents=True)
    except FileExistsError:
        raise BackupError(f"{directory} already exists; wait a second and try again.") from None
    database_file = directory / DATABASE_FILES[vendor]
    _dump_database(vendor, database_file)
    _archive_media(directory / MEDIA_ARCHIVE)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "django_version": django.get_version(),
        "database_vendor": vendor,
        "migrations": _migration_state(),
        "counts": content_counts(),
        "files": {name: _sha256(directory / name) for name in (database_file.name, MEDIA_ARCHIVE)},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return directory


def backup_verify(*, source):
    """Return the manifest of the backup in ``source`` if every file it needs is present and
    matches its checksum; raise BackupError otherwise."""
    directory = Path(source)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{manifest_path} is missing.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        vendor = manifest["database_vendor"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{manifest_path} is not a backup manifest.") from None
    if vendor != _vendor():
        raise BackupError(f"The backup is of a {vendor} database, not {_vendor()}.")
    for name in (DATABASE_FILES[vendor], MEDIA_ARCHIVE):
        if name not in files:
            raise BackupError(f"The manifest does not list {name}.")
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{path} is missing.")
        if _sha256(path) != files[name]:
            raise BackupError(f"{path} does not match its checksum in the manifest.")
    return manifest


def _load_database(vendor, source):
    database = _database()
    # Our own open connections would hold locks (SQLite) or see a half-replaced schema.
    connections.close_all()
    if vendor == "postgresql":
        args, env = _postgres_command("pg_restore", database)
        _run([*args, "--clean", "--if-exists", "--single-transaction", str(source)], env)
    else:
        copy = sqlite3.connect(source)
        target = sqlite3.connect(database["NAME"])
        try:
            copy.backup(target)
        finally:
            target.close()
            copy.close()


def _unpack_media(archive_path):
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    with tarfile.open(archive_path, "r:gz") as archive:
        # The "data" filter refuses absolute paths, ".." and device files.
        archive.extractall(media_root, filter="data")


def backup_restore(*, source):
    """Verify the backup in ``source``, replace the database and the contents of MEDIA_ROOT
    with it, and return the restored content counts."""
    manifest = backup_verify(source=source)
    directory = Path(source)
    vendor = manifest["database_vendor"]
    _load_database(vendor, directory / DATABASE_FILES[vendor])
    _unpack_media(directory / MEDIA_ARCHIVE)
    return content_counts()
