import datetime
import functools
from operator import itemgetter

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import JSONObject
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from ..addresses import cached_reverse
from ..html import BODY_EDITOR_EXTENSIONS, sanitize_html
from ..images import validate_image
from .expressions import JSONRows


class Publication(models.Model):
    """An outlet that publishes columns, ours or one whose pieces we republish."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("How the outlet is abbreviated in running text, e.g. “WPR”."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    homepage_url = models.URLField(_("homepage URL"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return self.name


class Author(models.Model):
    class Pronoun(models.TextChoices):
        HE = "he", _("he / his")
        SHE = "she", _("she / her")
        THEY = "they", _("they / their")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    tagline = models.CharField(
        _("tagline"),
        max_length=300,
        blank=True,
        help_text=_(
            "Completes the sentence “NAME is …” under each article, e.g. “a senior fellow at "
            "the Hudson Institute”. No final full stop."
        ),
    )
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    pronoun = models.CharField(
        _("pronoun"),
        max_length=4,
        choices=Pronoun.choices,
        default=Pronoun.THEY,
        help_text=_("Used in generated sentences such as “His weekly column …”."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.CheckConstraint(
                condition=Q(pronoun__in=["he", "she", "they"]), name="author_pronoun_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("commentary:author", kwargs={"slug": self.slug})

    @property
    def tagline_sentence(self):
        """“Richard Weitz is a senior fellow …”, or an empty string without a tagline."""
        if not self.tagline:
            return ""
        return _("%(name)s is %(tagline)s.") % {"name": self.name, "tagline": self.tagline}


class Column(models.Model):
    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        FORTNIGHTLY = "fortnightly", _("fortnightly")
        MONTHLY = "monthly", _("monthly")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), related_name="columns", blank=True
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("home publication"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="columns",
        help_text=_("The outlet where the column first appears."),
    )
    cadence = models.CharField(
        _("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive columns keep their archive.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence__in=["weekly", "fortnightly", "monthly"]),
                name="column_cadence_valid",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="column_weekday_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("commentary:column", kwargs={"slug": self.slug})

    def schedule_sentence(self, author):
        """The reader-facing schedule, e.g. “His weekly WPR column, Global Insights, appears
        every Tuesday.”, built from the column's data in the active language."""
        outlet = self.publication.short_name or self.publication.name if self.publication else ""
        sentences = _SCHEDULE_WITH_OUTLET if outlet else _SCHEDULE_WITHOUT_OUTLET
        return sentences[author.pronoun] % {
            "cadence": _CADENCE_ADJECTIVES[self.cadence],
            "outlet": outlet,
            "column": self.name,
            "when": _WHEN[self.cadence][self.weekday],
        }


# Whole sentences per pronoun, so that languages whose possessives or adjectives agree with
# the subject can translate each one properly.
_SCHEDULE_WITH_OUTLET = {
    "he": _("His %(cadence)s %(outlet)s column, %(column)s, appears %(when)s."),
    "she": _("Her %(cadence)s %(outlet)s column, %(column)s, appears %(when)s."),
    "they": _("Their %(cadence)s %(outlet)s column, %(column)s, appears %(when)s."),
}
_SCHEDULE_WITHOUT_OUTLET = {
    "he": _("His %(cadence)s column, %(column)s, appears %(when)s."),
    "she": _("Her %(cadence)s column, %(column)s, appears %(when)s."),
    "they": _("Their %(cadence)s column, %(column)s, appears %(when)s."),
}
_CADENCE_ADJECTIVES = {
    "weekly": pgettext_lazy("column cadence", "weekly"),
    "fortnightly": pgettext_lazy("column cadence", "fortnightly"),
    "monthly": pgettext_lazy("column cadence", "monthly"),
}
# Weekday phrases are whole messages: in Russian the word for "every" agrees with the day.
_WHEN = {
    "weekly": [
        _("every Monday"),
        _("every Tuesday"),
        _("every Wednesday"),
        _("every Thursday"),
        _("every Friday"),
        _("every Saturday"),
        _("every Sunday"),
    ],
    "fortnightly": [
        _("every other Monday"),
        _("every other Tuesday"),
        _("every other Wednesday"),
        _("every other Thursday"),
        _("every other Friday"),
        _("every other Saturday"),
        _("every other Sunday"),
    ],
    "monthly": [
        _("on the first Monday of each month"),
        _("on the first Tuesday of each month"),
        _("on the first Wednesday of each month"),
        _("on the first Thursday of each month"),
        _("on the first Friday of each month"),
        _("on the first Saturday of each month"),
        _("on the first Sunday of each month"),
    ],
}


