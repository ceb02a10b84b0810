"""Changes of state for articles: the editorial workflow, duplicating and importing.

The workflow: a contributor writes a draft and submits it for review; an editor publishes it
now or at a future minute (scheduled), returns it to draft with a note, or unpublishes it
later.  "Scheduled" and "expired" are not stored: ``Article.state`` and the QuerySet methods
read them from the status and the dates, so nothing has to run at the minute.
"""

import datetime

import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from ..html import paragraphs_to_html, sanitize_html
from ..models import Article, ArticleAuthor, Author, Column, Publication
from ..revisions import revision

PUBLISH_PERMISSION = "commentary.publish_article"
SUBMIT_PERMISSION = "commentary.submit_article"
CHANGE_ANY_PERMISSION = "commentary.change_any_article"
CHANGE_PERMISSION = "commentary.change_article"
ADD_PERMISSION = "commentary.add_article"


def is_own_article(*, article, user):
    """Whether ``article`` is among the articles ``user`` may open for editing at all: every
    article for editors, otherwise those they created or whose byline names them."""
    if not user.is_authenticated:
        return False
    return Article.objects.editable_by(user).filter(pk=article.pk).exists()


def can_edit_article(*, article, user):
    """Whether ``user`` may change ``article`` now.

    Editors may change any article in any state.  Contributors may change their own
    articles only while they are drafts: once submitted, the article is the editors'.
    """
    if user.has_perm(CHANGE_ANY_PERMISSION):
        return True
    return (
        user.has_perm(CHANGE_PERMISSION)
        and article.status == Article.Status.DRAFT
        and is_own_article(article=article, user=user)
    )


def _record(article, user, message):
    """Add the change to the admin's log ("Recent actions"); the revision saved with it
    carries the same message on the article's history page."""
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def _save(article, user, message):
    """Save ``article`` as one revision of its history, commented ``message``, and record it."""
    with revision(user, message):
        article.save()
    _record(article, user, message)


def _validate(article):
    """``full_clean`` without re-reading the stored lead image: it was checked on upload, and
    opening it again at every step of the workflow is slow with remote storage and fails
    outright when the file is not at hand (a copied database, say)."""
    article.full_clean(exclude=["lead_image"])


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")


@transaction.atomic
def article_submit(*, article, user):
    """Send a draft to the editors for review, recording who submitted it and when.

    Needs the ``submit_article`` permission and the right to edit this article (a
    contributor's own draft; any article for editors).
    """
    if not user.has_perm(SUBMIT_PERMISSION) or not (
        user.has_perm(CHANGE_ANY_PERMISSION)
        or (user.has_perm(CHANGE_PERMISSION) and is_own_article(article=article, user=user))
    ):
        raise PermissionDenied(_("You may not submit this article for review."))
    if article.status != Article.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be submitted for review; this article is %(state)s.")
            % {"state": article.get_status_display()},
            code="not_a_draft",
        )
    article.status = Article.Status.IN_REVIEW
    article.submitted_by = user
    article.submitted_at = timezone.now()
    _validate(article)
    _save(article, user, _("Submitted for review."))
    return article


@transaction.atomic
def article_return_to_draft(*, article, user, note=""):
    """Send an article in review back to its writers as a draft, with an optional note that
    is kept in the article's history."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only editors may return articles to draft."))
    if article.status != Article.Status.IN_REVIEW:
        raise ValidationError(
            _("Only an article in review can be returned to draft."), code="not_in_review"
        )
    article.status = Article.Status.DRAFT
    _validate(article)
    note = note.strip()
    if note:
        _save(article, user, _("Returned to draft: %(note)s") % {"note": note})
    else:
        _save(article, user, _("Returned to draft."))
    return article


@transaction.atomic
def article_publish(*, article, user, published_at=None):
    """Publish an article, now or at ``published_at``; a future time schedules it.

    Without ``published_at`` the article goes live now, except that one which was public
    before keeps its original publication date.  Whether it is then "scheduled" or
    "published" follows from the time, as everywhere (``ArticleQuerySet.published``).
    """
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only editors may publish articles."))
    now = timezone.now()
    if published_at is None and article.state == "published":
        raise ValidationError(_("This article is already published."), code="already_published")
    if article.expires_at is not None and article.expires_at <= now:
        raise ValidationError(
            {
                "expires_at": _(
                    "The article expired on %(when)s; clear or move its expiry time to publish "
                    "it again."
                )
                % {"when": _when(article.expires_at)}
            }
        )
    if published_at is None:
        keeps_date = article.published_at is not None and article.published_at <= now
        published_at = article.published_at if keeps_date else now
    article.status = Article.Status.PUBLISHED
    article.published_at = published_at
    _validate(article)
    if published_at > now:
        _save(article, user, _("Scheduled for %(when)s.") % {"when": _when(published_at)})
    else:
        _save(article, user, _("Published."))
    return article


def validate_schedule_time(published_at):
    """Refuse a missing go-live time, or one that is not in the future."""
    if published_at is None:
        raise ValidationError(_("Choose the time the article should go live."), code="required")
    if published_at <= timezone.now():
        raise ValidationError(
            _("Choose a time in the future: %(when)s has already passed.")
            % {"when": _when(published_at)},
            code="not_in_future",
        )


@transaction.atomic
def article_schedule(*, article, user, published_at):
    """Publish an article at a future minute; it goes live by itself then.

    Refuses a time that is not in the future, and an article that is already live (it
    would disappear from the site until then: unpublish it first).
    """
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only editors may schedule articles."))
    try:
        validate_schedule_time(published_at)
    except ValidationError as error:
        raise ValidationError({"published_at": error}) from error
    if article.state == "published":
        raise ValidationError(
            _("This article is already live; unpublish it first to schedule it again."),
            code="already_live",
        )
    return article_publish(article=article, user=user, published_at=published_at)


@transaction.atomic
def article_unpublish(*, article, user):
    """Take a published (or scheduled) article back to draft; readers get 404 from then on."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only editors may unpublish articles."))
    if article.status != Article.Status.PUBLISHED:
        raise ValidationError(_("This article is not published."), code="not_published")
    article.status = Article.Status.DRAFT
    _validate(article)
    _save(article, user, _("Unpublished."))
    return article


