"""Generate a large, realistic archive: publications, columns, authors, tags, articles in
English and Russian in every editorial state, bylines, tags and threaded reader comments in
every moderation state, with readers' reports.

Rows are written in batches without per-row ``save()`` or signals: ``COPY`` on PostgreSQL,
``bulk_create`` elsewhere, with primary keys reserved up front so that replies can name their
parent in the same batch.  What saving would have maintained is then brought up to date set by
set: the stored search vectors (one UPDATE per batch, through
:func:`commentary.search.update_search_vectors`, on a second connection while comments are
being generated) and the planner's statistics.

The data set always holds one published, commentable article (the last one generated, so the
one with the highest id) with exactly :data:`FEATURED_APPROVED` approved comments and a few
pending, rejected and spam ones: benchmarks of the article page find it with
``bench/dataset.py``'s ``fifty_comment_article()``.

Everything is added to what the database already holds; the reference data (publications,
columns, authors, tags) is reused when a row with the same slug or name exists.
"""

import datetime
import io
import json
import queue
import random
import threading
import time
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from .. import search, spam
from ..models import (
    Article,
    ArticleAuthor,
    Author,
    Column,
    Comment,
    CommentReport,
    Publication,
    RejectionReason,
    Tag,
    TaggedArticle,
)
from . import prose

# The featured article's comments.
FEATURED_APPROVED = 50
FEATURED_PENDING = 5
FEATURED_REJECTED = 2
FEATURED_SPAM = 1
MIN_COMMENTS = FEATURED_APPROVED + FEATURED_PENDING + FEATURED_REJECTED + FEATURED_SPAM

DEFAULT_SEED = 2014
DEFAULT_BATCH = 2000
ARCHIVE_YEARS = 12
RUSSIAN_SHARE = 0.3
COLUMN_SHARE = 0.45
REPUBLISHED_SHARE = 0.12
COMMENTS_DISABLED_SHARE = 0.03

# What an article is: (state, share). "expired" and "scheduled" are published articles whose
# expiry has passed or whose time has not come.
ARTICLE_STATES = (
    ("published", 0.885),
    ("expiring", 0.01),
    ("expired", 0.02),
    ("scheduled", 0.02),
    ("draft", 0.045),
    ("review", 0.02),
)
ARTICLE_TYPES = (("analysis", 0.5), ("opinion", 0.3), ("background", 0.12), ("interview", 0.08))
# A moderated site: most comments approved, a backlog waiting, the rest refused.
COMMENT_STATUSES = (("approved", 0.80), ("pending", 0.04), ("rejected", 0.09), ("spam", 0.07))
REPLY_SHARE = 0.4
REPORTED_SHARE = 0.003  # approved comments readers reported enough to send back
REPORTS_BELOW_THRESHOLD_SHARE = 0.004  # approved comments with a report or two
COMMENTS_PER_LANGUAGE_SWITCH = 0.1  # comments in the other language than the article's
COMMENTERS_PER_COMMENT = 1 / 12
SENTENCE_POOL = 4000

PUBLICATIONS = [
    # (name, short name, slug)
    ("World Politics Review", "WPR", "world-politics-review"),
    ("Caspian Policy Digest", "CPD", "caspian-policy-digest"),
    ("Meridian Quarterly", "", "meridian-quarterly"),
    ("The Northern Review", "", "the-northern-review"),
    ("Pacific Affairs Monitor", "PAM", "pacific-affairs-monitor"),
    ("Евразийское обозрение", "", "evraziiskoe-obozrenie"),
    ("Северный вестник", "", "severnyi-vestnik"),
]

