from django.db import migrations

# Indexes that answer whole-archive questions without reading the articles' rows, which carry
# the body and the search vector (a few kilobytes each). PostgreSQL only, like those of 0007.
#
# article_public_ids: every public article's id, publication and expiry, for the questions a
# join asks of all of them at once: each author's and each tag's latest public article (the
# sitemaps), the trigram fallback of search matched by id. An index-only scan of it reads a
# few megabytes where a scan of the table reads hundreds.
#
# article_newest_first: the admin's list of articles, newest first, with no filter; its first
# page is read from the head of the index rather than by sorting the archive.
INDEXES = [
    (
        "article_public_ids",
        "commentary_article (id) INCLUDE (published_at, expires_at) WHERE status = 'published'",
    ),
    ("article_newest_first", "commentary_article (published_at DESC, id DESC)"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("commentary", "0007_indexes_at_scale"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