# What a duplicate copies besides the title and slug; state, dates and history stay behind.
_DUPLICATED_FIELDS = (
    "column",
    "summary",
    "body",
    "article_type",
    "language",
    "comments_enabled",
    "source_publication",
    "original_published_on",
    "original_url",
    "original_author",
    "licence_note",
    "syndication_policy",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
)


def _free_slug(slug):
    """``<slug>-copy``, or ``-copy-2``, ``-copy-3``… : the first one no article uses."""
    max_length = Article._meta.get_field("slug").max_length
    stem = slug[: max_length - len("-copy-9999")]
    taken = set(Article.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    number = 1
    while True:
        suffix = "-copy" if number == 1 else f"-copy-{number}"
        candidate = slug[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def article_duplicate(*, article, user):
    """Start a new draft from ``article``: "Copy of …" with a free slug, the same column,
    byline (in order), tags, text, type, language, provenance and lead image file.

    Needs ``add_article`` and the right to open the original.
    """
    if not user.has_perm(ADD_PERMISSION) or not is_own_article(article=article, user=user):
        raise PermissionDenied(_("You may not duplicate this article."))
    title_length = Article._meta.get_field("title").max_length
    copy = Article(
        title=Truncator(_("Copy of %(title)s") % {"title": article.title}).chars(title_length),
        slug=_free_slug(article.slug),
        status=Article.Status.DRAFT,
        created_by=user,
        **{name: getattr(article, name) for name in _DUPLICATED_FIELDS},
    )
    _validate(copy)
    message = _("Duplicated from “%(title)s”.") % {"title": article.title}
    with revision(user, message):
        copy.save()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=copy, author_id=link.author_id, position=link.position)
            for link in article.article_authors.order_by("position", "id")
        )
        tags = list(article.tags.all())
        if tags:
            copy.tags.add(*tags)
        # Again, now that the byline and tags exist: the revision follows them from here.
        reversion.add_to_revision(copy)
    _record(copy, user, message)
    return copy


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
    is found by its slug.  Running it twice with the same input changes nothing.  A change is
    kept as a revision of the article.  Returns ``(article, changed)``.
    """
    with revision(None, _("Imported from a text file.")):
        article, changed = _import_parsed_article(parsed=parsed, tags=tags, publish=publish)
        if changed:
            # Bylines are bulk-created, which revisions do not see by themselves.
            reversion.add_to_revision(article)
    return article, changed


def _import_parsed_article(*, parsed, tags, publish):
    changed = False
    schedule = parsed.schedule
    outlet_short = schedule.publication_short_name if schedule else ""

    source = None
    if parsed.source_name:
        matches = outlet_short and _acronym(parsed.source_name) == outlet_short
        short = outlet_short if matches else ""
        source, created = _publication_named(parsed.source_name, short)
        changed |= created

    authors = []
    for position, name in enumerate(parsed.author_names):
        author, created = Author.objects.get_or_create(slug=slugify(name), defaults={"name": name})
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
    """ "ru" when most letters are Cyrillic, otherwise "en"."""
    letters = [char for char in text if char.isalpha()]
    cyrillic = sum(1 for char in letters if "а" <= char.casefold() <= "я" or char in "ёЁ")
    if letters and cyrillic / len(letters) > 0.5:
        return Article.Language.RUSSIAN
    return Article.Language.ENGLISH