COLUMNS = [
    # (name, slug, cadence, weekday, publication slug, language, description)
    (
        "Global Insights",
        "global-insights",
        "weekly",
        1,
        "world-politics-review",
        "en",
        "A weekly look at great-power diplomacy, arms control and security in Eurasia and the "
        "Asia-Pacific.",
    ),
    (
        "Eurasia Watch",
        "eurasia-watch",
        "fortnightly",
        3,
        "caspian-policy-digest",
        "en",
        "Central Asia and the Caspian: energy and transit, water, and the region's balancing "
        "between Russia, China and the West.",
    ),
    ("Security Brief", "security-brief", "weekly", 4, "", "en", "Defence and deterrence."),
    ("Energy Matters", "energy-matters", "fortnightly", 2, "", "en", "Oil, gas and power."),
    (
        "Asia Pacific Notes",
        "asia-pacific-notes",
        "weekly",
        3,
        "pacific-affairs-monitor",
        "en",
        "Notes on the region's diplomacy.",
    ),
    ("The Long View", "the-long-view", "monthly", 0, "meridian-quarterly", "en", "History."),
    ("Arctic Dispatch", "arctic-dispatch", "monthly", 5, "the-northern-review", "en", ""),
    (
        "Взгляд из Москвы",
        "vzglyad-iz-moskvy",
        "weekly",
        0,
        "",
        "ru",
        "Еженедельная колонка о внешней политике России.",
    ),
    (
        "Евразийский дневник",
        "evraziiskii-dnevnik",
        "fortnightly",
        2,
        "evraziiskoe-obozrenie",
        "ru",
        "",
    ),
    ("Глобальный взгляд", "globalnyi-vzglyad", "weekly", 4, "", "ru", ""),
]

LICENCE_NOTES = {
    "en": [
        "Republished with permission of {publication}.",
        "Republished under an agreement with {publication}.",
        "Reproduced with the author's permission.",
    ],
    "ru": ["Публикуется с разрешения издания «{publication}».", "Перепечатано с согласия автора."],
}
HOLD_FIRST = [{"code": "first_comment", "detail": ""}]
HOLD_DUPLICATE = [{"code": "duplicate_text", "detail": ""}]
HOLD_HONEYPOT = [{"code": "honeypot", "detail": ""}]
HELD_WORDS = ["idiot", "traitor", "идиот", "предатель"]

ARTICLE_COLUMNS = [
    "id", "title", "slug", "column_id", "summary", "body", "status", "published_at",
    "expires_at", "planned_for", "article_type", "language", "comments_enabled",
    "source_publication_id", "original_published_on", "original_url", "original_author",
    "licence_note", "syndication_policy", "lead_image", "lead_image_alt", "lead_image_caption",
    "lead_image_credit", "created_by_id", "submitted_by_id", "submitted_at",
    "translation_of_id", "search_vector", "created_at", "updated_at",
]  # fmt: skip
COMMENT_COLUMNS = [
    "id", "article_id", "parent_id", "depth", "body", "author_name", "author_email", "user_id",
    "language", "ip_hash", "submission_key", "status", "hold_reasons", "rejection_reason",
    "flagged_at", "created_at", "moderated_by_id", "moderated_at",
]  # fmt: skip
REPORT_COLUMNS = ["comment_id", "reporter_id", "reporter_key", "reason", "note", "created_at"]
BYLINE_COLUMNS = ["article_id", "author_id", "position"]
TAGGED_COLUMNS = ["content_object_id", "tag_id"]


class GenerationError(ValueError):
    """The arguments cannot make a valid data set."""


@dataclass
class GenerationResult:
    articles: int
    comments: int
    reports: int
    featured_article_id: int
    seconds: float


@dataclass
class PlannedArticle:
    """What is decided for every article before any text is written."""

    language: str
    state: str
    column: int | None  # index into the generator's columns
    published_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    comments_enabled: bool
    comments: int = 0

    @property
    def live(self):
        return self.state in {"published", "expiring", "expired"}


@dataclass
class Commenter:
    name: str
    email: str
    language: str
    ip_hashes: list


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _cumulative(weights):
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


