"""The read replica router (config/db_router.py): reads on the replica, writes and the reads
that must see them on the primary.

In tests the ``replica`` alias is a TEST MIRROR of the test database (config/settings.py):
a second connection to the same data, so these tests run on SQLite and PostgreSQL alike and
tell the two apart by which connection ran each query. They are transactional, because the
mirror's connection sees only committed rows.
"""

import contextlib

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from commentary.models import Article, Comment
from config.db_router import PrimaryAfterWriteMiddleware, PrimaryReplicaRouter
from tests.commentary.test_comment_posting import fetch_form_token, post_comment
from tests.factories import ArticleFactory, UserFactory
from tests.test_settings import GOOD_SECRET_KEY, load_settings

# Transactional: the mirror's connection sees committed rows only.
replicated_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def routed(settings):
    """The router and its middleware switched on, as DATABASE_REPLICA_URL does."""
    settings.DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "config.db_router.PrimaryAfterWriteMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    yield
    # The mirror's connection would keep PostgreSQL from dropping the test database.
    connections["replica"].close()


@contextlib.contextmanager
def queries():
    """Every query run in this thread while the block runs, in order, as ``(alias, sql)``."""
    log = []

    def recorder(alias):
        def record(execute, sql, params, many, context):
            log.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with contextlib.ExitStack() as stack:
        for alias in ("default", "replica"):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield log


def aliases(log):
    return {alias for alias, _sql in log}


def in_a_request(view):
    """Run ``view`` as the body of a request that passes through the middleware."""
    return PrimaryAfterWriteMiddleware(view)(RequestFactory().get("/"))


@replicated_db
def test_a_public_page_is_read_from_the_replica(client, routed):
    ArticleFactory(title="Pipelines across the Caspian")

    with queries() as log:
        response = client.get("/en/")

    assert response.status_code == 200
    assert "Pipelines across the Caspian" in response.content.decode()
    # The primary may still be asked where its log stands (the page cache does, to know when
    # the replica has caught up), but no table is read there.
    assert [sql for alias, sql in log if alias == "default" and '"commentary_' in sql] == []
    assert any('"commentary_article"' in sql for alias, sql in log if alias == "replica")


@replicated_db
def test_reads_after_a_write_in_the_same_request_go_to_the_primary(client, routed):
    article = ArticleFactory()
    token = fetch_form_token(client, article)

    with queries() as log:
        response = post_comment(client, article, token=token)

    assert response.status_code == 302
    assert Comment.objects.filter(article=article).count() == 1
    first_write = next(
        index
        for index, (alias, sql) in enumerate(log)
        if alias == "default" and sql.lstrip().upper().startswith(WRITES)
    )
    assert "replica" in aliases(log[:first_write])  # the article was read from the replica
    assert aliases(log[first_write:]) == {"default"}


@replicated_db
def test_the_next_request_reads_from_the_replica_again(client, routed):
    article = ArticleFactory()
    assert post_comment(client, article).status_code == 302

    with queries() as log:
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "replica" in aliases(log)


@replicated_db
def test_reads_inside_a_transaction_go_to_the_primary(routed):
    ArticleFactory()

    def view(request):
        with queries() as outside:
            Article.objects.count()
        with transaction.atomic(), queries() as inside:
            Article.objects.count()
        return HttpResponse(f"{sorted(aliases(outside))} {sorted(aliases(inside))}")

    assert in_a_request(view).content == b"['replica'] ['default']"


@replicated_db
def test_sessions_are_read_from_the_primary(client, routed):
    client.force_login(UserFactory())

    with queries() as log:
        response = client.get("/en/accounts/profile/")

    assert response.status_code == 200
    session_reads = [alias for alias, sql in log if "django_session" in sql]
    assert session_reads
    assert set(session_reads) == {"default"}


def test_writes_and_migrations_go_to_the_primary_only():
    router = PrimaryReplicaRouter()

    assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("default", "commentary")
    assert not router.allow_migrate("replica", "commentary")


# --- settings -----------------------------------------------------------------------------


def test_replica_url_adds_the_replica_and_switches_the_router_on():
    result = load_settings(
        "settings.DATABASES['replica']['HOST'], settings.DATABASE_ROUTERS, settings.MIDDLEWARE[1]",
        DEBUG="0",
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS="commentary.example.org",
        DATABASE_URL="postgres://app:secret@primary.internal:5432/commentary",
        DATABASE_REPLICA_URL="postgres://app:secret@replica.internal:5432/commentary",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "replica.internal",
        "['config.db_router.PrimaryReplicaRouter']",
        "config.db_router.PrimaryAfterWriteMiddleware",
    ]


def test_without_a_replica_url_everything_uses_the_one_database():
    result = load_settings(
        "'replica' in settings.DATABASES, settings.DATABASE_ROUTERS",
        DEBUG="0",
        SECRET_KEY=GOOD_SECRET_KEY,
        ALLOWED_HOSTS="commentary.example.org",
        DATABASE_URL="postgres://app:secret@primary.internal:5432/commentary",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[]"]


def test_the_test_suite_reads_the_replica_from_the_test_database():
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"
    assert (
        connections["replica"].settings_dict["NAME"]
        == (connections["default"].settings_dict["NAME"])
    )
