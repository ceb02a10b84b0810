"""Compile the translation catalogues without GNU gettext.

``manage.py compilemessages`` needs ``msgfmt``; a machine that only has Python (a fresh
checkout running ``make run``, the Docker build stage) does not. This command writes the same
``.mo`` files with polib: every ``<locale path>/<language>/LC_MESSAGES/<domain>.po`` under
``settings.LOCALE_PATHS`` becomes the ``.mo`` file beside it. Like ``msgfmt``, it leaves out
fuzzy, untranslated and obsolete entries, so an unreviewed guess never reaches readers.
"""

import os
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_paths():
    """Every ``.po`` file under ``settings.LOCALE_PATHS``, in a stable order."""
    paths = set()
    for base in settings.LOCALE_PATHS:
        paths.update(Path(base).glob("*/LC_MESSAGES/*.po"))
    return sorted(paths)


def compile_catalogue(po_path, mo_path):
    """Parse ``po_path`` and write ``mo_path`` atomically; return the number of messages."""
    catalogue = polib.pofile(str(po_path))
    messages = len(catalogue.translated_entries())
    # Write beside the target and rename, so a running server never reads a half-written file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{mo_path.name}.", dir=mo_path.parent)
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return messages


def _display(path):
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/*.po under LOCALE_PATHS to the .mo file beside it, "
        "in pure Python (no msgfmt needed). Fuzzy and untranslated entries are left out."
    )

    def handle(self, *args, **options):
        paths = catalogue_paths()
        if not paths:
            self.stdout.write("No .po files under LOCALE_PATHS; nothing to compile.")
        for po_path in paths:
            mo_path = po_path.with_suffix(".mo")
            try:
                messages = compile_catalogue(po_path, mo_path)
            except (OSError, ValueError) as error:
                # polib reports syntax errors as OSError, bad encodings as UnicodeDecodeError.
                # polib repeats the file's path in its message; say it once, first.
                reason = " ".join(str(error).replace(str(po_path), "").split())
                raise CommandError(f"cannot compile {_display(po_path)}: {reason}") from error
            self.stdout.write(f"{_display(po_path)} -> {mo_path.name} ({messages} messages)")
