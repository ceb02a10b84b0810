"""Moving a WordPress site here: :func:`wordpress_import` stores a parsed WXR export.

``commentary.wordpress.parse_wxr`` reads the file; this module maps what it read onto our
models. Decisions worth knowing:

Finding what was imported before (idempotency)
    Our models have no field for a WordPress id, and the importer stores nothing beyond the
    mapped fields. So an article is found by its **slug**: ``wp:post_name`` (percent-decoded
    by the parser), or ``slugify(title, allow_unicode=True)`` when WordPress has none yet (a
    draft), or ``wordpress-<post id>`` when neither gives a slug. An existing article with that
    slug is taken to be the same article and updated, whoever made it. A draft imported
    before WordPress gave it a name is found again only while the title slug matches the name
    WordPress later picks (WordPress derives it from the title, so it usually does).
    A **comment** is found by ``(article, author e-mail, date, text)`` as stored here: an
    existing one is left exactly as it is (a moderator may have decided it since), never
    updated. Running the same export twice therefore changes nothing and saves nothing.

WordPress owns the mapped fields
    A re-import brings title, body, summary, status, publication date, language, column and
    byline back in line with the export; edits made here to those fields before the last
    import are overwritten (the summary counts them as "updated"). Tags are only ever added.

Articles
    Title: tags stripped, entities decoded, and a leading "<Column>:" prefix removed when the
    post's column (or the WordPress category it came from) names it, because pages show the
    column before the title. Body: ``wordpress_html_to_paragraphs`` then ``sanitize_html``.
    Summary: the excerpt's text, else the first paragraph's, cut to 40 words. Status:
    publish → published at ``date_gmt``; future → ``default_status_for_future`` (published by
    default, so it is scheduled and goes live by itself at its date); draft and private →
    draft; pending → in review; anything else (trash, auto-draft ...) is skipped and
    counted. A published post without any date becomes a draft rather than being lost.
    Language: the post's language custom field when it is "en" or "ru" (region ignored:
    "ru_RU" is "ru"), else ``guess_language`` on title and text. ``created_by`` is ``user``
    on articles this run creates. Posts without a title or whose body is empty after
    sanitising are skipped and counted.

Authors
    The post's ``dc:creator`` login. Found by the slug made from the login ("anna.volkova" →
    "anna-volkova"), else by exactly the same name (an author the site already has), else
    created with name = display name (or first + last name, or the login). Only authors of
    imported posts are created, and never a user account.

Columns
    Without ``column_for_category`` a post's first category becomes its column (same name,
    slug from the WordPress category slug); with it, the post's first category found in the
    mapping gives the column named there, and unmapped categories give none. Columns are found
    by name, created when missing with our defaults (weekly, Tuesday, active) and the category
    description; an existing column is used as it is, except that the post's author is added
    to its authors. Only categories that imported posts use become columns, and WordPress's
    default "Uncategorized" category never does.

Comments
    Approved ("1") → approved, ``moderated_at`` = the comment's date, with a ModerationEvent
    (actor = ``user``, None from the command; note "imported from WordPress"). "0" → pending,
    in our moderation queue. Spam, trash and other states, pingbacks, trackbacks and other
    comment types are skipped and counted. The text is made plain: ``<a href="U">t</a>``
    becomes "t (U)", line breaks and paragraphs are kept, other tags dropped, entities decoded.
    Our rule is that comments carry no links, so a comment whose text has a link (or reads
    like one) is stored **pending**, whatever WordPress said, with one hold reason
    ``{"code": "imported_link", "detail": fragment}`` per fragment: never published with a
    link, never lost; a moderator decides. Only for that case the body's link validator is
    bypassed (every other field and rule is still validated); a comment failing any other rule
    (too short, too long) is skipped and counted. Blank name → "Anonymous"; blank or invalid
    e-mail → "unknown@example.invalid" (``.invalid`` is reserved and never delivers; the
    shorter "unknown@invalid" fails ``EmailField`` validation). Replies keep their parent;
    one deeper than ``Comment.MAX_DEPTH`` attaches to its deepest allowed ancestor, and a
    reply to a skipped comment attaches to that comment's nearest imported ancestor. An
    approved reply to a comment still pending stays hidden until its parent is approved (as
    for any thread here). No notification is sent for imported comments.
"""

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from ..html import sanitize_html
from ..links import check_links
from ..models import Article, ArticleAuthor, Author, Column, Comment, ModerationEvent, Tag
from ..revisions import revision
from ..wordpress import WxrComment, WxrPost, WxrSite, wordpress_html_to_paragraphs
from .articles import PUBLISH_PERMISSION, _assign, guess_language
from .comments import MODERATE_PERMISSION