class Tag(TagBase):
    """A subject readers browse by ("Russia", "China", "Arms trade")."""

    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def get_absolute_url(self):
        return cached_reverse("commentary:tag", kwargs={"slug": self.slug})


class TagRedirect(models.Model):
    """The slug of a tag merged into another, so its old address keeps working."""

    old_slug = models.SlugField(_("old slug"), max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="redirects"
    )
    created_at = models.DateTimeField(_("merged"), default=timezone.now)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class TaggedArticle(ItemBase):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedarticle_unique_per_article"
            ),
        ]


def byline_prefetch():
    """Prefetch an article's authors in byline order, for ``Article.ordered_authors``."""
    return Prefetch(
        "article_authors",
        queryset=ArticleAuthor.objects.select_related("author").order_by("position"),
    )


def _json_rows(model, link, **columns):
    """A subquery for an article annotation: the ``model`` rows whose ``link`` is the article,
    as a JSON array of objects of ``columns`` (key → field path), or NULL for none."""
    rows = (
        model.objects.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONRows(JSONObject(**columns)))
        .values("rows")
    )
    return Subquery(rows, output_field=models.JSONField())


def _from_row(model, db, row):
    """A ``model`` instance as loaded from ``db``, from the fields of ``row`` (a dict by
    field attname); the fields it lacks are deferred."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in row]
    return model.from_db(db, names, [row[name] for name in names])


def _aware(value):
    """A datetime from JSON: PostgreSQL writes it with its offset, SQLite as naive UTC."""
    moment = parse_datetime(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _set_prefetched(instance, manager, cache_name, objects):
    """Keep ``objects`` as what ``manager`` returns, as ``prefetch_related`` would have: its
    ``all()`` then reads them without a query."""
    queryset = manager.get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


@functools.cache
def _page_rows():
    """The subqueries of ``ArticleQuerySet.for_page()``, built once: they are the same for
    every article (``annotate`` resolves a copy each time), and building them costs as much
    as compiling them."""
    return {
        "page_tags": _json_rows(
            TaggedArticle,
            "content_object",
            link_id="id",
            id="tag_id",
            name="tag__name",
            slug="tag__slug",
        ),
        "page_byline": _json_rows(
            ArticleAuthor,
            "article",
            id="id",
            position="position",
            author_id="author_id",
            name="author__name",
            slug="author__slug",
            tagline="author__tagline",
            pronoun="author__pronoun",
        ),
        "page_corrections": _json_rows(
            Correction, "article", id="id", published_at="published_at", note="note"
        ),
    }


class ArticlePageIterable(ModelIterable):
    """Articles of ``ArticleQuerySet.for_page()``: the tags, byline and corrections read as
    JSON in the article's row become model instances, kept where ``article.tags.all()``,
    ``article.ordered_authors`` and ``article.corrections.all()`` look for them."""

    def __iter__(self):
        for article in super().__iter__():
            article.adopt_page_rows()
            yield article


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """What the public may see: published, with a publication time that has come.

        Every public page, feed and sitemap reads through this method, so a future-dated
        article goes live at its minute with no job running. ``now`` is the current time
        unless given (a query compiled once takes it as a parameter, see
        ``commentary.prepared``).
        """
        if now is None:
            now = timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def scheduled(self):
        """Published articles whose time has not come yet."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_review(self):
        return self.filter(status=Article.Status.IN_REVIEW)

    def editable_by(self, user):
        """The articles ``user`` may open in the admin: all for editors, else their own."""
        if user.has_perm("commentary.change_any_article"):
            return self
        return self.filter(Q(created_by=user) | Q(authors__user=user)).distinct()

    def for_listing(self):
        """Load what an article teaser shows (column, ordered authors, tags) in fixed queries."""
        return self.select_related("column").prefetch_related(byline_prefetch(), "tags")

    def for_page(self):
        """Load what the article page shows of each article with the article, in its one
        query, whatever their number: the column with its publication, the source publication,
        and the tags, the byline with its authors and the corrections, each gathered into a
        JSON array by a subquery (see ``Article.adopt_page_rows``)."""
        queryset = self.select_related("column__publication", "source_publication").annotate(
            **_page_rows()
        )
        queryset._iterable_class = ArticlePageIterable
        return queryset

    def with_comment_counts(self):
        """Annotate ``approved_comment_count`` and ``pending_comment_count``."""
        from .comments import Comment

        return self.annotate(
            approved_comment_count=Count(
                "comments", filter=Q(comments__status=Comment.Status.APPROVED), distinct=True
            ),
            pending_comment_count=Count(
                "comments", filter=Q(comments__status=Comment.Status.PENDING), distinct=True
            ),
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")

    class ArticleType(models.TextChoices):
        OPINION = "opinion", _("Opinion")
        ANALYSIS = "analysis", _("Analysis")
        BACKGROUND = "background", _("Background")
        INTERVIEW = "interview", _("Interview")

    class SyndicationPolicy(models.TextChoices):
        CANONICAL_TO_SOURCE = "source", _("Canonical link to the original")
        NOINDEX = "noindex", _("Keep our copy out of search engines")
        SELF_CANONICAL = "self", _("Our page is the canonical one (own translation or original)")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        RUSSIAN = "ru", _("Russian")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=300,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the article's address. Unique across the site."),
        error_messages={"unique": _("Another article already uses this slug.")},
    )
    column = models.ForeignKey(
        Column,
        verbose_name=_("column"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), through="ArticleAuthor", related_name="articles"
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown in lists.")
    )
    body = ProseEditorField(
        _("body"),
        extensions=BODY_EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        help_text=_("HTML; anything outside the allowed tags is removed on save."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("A published article with a future date goes live by itself at that time."),
    )
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Optional: the article leaves the public site by itself at this time."),
    )
    planned_for = models.DateField(
        _("planned for"),
        null=True,
        blank=True,
        help_text=_("The column slot a draft is meant to fill, shown on the columns' calendar."),
    )
    article_type = models.CharField(
        _("type"), max_length=12, choices=ArticleType.choices, default=ArticleType.ANALYSIS
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    comments_enabled = models.BooleanField(_("comments enabled"), default=True)
    source_publication = models.ForeignKey(
        Publication,
        verbose_name=_("source publication"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="republished_articles",
        help_text=_("For republished pieces: the outlet where the article first appeared."),
    )
    original_published_on = models.DateField(_("original publication date"), null=True, blank=True)
    original_url = models.URLField(_("original URL"), max_length=500, blank=True)
    original_author = models.CharField(
        _("original author"),
        max_length=200,
        blank=True,
        help_text=_("As credited by the source, when it differs from our byline."),
    )
    licence_note = models.TextField(
        _("licence or permission"),
        blank=True,
        help_text=_(
            "Under what terms we republish it: licence, agreement, or who gave permission."
        ),
    )
    syndication_policy = models.CharField(
        _("search engines"),
        max_length=8,
        choices=SyndicationPolicy.choices,
        default=SyndicationPolicy.CANONICAL_TO_SOURCE,
        help_text=_("For republished pieces. With no original URL the canonical link stays ours."),
    )
    lead_image = models.ImageField(
        _("lead image"), upload_to="articles/%Y/%m/", blank=True, validators=[validate_image]
    )
    lead_image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("Required with an image: what it shows, for readers who cannot see it."),
    )
    lead_image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("credit"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text=_("The article this one translates; both pages then offer the other."),
    )
    search_vector = SearchVectorField(
        _("search index"),
        null=True,
        editable=False,
        help_text=_("Weighted full-text index (PostgreSQL), rebuilt when the article is saved."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tags = TaggableManager(through=TaggedArticle, blank=True, verbose_name=_("tags"))

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("change_any_article", _("Can edit everyone's articles")),
            ("submit_article", _("Can submit articles for review")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published"]),
                name="article_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(article_type__in=["opinion", "analysis", "background", "interview"]),
                name="article_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(syndication_policy__in=["source", "noindex", "self"]),
                name="article_syndication_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(lead_image="") | ~Q(lead_image_alt=""),
                name="article_image_has_alt_text",
                violation_error_message=_("Describe the lead image for readers who cannot see it."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_publication",
                violation_error_message=_("An article must expire after it is published."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["en", "ru"]), name="article_language_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
                violation_error_message=_("A published article needs a publication date."),
            ),
        ]
        indexes = [
            # With the expiry last, counting the public articles reads the index alone.
            models.Index(
                fields=["status", "-published_at", "expires_at"], name="article_public_list"
            ),
            models.Index(fields=["column", "status", "-published_at"], name="article_column_list"),
            # The articles the sitemaps list (commentary.sitemaps.indexable), oldest first: a
            # sitemap page and its count read this index alone.
            models.Index(
                fields=["published_at", "id", "expires_at"],
                name="article_indexable",
                condition=Q(status="published")
                & (
                    Q(source_publication__isnull=True)
                    | Q(syndication_policy="self")
                    | Q(syndication_policy="source", original_url="")
                ),
            ),
        ]

    def __str__(self):
        return self.display_title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return cached_reverse("commentary:article", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        # Said on the field itself; the database constraint can only say it for the whole form.
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {"lead_image_alt": _("Describe the lead image for readers who cannot see it.")},
                code="alt_text_required",
            )

    def get_article_type_display(self):
        """The type's label, as Django's ``get_FOO_display`` gives it, without translating
        every type's label to find this one's: a list page shows a dozen types."""
        try:
            return str(self.ArticleType(self.article_type).label)
        except ValueError:
            return self.article_type

    @property
    def display_title(self):
        """The heading readers see: the column prefix, then the title."""
        if self.column_id:
            return _("%(column)s: %(title)s") % {"column": self.column.name, "title": self.title}
        return self.title

    @property
    def ordered_authors(self):
        return [link.author for link in self.article_authors.all()]

    def adopt_page_rows(self):
        """Turn the JSON rows that ``ArticleQuerySet.for_page()`` annotates into the tags,
        byline links (with their authors) and corrections that a prefetch would have loaded,
        in the same order: tags as added, byline by position, corrections newest first."""
        db = self._state.db
        tags = sorted(self.__dict__.pop("page_tags") or [], key=itemgetter("link_id"))
        _set_prefetched(self, self.tags, "tags", [_from_row(Tag, db, row) for row in tags])
        links = []
        for row in sorted(self.__dict__.pop("page_byline") or [], key=itemgetter("position", "id")):
            link = _from_row(ArticleAuthor, db, {**row, "article_id": self.pk})
            link.author = _from_row(Author, db, {**row, "id": row["author_id"]})
            link.article = self
            links.append(link)
        _set_prefetched(self, self.article_authors, "article_authors", links)
        corrections = []
        for row in self.__dict__.pop("page_corrections") or []:
            correction = _from_row(
                Correction,
                db,
                {**row, "article_id": self.pk, "published_at": _aware(row["published_at"])},
            )
            correction.article = self
            corrections.append(correction)
        corrections.sort(key=lambda correction: (correction.published_at, correction.pk))
        _set_prefetched(self, self.corrections, "corrections", corrections[::-1])

    @property
    def state(self):
        """Where the article stands: draft, in review, scheduled, published or expired."""
        if self.status != self.Status.PUBLISHED:
            return self.status
        now = timezone.now()
        if self.published_at and self.published_at > now:
            return "scheduled"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        return "published"

    @property
    def canonical_url(self):
        """The original's address when the syndication policy points search engines there."""
        if (
            self.is_republished
            and self.original_url
            and self.syndication_policy == self.SyndicationPolicy.CANONICAL_TO_SOURCE
        ):
            return self.original_url
        return ""

    @property
    def robots_noindex(self):
        return self.is_republished and self.syndication_policy == self.SyndicationPolicy.NOINDEX

    def author_notes(self):
        """What stands under the body for each author: the tagline sentence and, for a
        column piece, the column's schedule sentence in the author's voice."""
        return [
            {
                "author": author,
                "tagline": author.tagline_sentence,
                "schedule": self.column.schedule_sentence(author) if self.column_id else "",
            }
            for author in self.ordered_authors
        ]

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def comments_close_at(self):
        """When comments close by age (``COMMENTS_CLOSE_AFTER_DAYS`` after publication), or
        ``None`` when they never close by themselves. Disabling comments is separate."""
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        if days <= 0 or self.published_at is None:
            return None
        return self.published_at + datetime.timedelta(days=days)

    @property
    def accepts_comments(self):
        """Whether readers may post: public, comments enabled and not closed by age."""
        if not (self.comments_enabled and self.is_public):
            return False
        close_at = self.comments_close_at
        return close_at is None or timezone.now() < close_at

    @property
    def is_republished(self):
        return self.source_publication_id is not None


class ArticleAuthor(models.Model):
    """An article's byline, in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("byline")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]

    def __str__(self):
        return self.author.name


class Correction(models.Model):
    """A dated note on a substantive change to a published article."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    note = models.TextField(
        _("correction"),
        help_text=_("What was wrong and what it says now, in one or two sentences."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [models.Index(fields=["-published_at"], name="correction_recent")]

    def __str__(self):
        return f"{self.article.title}: {self.published_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#corrections"


class ColumnSkip(models.Model):
    """A column date on which no installment is planned, on purpose."""

    column = models.ForeignKey(
        Column, verbose_name=_("column"), on_delete=models.CASCADE, related_name="skips"
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("planned skip")
        verbose_name_plural = _("planned skips")
        constraints = [
            models.UniqueConstraint(fields=["column", "date"], name="column_skip_once_per_date"),
        ]

    def __str__(self):
        return f"{self.column.name}: {self.date:%Y-%m-%d}"
