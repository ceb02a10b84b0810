"""The large benchmark data set, shared by the scripts in ``bench/``.

Build it once (see bench/README.md)::

    createdb -h 127.0.0.1 -U postgres commentary_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commentary_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commentary_bench \\
        .venv/bin/python manage.py generate_content --articles 100000 --comments 1000000

A script configures Django with :func:`setup_django`, then finds what it measures with the
helpers below, e.g. :func:`fifty_comment_article`: ``generate_content`` guarantees that one
exists.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/commentary_bench"


def database_url():
    """``DATABASE_URL`` from the environment, or the benchmark database."""
    return os.environ.get("DATABASE_URL", "").strip() or BENCH_DATABASE_URL


def setup_django(database_url=None, *, require_postgres=True):
    """Configure Django for a benchmark script run from anywhere, against ``database_url``
    (default: ``DATABASE_URL``, else the benchmark database), with ``DEBUG`` off as in
    production (no query log, no debug pages). Returns the URL used."""
    url = database_url or globals()["database_url"]()
    if require_postgres and not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{Path(sys.argv[0]).name} needs PostgreSQL: DATABASE_URL=postgres://…")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The development defaults (secret key, hosts) load only with DEBUG on; it is turned off
    # again below, once the settings are read.
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return url


def fifty_comment_article():
    """The published, commentable article with exactly 50 approved comments and the highest
    id (one query), or ``None``. ``generate_content`` always makes at least one."""
    from django.db.models import Count, Q

    from commentary.models import Article, Comment

    return (
        Article.objects.published()
        .filter(comments_enabled=True)
        .annotate(
            approved_total=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED))
        )
        .filter(approved_total=50)
        .order_by("-pk")
        .first()
    )