IMPORT_NOTE = "imported from WordPress"
IMPORT_REVISION_COMMENT = "Imported from WordPress."
ANONYMOUS_NAME = "Anonymous"
UNKNOWN_EMAIL = "unknown@example.invalid"
LINK_HOLD_CODE = "imported_link"
# WordPress's default category: every post without a real one is filed there.
UNCATEGORIZED_SLUG = "uncategorized"

_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
    "pending": Article.Status.IN_REVIEW,
}
_TITLE_MAX = Article._meta.get_field("title").max_length
_SLUG_MAX = Article._meta.get_field("slug").max_length
_NAME_MAX = Comment._meta.get_field("author_name").max_length
_TAG_MAX = Tag._meta.get_field("name").max_length
_UNICODE_SLUG_RE = re.compile(r"[-\w]+")
_FIRST_PARAGRAPH_RE = re.compile(r"<p[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_ANCHOR_RE = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>""",
    re.IGNORECASE | re.DOTALL,
)
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_BREAK_RE = re.compile(r"</p\s*>\s*<p\b[^>]*>", re.IGNORECASE)


class WordpressImportError(ValueError):
    """The import cannot be done as asked: a column mapping that names no category, or a
    post our rules refuse as an article (the message names it); nothing is kept."""


@dataclass
class WordpressImportResult:
    """What one run did, counted by kind. ``skipped`` maps a reason to how many items."""

    articles_created: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    authors_created: int = 0
    authors_updated: int = 0
    authors_unchanged: int = 0
    columns_created: int = 0
    columns_updated: int = 0
    columns_unchanged: int = 0
    tags_created: int = 0
    tags_unchanged: int = 0  # tags the site already had
    comments_created: int = 0
    comments_pending: int = 0  # of those created: waiting in the moderation queue
    comments_held_for_links: int = 0  # of the pending ones: held because of a link
    comments_unchanged: int = 0  # imported before: left as they are
    skipped: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def wordpress_import(
    *,
    site: WxrSite,
    user=None,
    column_for_category: dict[str, str] | None = None,
    default_status_for_future: str = Article.Status.PUBLISHED,
) -> WordpressImportResult:
    """Create or update articles, authors, columns, tags and comments from a parsed export.

    ``column_for_category`` maps WordPress category names to our column names; ``None``
    turns every category a post is filed under first into a column of the same name.
    ``user`` (``None`` for the command line) must be allowed to publish articles and moderate
    comments, because the import does both. Running it twice changes nothing; see the module
    docstring for every mapping decision.
    """
    if user is not None and not (
        user.has_perm(PUBLISH_PERMISSION) and user.has_perm(MODERATE_PERMISSION)
    ):
        raise PermissionDenied("Only editors who moderate comments may import a site.")
    if default_status_for_future not in Article.Status.values:
        raise WordpressImportError(
            f"unknown status for scheduled posts: {default_status_for_future!r}"
        )
    if column_for_category is not None:
        known = {category.name for category in site.categories}
        known.update(name for post in site.posts for name in post.categories)
        unknown = sorted(set(column_for_category) - known)
        if unknown:
            names = ", ".join(f'"{name}"' for name in unknown)
            raise WordpressImportError(f"the export has no category named {names}")
    return _Importer(
        site=site,
        user=user,
        column_for_category=column_for_category,
        future_status=default_status_for_future,
    ).run()


@dataclass
class _Thread:
    """One article's comments while importing them."""

    article: Article
    existing: dict  # (author e-mail, date, text) -> Comment already stored
    by_wp_id: dict  # WordPress comment id -> WxrComment
    # WordPress comment id -> the stored comment its replies go under (None: top level).
    attach_to: dict = field(default_factory=dict)