class ContentGenerator:
    """Adds ``articles`` articles and ``comments`` comments to database ``using``.

    ``progress`` is called with one line of text at each step.  Deterministic for a seed, but
    for the ids, which come from the database's sequences.
    """

    def __init__(
        self,
        *,
        articles,
        comments,
        seed=DEFAULT_SEED,
        batch=DEFAULT_BATCH,
        using="default",
        progress=None,
        now=None,
    ):
        if articles < 1:
            raise GenerationError(f"--articles must be 1 or more, not {articles}.")
        if comments < MIN_COMMENTS:
            raise GenerationError(
                f"--comments must be {MIN_COMMENTS} or more, not {comments}: the data set always "
                f"holds an article with {FEATURED_APPROVED} approved comments and a few pending, "
                "rejected and spam ones."
            )
        if batch < 1:
            raise GenerationError(f"--batch must be 1 or more, not {batch}.")
        self.article_total = articles
        self.comment_total = comments
        self.seed = seed
        self.batch = batch
        self.using = using
        self.progress = progress or (lambda line: None)
        self.now = now or timezone.now()
        self.rng = random.Random(seed)
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self.writers = {language: prose.Writer(self.rng, language) for language in ("en", "ru")}

    # --- Running --------------------------------------------------------------------------

    def run(self):
        started = time.perf_counter()
        self.progress(
            f"Generating {self.article_total:,} articles and {self.comment_total:,} comments "
            f"(seed {self.seed}, batches of {self.batch:,} articles)…"
        )
        self._reference_data()
        plans = self._plan_articles()
        self._allocate_comments(plans)
        self._prepare_text_pools()
        refresher = SearchVectorRefresher(
            self.using, threaded=self.postgres and not self.connection.in_atomic_block
        )
        written_articles = written_comments = written_reports = 0
        featured_id = None
        try:
            for start in range(0, len(plans), self.batch):
                batch = plans[start : start + self.batch]
                with transaction.atomic(using=self.using):
                    if self.postgres:
                        self._tune_batch()
                    ids = self._write_articles(batch)
                    comments, reports = self._write_comments(batch, ids)
                refresher.add(ids)
                if start + len(batch) == len(plans):
                    featured_id = ids[-1]
                written_articles += len(batch)
                written_comments += comments
                written_reports += reports
                self.progress(
                    f"  {written_articles:,}/{self.article_total:,} articles, "
                    f"{written_comments:,}/{self.comment_total:,} comments "
                    f"({time.perf_counter() - started:.1f} s)"
                )
        finally:
            refresher.finish()
        self.progress(
            f"Search index: {refresher.updated:,} articles ({time.perf_counter() - started:.1f} s)"
        )
        self._analyze()
        seconds = time.perf_counter() - started
        self.progress(f"Statistics updated ({seconds:.1f} s)")
        return GenerationResult(
            articles=written_articles,
            comments=written_comments,
            reports=written_reports,
            featured_article_id=featured_id,
            seconds=seconds,
        )

    def _tune_batch(self):
        """Settings for this loader's transactions only."""
        with self.connection.cursor() as cursor:
            # Nothing is lost but a crash's last batch.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # New entries of the trigram (GIN) indexes wait in each index's pending list
            # instead of being merged a few megabytes at a time; the VACUUM at the end
            # merges them in bulk, which is several times cheaper.
            cursor.execute("SET LOCAL gin_pending_list_limit TO '1GB'")

    # --- Reference data -------------------------------------------------------------------

    def _reference_data(self):
        """Publications, columns with their authors, authors and tags, through the ORM: a few
        hundred rows, reused when they exist."""
        rng = self.rng
        self.publications = []
        for name, short_name, slug in PUBLICATIONS:
            publication = (
                Publication.objects.using(self.using).filter(Q(slug=slug) | Q(name=name)).first()
            )
            if publication is None:
                publication = Publication.objects.using(self.using).create(
                    name=name,
                    short_name=short_name,
                    slug=slug,
                    homepage_url=f"https://{slug}.example/",
                )
            self.publications.append(publication)
        by_slug = {publication.slug: publication for publication in self.publications}

        author_count = min(400, max(12, self.article_total // 250))
        self.authors = {"en": [], "ru": []}
        seen = set()
        for number in range(author_count):
            language = "ru" if number % 10 < 3 else "en"
            pronoun = "they" if rng.random() < 0.04 else rng.choice(("he", "she"))
            name, slug, pronoun = prose.person(rng, language, pronoun)
            while slug in seen:
                slug = f"{slug}-{rng.randint(2, 99)}"
            seen.add(slug)
            author = Author.objects.using(self.using).filter(slug=slug).first()
            if author is None:
                tagline = prose.tagline(rng, language, self.writers[language])
                author = Author.objects.using(self.using).create(
                    name=name,
                    slug=slug,
                    tagline=tagline,
                    pronoun=pronoun,
                    bio=f"{name} — {tagline}." if language == "ru" else f"{name} is {tagline}.",
                )
            self.authors[language].append(author)
        self.author_weights = {
            language: _cumulative(1 / (rank + 1) ** 0.7 for rank in range(len(authors)))
            for language, authors in self.authors.items()
        }

        self.columns = []
        for name, slug, cadence, weekday, publication, language, description in COLUMNS:
            column = Column.objects.using(self.using).filter(Q(slug=slug) | Q(name=name)).first()
            if column is None:
                column = Column.objects.using(self.using).create(
                    name=name,
                    slug=slug,
                    cadence=cadence,
                    weekday=weekday,
                    publication=by_slug.get(publication),
                    description=description,
                )
                writers = rng.sample(self.authors[language], rng.choice((1, 1, 2)))
                column.authors.add(*writers)
            column.generated_language = language
            column.writer_ids = list(column.authors.values_list("pk", flat=True)) or [
                rng.choice(self.authors[language]).pk
            ]
            self.columns.append(column)
        self.columns_by_language = {
            language: [
                index
                for index, column in enumerate(self.columns)
                if column.generated_language == language
            ]
            for language in ("en", "ru")
        }

        self.tag_ids = {}
        for writer in self.writers.values():
            for slot in ("topic", "country"):
                for value in writer.bank[slot]:
                    name = tag_name(value[0] if isinstance(value, tuple) else value)
                    tag = Tag.objects.using(self.using).filter(name__iexact=name).first()
                    if tag is None:
                        tag = Tag(name=name)
                        tag.save(using=self.using)
                    self.tag_ids[value[0] if isinstance(value, tuple) else value] = tag.pk

        moderate = Q(is_superuser=True) | Q(groups__permissions__codename="moderate_comment")
        self.moderator_ids = list(
            get_user_model()
            .objects.using(self.using)
            .filter(moderate, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()[:20]
        )
        self.progress(
            f"Reference data: {len(self.publications)} publications, {len(self.columns)} "
            f"columns, {author_count} authors, {len(self.tag_ids)} tags"
        )

    # --- Planning -------------------------------------------------------------------------

    def _plan_articles(self):
        rng = self.rng
        states, state_weights = zip(*ARTICLE_STATES, strict=True)
        state_cumulative = _cumulative(state_weights)
        plans = [
            self._plan(rng.choices(states, cum_weights=state_cumulative)[0])
            for _ in range(self.article_total)
        ]
        # Even a small data set has every state, on articles other than the first and last.
        missing = [state for state in states if state not in {plan.state for plan in plans}]
        common = [index for index, plan in enumerate(plans[1:-1], 1) if plan.state == "published"]
        replaced = rng.sample(common, min(len(missing), len(common)))
        for state, index in zip(missing, replaced, strict=False):
            plans[index] = self._plan(state)
        # The first article is live and commentable so that comments always have somewhere
        # to go besides the featured one; the last is the featured article.
        if len(plans) > 1:
            self._make_live(plans[0], days_ago=rng.uniform(30, 400))
        self.featured_plan = plans[-1]
        self._make_live(self.featured_plan, days_ago=rng.uniform(2, 5))
        return plans

    def _plan(self, state):
        rng, now = self.rng, self.now
        first = now - datetime.timedelta(days=365 * ARCHIVE_YEARS)
        span = (now - first).total_seconds()
        language = "ru" if rng.random() < RUSSIAN_SHARE else "en"
        column = None
        if rng.random() < COLUMN_SHARE:
            column = rng.choice(self.columns_by_language[language])
        published_at = expires_at = None
        if state in {"published", "expiring"}:
            # More pieces in recent years, as a site grows.
            published_at = first + datetime.timedelta(seconds=span * rng.random() ** 0.7)
        elif state == "expired":
            published_at = first + datetime.timedelta(seconds=(span - 86400 * 14) * rng.random())
        elif state == "scheduled":
            published_at = now + datetime.timedelta(seconds=rng.uniform(86400, 86400 * 45))
        if published_at is not None and column is not None:
            published_at = self._on_column_day(published_at, self.columns[column])
        if state == "expiring":
            expires_at = now + datetime.timedelta(days=rng.uniform(1, 120))
        elif state == "expired":
            lifetime = (now - published_at).total_seconds()
            expires_at = published_at + datetime.timedelta(seconds=rng.uniform(0.2, 0.9) * lifetime)
        return PlannedArticle(
            language=language,
            state=state,
            column=column,
            published_at=published_at,
            expires_at=expires_at,
            comments_enabled=rng.random() >= COMMENTS_DISABLED_SHARE,
        )

    def _make_live(self, plan, *, days_ago):
        plan.state = "published"
        plan.published_at = self.now - datetime.timedelta(days=days_ago)
        plan.expires_at = None
        plan.comments_enabled = True

    def _on_column_day(self, moment, column):
        """The column's weekday on or before ``moment``, in the morning."""
        moment -= datetime.timedelta(days=(moment.weekday() - column.weekday) % 7)
        return moment.replace(hour=6 + self.rng.randint(0, 4), minute=0, second=0, microsecond=0)

    def _allocate_comments(self, plans):
        """How many comments each live, commentable article gets: a long tail, a few hot
        articles with hundreds, the featured article exactly its fixed set."""
        rng = self.rng
        featured = plans[-1]
        featured.comments = MIN_COMMENTS
        rest = self.comment_total - MIN_COMMENTS
        eligible = [plan for plan in plans[:-1] if plan.live and plan.comments_enabled]
        self.featured_extra = 0
        if not eligible:
            # A single article: the extra comments are not approved, so it keeps exactly 50.
            self.featured_extra = rest
            featured.comments += rest
            return
        weights = _cumulative(min(rng.lognormvariate(0, 1.2), 60.0) for _ in eligible)
        for plan in rng.choices(eligible, cum_weights=weights, k=rest):
            plan.comments += 1

    def _prepare_text_pools(self):
        rng = self.rng
        self.sentence_pools = {
            language: writer.comment_sentence_pool(SENTENCE_POOL)
            for language, writer in self.writers.items()
        }
        commenter_total = max(30, int(self.comment_total * COMMENTERS_PER_COMMENT))
        self.commenters = {"en": [], "ru": []}
        seen_emails = set()
        for number in range(commenter_total):
            language = "ru" if rng.random() < RUSSIAN_SHARE else "en"
            name, slug, _pronoun = prose.person(rng, language)
            if rng.random() < 0.15:
                name = rng.choice(prose.HANDLES)
                if rng.random() < 0.5:
                    name = f"{name}{rng.randint(1, 999)}"
            elif language == "ru" and rng.random() < 0.3:
                first, last = name.split(" ", 1)
                name = f"{first} {last[0]}."
            email = f"{slug.replace('-', '.')}{number}@{rng.choice(prose.EMAIL_DOMAINS)}"
            seen_emails.add(email)
            addresses = [self._ip_address() for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            self.commenters[language].append(
                Commenter(
                    name=name,
                    email=email,
                    language=language,
                    ip_hashes=[spam.ip_hash(address) for address in addresses],
                )
            )
        self.commenter_weights = {
            language: _cumulative(1 / (rank + 1) ** 0.8 for rank in range(len(pool)))
            for language, pool in self.commenters.items()
        }
        for language in ("en", "ru"):  # a language without commenters borrows the other's
            if not self.commenters[language]:
                other = "ru" if language == "en" else "en"
                self.commenters[language] = self.commenters[other]
                self.commenter_weights[language] = self.commenter_weights[other]

    def _ip_address(self):
        rng = self.rng
        if rng.random() < 0.15:
            return ":".join(f"{rng.getrandbits(16):x}" for _ in range(8))
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))

    # --- Articles ---------------------------------------------------------------------------

    def _write_articles(self, batch):
        rng, now = self.rng, self.now
        ids = self._reserve_ids(Article, len(batch))
        rows, bylines, tagged = [], [], []
        for article_id, plan in zip(ids, batch, strict=True):
            writer = self.writers[plan.language]
            theme = writer.theme()
            title = writer.title(theme)[:300]
            slug = f"{slugify(title, allow_unicode=True)[:80].strip('-')}-{article_id}"
            column = self.columns[plan.column] if plan.column is not None else None
            status, planned_for, submitted_at = "published", None, None
            if plan.state == "draft":
                status = "draft"
                if column is not None and rng.random() < 0.6:
                    planned_for = (now + datetime.timedelta(days=rng.randint(1, 60))).date()
            elif plan.state == "review":
                status = "review"
                submitted_at = now - datetime.timedelta(hours=rng.uniform(1, 240))
            if plan.published_at is not None and plan.published_at <= now:
                created_at = plan.published_at - datetime.timedelta(hours=rng.uniform(2, 96))
                updated_at = min(now, plan.published_at + datetime.timedelta(hours=rng.random()))
            else:
                created_at = now - datetime.timedelta(days=rng.uniform(0.5, 60))
                updated_at = min(now, created_at + datetime.timedelta(days=rng.uniform(0, 3)))
            republished = (
                status == "published"
                and plan.published_at is not None
                and rng.random() < REPUBLISHED_SHARE
            )
            source_id = original_on = None
            original_url = original_author = licence_note = ""
            policy = "source"
            if republished:
                source = rng.choice(self.publications)
                source_id = source.pk
                original_on = (
                    plan.published_at - datetime.timedelta(days=rng.randint(0, 4))
                ).date()
                original_url = (
                    f"https://{source.slug}.example/{original_on:%Y/%m}/"
                    f"{slugify(title)[:60].strip('-') or 'article'}"
                )
                licence_note = rng.choice(LICENCE_NOTES[plan.language]).format(
                    publication=source.name
                )
                policy = rng.choices(("source", "noindex", "self"), (0.7, 0.15, 0.15))[0]
            rows.append(
                (
                    article_id,
                    title,
                    slug,
                    column.pk if column is not None else None,
                    writer.summary(theme),
                    writer.body(theme),
                    status,
                    plan.published_at,
                    plan.expires_at,
                    planned_for,
                    _weighted(rng, ARTICLE_TYPES),
                    plan.language,
                    plan.comments_enabled,
                    source_id,
                    original_on,
                    original_url,
                    original_author,
                    licence_note,
                    policy,
                    "",
                    "",
                    "",
                    "",
                    None,
                    None,
                    submitted_at,
                    None,
                    None,
                    created_at,
                    updated_at,
                )
            )
            if column is not None:
                author_ids = list(column.writer_ids[: rng.choice((1, 1, 1, 2))])
            else:
                count = rng.choices((1, 2, 3), (0.85, 0.13, 0.02))[0]
                picked = rng.choices(
                    self.authors[plan.language],
                    cum_weights=self.author_weights[plan.language],
                    k=count,
                )
                author_ids = list(dict.fromkeys(author.pk for author in picked))
            bylines.extend(
                (article_id, author_id, position) for position, author_id in enumerate(author_ids)
            )
            names = writer.topic_names(theme)
            order = [names[0], names[2], names[1], names[3]]
            tag_ids = dict.fromkeys(
                self.tag_ids[name] for name in order[: rng.choice((1, 2, 2, 3, 3, 4))]
            )
            tagged.extend((article_id, tag_id) for tag_id in tag_ids)
        rows = self._unique_slugs(rows)
        self._insert(Article, ARTICLE_COLUMNS, rows)
        self._insert(ArticleAuthor, BYLINE_COLUMNS, bylines)
        self._insert(TaggedArticle, TAGGED_COLUMNS, tagged)
        return ids

    def _unique_slugs(self, rows):
        """Slugs end with the article's id; an existing article may still hold one."""
        slugs = [row[2] for row in rows]
        taken = set(
            Article.objects.using(self.using).filter(slug__in=slugs).values_list("slug", flat=True)
        )
        if not taken:
            return rows
        return [(*row[:2], f"{row[2]}-g", *row[3:]) if row[2] in taken else row for row in rows]

    # --- Comments ---------------------------------------------------------------------------

    def _write_comments(self, batch, article_ids):
        total = sum(plan.comments for plan in batch)
        if not total:
            return 0, 0
        comment_ids = iter(self._reserve_ids(Comment, total))
        rows, reports = [], []
        for article_id, plan in zip(article_ids, batch, strict=True):
            if plan.comments:
                featured = plan is self.featured_plan
                self._comments_for(article_id, plan, comment_ids, rows, reports, featured=featured)
        self._insert(Comment, COMMENT_COLUMNS, rows)
        self._insert(CommentReport, REPORT_COLUMNS, reports)
        return len(rows), len(reports)

    def _statuses(self, plan, featured):
        rng = self.rng
        if featured:
            statuses = (
                ["approved"] * FEATURED_APPROVED
                + ["rejected"] * FEATURED_REJECTED
                + ["spam"] * FEATURED_SPAM
                + rng.choices(
                    ("pending", "rejected", "spam"), (0.4, 0.35, 0.25), k=self.featured_extra
                )
            )
            rng.shuffle(statuses)
            # The newest comments are the ones still waiting.
            return statuses + ["pending"] * FEATURED_PENDING
        values, weights = zip(*COMMENT_STATUSES, strict=True)
        return rng.choices(values, weights, k=plan.comments)

    def _comments_for(self, article_id, plan, ids, rows, reports, *, featured):
        rng, now = self.rng, self.now
        start = plan.published_at
        end = min(now, plan.expires_at) if plan.expires_at else now
        window = max(60.0, (end - start).total_seconds() - 60)
        count = plan.comments
        # Most comments come in the first days; some arrive much later.
        offsets = []
        for _ in range(count):
            offset = rng.expovariate(1 / 129600) if rng.random() < 0.85 else rng.random() * window
            offsets.append(offset if offset < window else rng.random() * window)
        offsets.sort()
        statuses = self._statuses(plan, featured)
        other = "ru" if plan.language == "en" else "en"
        reply_targets = []  # (id, depth) of the approved comments a reply may answer
        for position in range(count):
            comment_id = next(ids)
            status = statuses[position]
            created_at = start + datetime.timedelta(seconds=offsets[position] + position * 1e-3)
            language = other if rng.random() < COMMENTS_PER_LANGUAGE_SWITCH else plan.language
            commenter = rng.choices(
                self.commenters[language], cum_weights=self.commenter_weights[language]
            )[0]
            parent_id, depth = None, 0
            if reply_targets and status != "spam" and rng.random() < REPLY_SHARE:
                # Replies mostly answer one of the latest comments.
                parent_id, parent_depth = reply_targets[
                    -1 - int(rng.random() ** 2 * len(reply_targets))
                ]
                depth = parent_depth + 1
            if status == "spam":
                body = rng.choice(self.writers[language].spam)
                hold_reasons = HOLD_HONEYPOT if rng.random() < 0.7 else []
            else:
                body = prose.comment_text(rng, self.sentence_pools[language])
                hold_reasons = self._hold_reasons(status)
            rejection_reason = ""
            moderated_at = moderated_by = flagged_at = None
            if status != "pending":
                moderated_at = min(
                    now, created_at + datetime.timedelta(seconds=rng.expovariate(1 / 10800))
                )
                if self.moderator_ids:
                    moderated_by = rng.choice(self.moderator_ids)
            if status == "rejected":
                rejection_reason = rng.choice(RejectionReason.values)
            elif status == "approved":
                if depth < Comment.MAX_DEPTH:
                    reply_targets.append((comment_id, depth))
                roll = rng.random()
                if roll < REPORTED_SHARE:
                    flagged_at = min(
                        now, moderated_at + datetime.timedelta(seconds=rng.expovariate(1 / 86400))
                    )
                    self._reports(comment_id, moderated_at, flagged_at, rng.randint(3, 5), reports)
                elif roll < REPORTED_SHARE + REPORTS_BELOW_THRESHOLD_SHARE:
                    reported_at = min(
                        now, moderated_at + datetime.timedelta(hours=rng.uniform(1, 48))
                    )
                    self._reports(comment_id, moderated_at, reported_at, rng.randint(1, 2), reports)
            ip_hashes = commenter.ip_hashes
            rows.append(
                (
                    comment_id,
                    article_id,
                    parent_id,
                    depth,
                    body,
                    commenter.name,
                    commenter.email,
                    None,
                    language,
                    ip_hashes[0] if len(ip_hashes) == 1 else rng.choice(ip_hashes),
                    # Random, but for the low bits, which hold the id: unique across runs.
                    uuid.UUID(int=rng.getrandbits(64) << 64 | comment_id, version=4),
                    status,
                    hold_reasons,
                    rejection_reason,
                    flagged_at,
                    created_at,
                    moderated_by,
                    moderated_at,
                )
            )

    def _hold_reasons(self, status):
        roll = self.rng.random()
        if status == "pending":
            if roll < 0.55:
                return HOLD_FIRST
            if roll < 0.7:
                return [{"code": "banned_word", "detail": self.rng.choice(HELD_WORDS)}]
            if roll < 0.78:
                return HOLD_DUPLICATE
            return []
        if status == "rejected" and roll < 0.2:
            return [{"code": "banned_word", "detail": self.rng.choice(HELD_WORDS)}]
        if roll < 0.08:
            return HOLD_FIRST
        return []

    def _reports(self, comment_id, since, until, count, reports):
        rng = self.rng
        span = max(1.0, (until - since).total_seconds())
        moments = sorted(
            since + datetime.timedelta(seconds=rng.random() * span) for _ in range(count)
        )
        moments[-1] = until
        reasons = CommentReport.Reason.values
        for moment in moments:
            reports.append(
                (comment_id, None, f"{rng.getrandbits(256):064x}", rng.choice(reasons), "", moment)
            )

    # --- Writing ----------------------------------------------------------------------------

    def _reserve_ids(self, model, count):
        """``count`` primary keys for rows written with their id: from the table's sequence
        on PostgreSQL (safe beside other writers), after the largest id elsewhere."""
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            largest = cursor.fetchone()[0]
        return list(range(largest + 1, largest + 1 + count))

    def _insert(self, model, columns, rows):
        if not rows:
            return
        if self.postgres:
            copy_rows(self.connection, model._meta.db_table, columns, rows)
        else:
            model.objects.using(self.using).bulk_create(
                (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=500
            )

    def _analyze(self):
        """Bring the planner's statistics (and, outside a transaction, the visibility map
        that index-only scans read) up to date for the tables written."""
        if not self.postgres:
            return
        tables = ", ".join(
            model._meta.db_table
            for model in (Article, ArticleAuthor, TaggedArticle, Comment, CommentReport)
        )
        with self.connection.cursor() as cursor:
            if self.connection.in_atomic_block:
                cursor.execute(f"ANALYZE {tables}")
            else:
                cursor.execute("SET maintenance_work_mem TO '256MB'")
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
                cursor.execute("RESET maintenance_work_mem")


def tag_name(word):
    """ "the Black Sea" files under "Black Sea"; tags start with a capital."""
    if word.startswith("the "):
        word = word[4:]
    return word[0].upper() + word[1:]


# --- COPY ------------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)


def copy_rows(connection, table, columns, rows):
    """Write ``rows`` (tuples in the order of ``columns``) into ``table`` with one COPY."""
    text = "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(text), size=1 << 20)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(text)


class SearchVectorRefresher:
    """Rebuilds the stored search vectors of the articles written, batch by batch, with the
    same SQL as saving an article does. Threaded, on a connection of its own, when the
    batches are committed as they go (outside a transaction): PostgreSQL then builds vectors
    on one core while Python writes comments on the other."""

    def __init__(self, using, *, threaded):
        self.using = using
        self.threaded = threaded
        self.updated = 0
        self.error = None
        if threaded:
            self.queue = queue.Queue()
            self.thread = threading.Thread(target=self._work, daemon=True)
            self.thread.start()

    def add(self, ids):
        if self.threaded:
            self.queue.put(ids)
        else:
            self._update(ids)

    def finish(self):
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
            if self.error is not None:
                raise self.error

    def _update(self, ids):
        articles = Article.objects.using(self.using).filter(pk__in=ids)
        self.updated += search.update_search_vectors(articles)

    def _work(self):
        try:
            while (ids := self.queue.get()) is not None:
                if self.error is None:
                    self._update(ids)
        except Exception as error:  # noqa: BLE001 - raised again in the main thread
            self.error = error
            while self.queue.get() is not None:
                pass
        finally:
            connections[self.using].close()
