"""Changes of state for articles: publishing, unpublishing and importing."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify

from ..html import paragraphs_to_html, sanitize_html
from ..models import Article, ArticleAuthor, Author, Column, Publication

PUBLISH_PERMISSION = "commentary.publish_article"


@transaction.atomic
def article_publish(*, article, user, published_at=None):
    """Publish an article, now or at ``published_at``; a future time schedules it.

    An article that already has a publication date keeps it unless a new one is given.
    """
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only editors may publish articles.")
    article.status = Article.Status.PUBLISHED
    if published_at is not None:
        article.published_at = published_at
    elif article.published_at is None:
        article.published_at = timezone.now()
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def article_unpublish(*, article, user):
    """Take an article back to draft; readers get 404 from then on."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only editors may unpublish articles.")
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


def _assign(instance, **values):
    """Set the given attributes; return True when any of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _acronym(name):
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _publication_named(name, short_name=""):
    publication, created = Publication.objects.get_or_create(
        name=name, defaults={"slug": slugify(name), "short_name": short_name}
    )
    if not created and short_name and not publication.short_name:
        publication.short_name = short_name
        publication.save(update_fields=["short_name"])
    return publication, created


@transaction.atomic
def article_import(*, parsed, tags=(), publish=True):
    """Create or update an article and everything it names from a parsed plain-text file.

    Publications, authors and the column are found by name (created when missing); the article
    is found by its slug.  Running it twice with the same input changes nothing.  Returns
    ``(article, changed)``.
    """
    changed = False
    schedule = parsed.schedule
    outlet_short = schedule.publication_short_name if schedule else ""

    source = None
    if parsed.source_name:
        short = outlet_short if outlet_short and _acronym(parsed.source_name) == outlet_short else ""
        source, created = _publication_named(parsed.source_name, short)
        changed |= created

    authors = []
    for position, name in enumerate(parsed.author_names):
        author, created = Author.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
        changed |= created
        updates = {"name": name}
        if position == 0 and parsed.author_tagline:
            updates["tagline"] = parsed.author_tagline
        if position == 0 and schedule:
            updates["pronoun"] = schedule.pronoun
        if _assign(author, **updates):
            author.save()
            changed = True
        authors.append(author)

    column = None
    if parsed.column_name:
        home = None
        if outlet_short:
            if source is not None and source.short_name == outlet_short:
                home = source
            else:
                home = Publication.objects.filter(short_name=outlet_short).first()
                if home is None:
                    home, created = _publication_named(outlet_short, outlet_short)
                    changed |= created
        column, created = Column.objects.get_or_create(
            name=parsed.column_name, defaults={"slug": slugify(parsed.column_name)}
        )
        changed |= created
        column_values = {}
        if schedule:
            column_values = {"cadence": schedule.cadence, "weekday": schedule.weekday}
        if home is not None:
            column_values["publication"] = home
        if _assign(column, **column_values):
            column.save()
            changed = True
        missing = [author for author in authors if author not in set(column.authors.all())]
        if missing:
            column.authors.add(*missing)
            changed = True

    published_at = timezone.make_aware(
        datetime.datetime.combine(parsed.published_on, datetime.time(0, 0))
    )
    body = sanitize_html(paragraphs_to_html(parsed.paragraphs))
    values = {
        "title": parsed.title,
        "column": column,
        "summary": Truncator(parsed.paragraphs[0]).words(40),
        "body": body,
        "published_at": published_at,
        "language": guess_language(" ".join(parsed.paragraphs)),
        "source_publication": source,
        "original_published_on": parsed.source_published_on,
    }
    slug = slugify(parsed.title, allow_unicode=True)[:300]
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        article = Article(
            slug=slug,
            status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
        )
    if _assign(article, **values) or article.pk is None:
        article.full_clean()
        article.save()
        changed = True

    bylines = list(article.article_authors.order_by("position").values_list("author_id", flat=True))
    if bylines != [author.pk for author in authors]:
        article.article_authors.all().delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(authors)
        )
        changed = True

    if tags:
        current = {tag.name.casefold() for tag in article.tags.all()}
        wanted = [tag for tag in tags if tag.casefold() not in current]
        if wanted:
            article.tags.add(*wanted)
            changed = True
    return article, changed


def guess_language(text):
    """"ru" when most letters are Cyrillic, otherwise "en"."""
    letters = [char for char in text if char.isalpha()]
    cyrillic = sum(1 for char in letters if "а" <= char.casefold() <= "я" or char in "ёЁ")
    if letters and cyrillic / len(letters) > 0.5:
        return Article.Language.RUSSIAN
    return Article.Language.ENGLISH