class _Importer:
    def __init__(self, *, site, user, column_for_category, future_status):
        self.site = site
        self.user = user
        self.column_for_category = column_for_category
        self.future_status = future_status
        self.result = WordpressImportResult()
        self.skipped = Counter(site.skipped)  # items that are not posts, by post type
        self.wp_authors = {author.login: author for author in site.authors}
        self.category_slugs = {category.name: category.slug for category in site.categories}
        self.category_descriptions = {
            category.name: category.description for category in site.categories
        }
        # Outcome per object for the counts: "created" beats "updated" beats "unchanged".
        self.authors: dict[str, Author] = {}
        self.author_outcomes: dict[int, str] = {}
        self.columns: dict[str, Column] = {}
        self.column_outcomes: dict[int, str] = {}
        self.tag_outcomes: dict[str, str] = {}

    def run(self):
        for post in self.site.posts:
            self.import_post(post)
        result = self.result
        for kind, outcomes in (
            ("authors", self.author_outcomes),
            ("columns", self.column_outcomes),
        ):
            counts = Counter(outcomes.values())
            for outcome in ("created", "updated", "unchanged"):
                setattr(result, f"{kind}_{outcome}", counts[outcome])
        tag_counts = Counter(self.tag_outcomes.values())
        result.tags_created = tag_counts["created"]
        result.tags_unchanged = tag_counts["unchanged"]
        result.skipped = dict(sorted(self.skipped.items()))
        return result

    # --- articles ------------------------------------------------------------------------

    def import_post(self, post: WxrPost):
        status = self.future_status if post.status == "future" else _STATUSES.get(post.status)
        if status is None:
            self.skipped[f"{post.status} post"] += 1
            return
        title = _plain(post.title)
        if not title:
            self.skipped["untitled post"] += 1
            return
        body = sanitize_html(wordpress_html_to_paragraphs(post.content_html))
        if not _plain(body):
            self.skipped["empty post"] += 1
            return
        published_at = post.date_gmt
        if status == Article.Status.PUBLISHED and published_at is None:
            status = Article.Status.DRAFT

        author = self.author(post.creator_login)
        column, category = self.column(post)
        if column is not None:
            self.add_column_author(column, author)
        values = {
            "title": Truncator(_without_prefix(title, column, category)).chars(_TITLE_MAX),
            "column": column,
            "summary": _summary(post.excerpt, body),
            "body": body,
            "status": status,
            "published_at": published_at,
            "language": _language(post.language, f"{title} {_plain(body)}"),
        }
        slug = _article_slug(post, title)
        article = Article.objects.filter(slug=slug).first()
        created = article is None
        if created:
            article = Article(slug=slug, created_by=self.user)
        # One revision in the article's history per import that changes it; none otherwise.
        with revision(self.user, IMPORT_REVISION_COMMENT):
            changed = _assign(article, **values)
            if created or changed:
                try:
                    article.full_clean(exclude=["lead_image"])
                except ValidationError as error:
                    raise WordpressImportError(
                        f'post {post.wp_id} ("{title}"): {" ".join(error.messages)}'
                    ) from error
                article.save()
            bylines = list(article.article_authors.values_list("author_id", flat=True))
            if bylines != [author.pk]:
                article.article_authors.all().delete()
                ArticleAuthor.objects.create(article=article, author=author, position=0)
                changed = True
            changed |= self.add_tags(article, post.tags)
            if changed:
                # Again, now that the byline and tags the revision follows are in place.
                reversion.add_to_revision(article)

        if created:
            self.result.articles_created += 1
        elif changed:
            self.result.articles_updated += 1
        else:
            self.result.articles_unchanged += 1
        self.import_comments(article, post, created=created)

    def author(self, login):
        if login in self.authors:
            return self.authors[login]
        wp_author = self.wp_authors.get(login)
        name = login
        if wp_author is not None:
            full_name = f"{wp_author.first_name} {wp_author.last_name}".strip()
            name = wp_author.display_name or full_name or login
        name = " ".join(name.split())
        slug = _author_slug(login, name)
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.filter(name=name).first()
        if author is None:
            author = Author(name=name, slug=slug)
            author.full_clean()
            author.save()
            outcome = "created"
        elif author.slug == slug and _assign(author, name=name):
            author.full_clean()
            author.save()
            outcome = "updated"
        else:
            outcome = "unchanged"
        self.authors[login] = author
        self.author_outcomes[author.pk] = outcome
        return author

    def column(self, post):
        """The post's column and the WordPress category it came from, or (None, None)."""
        if self.column_for_category is None:
            categories = [
                name
                for name in post.categories
                if self.category_slugs.get(name, slugify(name)) != UNCATEGORIZED_SLUG
            ]
            if not categories:
                return None, None
            category = categories[0]
            column_name = category
        else:
            category = next((n for n in post.categories if n in self.column_for_category), None)
            if category is None:
                return None, None
            column_name = self.column_for_category[category]
        column_name = " ".join(column_name.split())
        if column_name in self.columns:
            return self.columns[column_name], category
        column = Column.objects.filter(name=column_name).first()
        if column is None:
            column = Column(
                name=column_name,
                slug=_column_slug(column_name, self.category_slugs.get(category, "")),
                description=(
                    self.category_descriptions.get(category, "") if column_name == category else ""
                ),
            )
            column.full_clean()
            column.save()
            self.column_outcomes[column.pk] = "created"
        else:
            self.column_outcomes[column.pk] = "unchanged"
        self.columns[column_name] = column
        return column, category

    def add_column_author(self, column, author):
        if column.authors.filter(pk=author.pk).exists():
            return
        column.authors.add(author)
        if self.column_outcomes[column.pk] == "unchanged":
            self.column_outcomes[column.pk] = "updated"

    def add_tags(self, article, names):
        names = [Truncator(" ".join(name.split())).chars(_TAG_MAX) for name in names]
        names = [name for name in names if name]
        for name in names:
            key = name.casefold()
            if key not in self.tag_outcomes:
                exists = Tag.objects.filter(name__iexact=name).exists()
                self.tag_outcomes[key] = "unchanged" if exists else "created"
        current = {tag.name.casefold() for tag in article.tags.all()}
        wanted = [name for name in names if name.casefold() not in current]
        if wanted:
            article.tags.add(*wanted)
        return bool(wanted)

    # --- comments ------------------------------------------------------------------------

    def import_comments(self, article, post, *, created):
        if not post.comments:
            return
        existing = {}
        if not created:
            for comment in article.comments.select_related("parent"):
                existing[(comment.author_email, comment.created_at, comment.body)] = comment
        thread = _Thread(
            article=article,
            existing=existing,
            by_wp_id={comment.wp_id: comment for comment in post.comments},
        )
        for wxr_comment in post.comments:
            # Import the unimported ancestors first, oldest first, so a reply always finds
            # its parent; a cycle in a damaged file ends the walk (the loop's top is a root).
            chain, seen = [], set()
            current = wxr_comment
            while (
                current is not None
                and current.wp_id not in thread.attach_to
                and current.wp_id not in seen
            ):
                chain.append(current)
                seen.add(current.wp_id)
                parent_id = current.parent_wp_id
                current = thread.by_wp_id.get(parent_id) if parent_id else None
            for item in reversed(chain):
                parent = thread.attach_to.get(item.parent_wp_id) if item.parent_wp_id else None
                stored = self.import_comment(item, thread, parent)
                thread.attach_to[item.wp_id] = stored if stored is not None else parent

    def import_comment(self, wxr: WxrComment, thread: _Thread, parent):
        """Store one comment under ``parent``; return it, or None when it is skipped."""
        if wxr.comment_type != "comment":
            self.skipped[wxr.comment_type] += 1
            return None
        if wxr.approval not in ("1", "0"):
            self.skipped[f"{wxr.approval or 'unknown'} comment"] += 1
            return None
        body = _comment_text(wxr.content)
        if not body:
            self.skipped["empty comment"] += 1
            return None
        email = _email(wxr.author_email)
        key = (email, wxr.date_gmt, body)
        if key in thread.existing:
            self.result.comments_unchanged += 1
            return thread.existing[key]

        while parent is not None and parent.depth >= Comment.MAX_DEPTH:
            parent = parent.parent
        found = check_links(body)
        holds = [
            {"code": LINK_HOLD_CODE, "detail": fragment}
            for fragment in [*found.links, *found.missing_spaces]
        ]
        approved = wxr.approved and not holds
        comment = Comment(
            article=thread.article,
            parent=parent,
            depth=0 if parent is None else parent.depth + 1,
            body=body,
            author_name=Truncator(" ".join(wxr.author_name.split())).chars(_NAME_MAX)
            or ANONYMOUS_NAME,
            author_email=email,
            language=thread.article.language,
            status=Comment.Status.APPROVED if approved else Comment.Status.PENDING,
            hold_reasons=holds,
            created_at=wxr.date_gmt,
            moderated_at=wxr.date_gmt if approved else None,
        )
        try:
            comment.full_clean(exclude=["parent", "user", "submission_key"])
        except ValidationError as error:
            # The link rule alone may be broken, and only by a comment held for it.
            if not (holds and _only_link_errors(error)):
                self.skipped["invalid comment"] += 1
                return None
        comment.save()
        if approved:
            ModerationEvent.objects.create(
                comment=comment,
                actor=self.user,
                action=ModerationEvent.Action.APPROVED,
                note=IMPORT_NOTE,
                created_at=wxr.date_gmt,
            )
        else:
            self.result.comments_pending += 1
            if holds:
                self.result.comments_held_for_links += 1
        self.result.comments_created += 1
        thread.existing[key] = comment
        return comment


