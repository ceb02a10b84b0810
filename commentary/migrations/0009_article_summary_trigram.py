from django.db import migrations

# The articles admin searches each word in the title, the summary, the column's name and the
# bylines, as a union of four lookups (commentary/admin/articles.py); the title's trigram index
# comes from 0007, this is the summary's, on the expression icontains compares. PostgreSQL
# only, like the indexes of 0007 and 0008.
INDEX = "article_summary_upper_trigram"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON commentary_article "
        "USING gin (upper(summary) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("commentary", "0008_covering_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