# --- mapping helpers -----------------------------------------------------------------------


def _plain(value):
    """Text without tags or entities, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(value)).split())


def _without_prefix(title, column, category):
    """The title without a "Column:" prefix naming its column (or the source category)."""
    if column is None:
        return title
    for name in dict.fromkeys((column.name, category)):
        if name and title.casefold().startswith(name.casefold()):
            rest = title[len(name) :].lstrip()
            if rest.startswith(":") and rest[1:].strip():
                return rest[1:].strip()
    return title


def _article_slug(post, title):
    slug = post.slug
    if slug and not _UNICODE_SLUG_RE.fullmatch(slug):
        slug = slugify(slug, allow_unicode=True)
    if not slug:
        slug = slugify(title, allow_unicode=True)
    return slug[:_SLUG_MAX].strip("-") or f"wordpress-{post.wp_id}"


def _author_slug(login, name):
    slug = slugify(re.sub(r"[._@+]+", "-", login)) or slugify(name)
    if not slug:  # a login and name in a script slugify() drops (Author slugs are ASCII)
        slug = "author-" + hashlib.sha256(login.encode()).hexdigest()[:10]
    return slug[:200]


def _column_slug(name, category_slug):
    base = slugify(category_slug) or slugify(name) or "column"
    base = base[:190]
    slug, number = base, 1
    while Column.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _summary(excerpt, body):
    text = _plain(excerpt)
    if not text:
        first = _FIRST_PARAGRAPH_RE.search(body)
        text = _plain(first[1] if first else body)
    return Truncator(text).words(40)


def _language(value, text):
    code = re.split(r"[-_]", (value or "").strip().lower())[0]
    if code in Article.Language.values:
        return code
    return guess_language(text)


def _email(value):
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return UNKNOWN_EMAIL
    return email


def _comment_text(content):
    """WordPress comment HTML as our plain text; a link's address stays visible."""

    def anchor(match):
        href = html.unescape(match[1] or match[2] or match[3] or "").strip()
        label = _plain(match[4])
        if not href or href == label:
            return label or href
        return f"{label} ({href})" if label else href

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANCHOR_RE.sub(anchor, text)
    text = _BREAK_RE.sub("\n", text)
    text = _PARAGRAPH_BREAK_RE.sub("\n\n", text)
    text = html.unescape(strip_tags(text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _only_link_errors(error):
    errors = error.error_dict
    return set(errors) == {"body"} and all(
        item.code in ("link", "missing_space") for item in errors["body"]
    )
