"""Search over the public articles: the stored index, query parsing, matching and snippets.

PostgreSQL.  Each article stores a weighted ``tsvector`` (``Article.search_vector``): title A,
summary B, tags and column name C, body (HTML tags stripped) D, built with the text search
configuration of the article's language (``english`` or ``russian``), so "санкциями" finds
"санкции" and "sanction" finds "sanctions".  :func:`update_search_vectors` rebuilds it in one
UPDATE; the signal handlers call it when an article is saved or its tags change, and the
``rebuild_search_index`` command rebuilds everything.

A reader's query is read by ``websearch_to_tsquery`` (quoted phrases, ``-exclusions``, ``or``),
and its last word also matches as a prefix (``to_tsquery('soch:*')``), so "Soch" finds "Sochi"
while the reader is still typing.  The query is built once per configuration and an article
matches ``search_vector @@ (q_english || q_russian)``: one condition, one GIN index scan, and
each article's lexemes (made with its own language's configuration) meet the query made with
the same configuration (for a query in Latin letters the two are the same, and only one is
used).  Results are ordered by ``ts_rank`` with the weights above, then newest first; ranking
reads every candidate's whole vector, so at most :data:`RANK_WINDOW` matches are ranked (the
newest, when more match; older matches follow, newest first).  Snippets come from
``ts_headline`` on the body.  When full-text search finds nothing, a fallback looks for titles
and author names that look like the query (pg_trgm ``word_similarity`` ≥ 0.3): "Weits" finds
Richard Weitz, "Sotchi" finds Sochi.

SQLite (development).  The same page works with a simpler match: every word (or quoted
phrase) must occur, case-insensitively, in the title, summary or body; ``-word`` excludes;
title matches come first.  SQLite folds the case of ASCII letters only.

Only ``Article.objects.published()`` is ever searched.
"""

import html
import re
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .models import Article, ArticleAuthor, Author, Column, Tag, TaggedArticle

# A longer query is cut to this many characters (no one types more; a bot may).
MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10
# The last word matches as a prefix from this length on: shorter prefixes match too much.
MIN_PREFIX_LENGTH = 3
# Title or author name similarity (pg_trgm word_similarity) that the fallback accepts, and the
# fewest letters a query needs for the fallback to try it.
TRIGRAM_THRESHOLD = 0.3
MIN_FUZZY_LETTERS = 3
# At most this many words or phrases of a query are matched on SQLite.
MAX_SIMPLE_TERMS = 10
# ts_rank weights, in PostgreSQL's order {D, C, B, A}: body, tags and column, summary, title.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# At most this many matches are ranked by relevance (the newest ones, when more match): each
# one ranked costs a read of its whole vector. A multiple of RESULTS_PER_PAGE.
RANK_WINDOW = 500
HEADLINE_OPTIONS = {"start_sel": "<mark>", "stop_sel": "</mark>", "max_fragments": 2}
SNIPPET_WORDS = 40
SNIPPET_CONTEXT_CHARS = 120

CONFIGS = {Article.Language.ENGLISH: "english", Article.Language.RUSSIAN: "russian"}

# Control characters (NUL included: PostgreSQL refuses it in text) become spaces.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W_]+")
_LAST_WORD = re.compile(r"(?:^|\s)([^\W_]+)$")
_SIMPLE_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_TERM_EDGES = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum()) + "«»“”„‘’…—–"
_PLAIN_QUOTES = str.maketrans(dict.fromkeys("«»“”„", '"'))
_TAG = re.compile(r"<[^>]*>")
_MARK = re.compile(r"(</?mark>)")


def clean_query(text):
    """The reader's query as it is searched and shown again: control characters and NUL bytes
    removed, typographic quotes made plain (so «…» and “…” mark phrases too), whitespace
    collapsed, cut to :data:`MAX_QUERY_LENGTH` characters."""
    text = (text or "").encode("utf-8", "ignore").decode("utf-8")  # lone surrogates
    text = _CONTROL_CHARACTERS.sub(" ", text).translate(_PLAIN_QUOTES)
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH].rstrip()


@dataclass(frozen=True)
class ParsedQuery:
    """A cleaned query and the parts each way of matching needs."""

    text: str

    @cached_property
    def words(self):
        """Its words, without any operator or punctuation."""
        return _WORD.findall(self.text)

    @property
    def searchable(self):
        """Whether there is something to look for: a word or phrase that is not excluded (a
        query of exclusions alone would match nearly everything)."""
        return bool(self.simple_terms[0])

    @property
    def fuzzy_text(self):
        """What the trigram fallback compares with titles and names: the words alone."""
        return " ".join(self.words)

    @property
    def allows_fuzzy(self):
        """Whether the trigram fallback may run: not for a query that excludes words (what
        it left out must stay out), nor for one too short to compare."""
        included, excluded = self.simple_terms
        return not excluded and sum(len(word) for word in self.words) >= MIN_FUZZY_LETTERS

    @cached_property
    def prefix(self):
        """``(words before, last word, joined by "or")`` when the last word may be unfinished:
        a plain word of three letters or more, not inside a phrase and not excluded."""
        match = _LAST_WORD.search(self.text)
        if not match or self.text.count('"') % 2 or match.group(1).casefold() == "or":
            return None
        word = match.group(1)
        if len(word) < MIN_PREFIX_LENGTH:
            return None
        before = self.text[: match.start(1)].rstrip()
        alternative = before.casefold() == "or" or before.casefold().endswith(" or")
        if alternative:
            before = before[:-2].rstrip()
        return before, word, alternative

    def tsquery(self, config):
        """The query in text search configuration ``config``: websearch syntax, with the last
        word also matched as a prefix."""
        if self.prefix is None:
            return SearchQuery(self.text, search_type="websearch", config=config)
        before, word, alternative = self.prefix
        # ``word`` is letters and digits only: it cannot carry tsquery syntax.
        last = SearchQuery(f"{word}:*", search_type="raw", config=config)
        rest = SearchQuery(before, search_type="websearch", config=config)
        return rest | last if alternative else rest & last

    def combined_tsquery(self):
        return EitherLanguageQuery(self.tsquery(CONFIGS["en"]), self.tsquery(CONFIGS["ru"]))

    @cached_property
    def simple_terms(self):
        """``(included, excluded)`` words and quoted phrases, for the SQLite match."""
        included, excluded = [], []
        for match in _SIMPLE_TERM.finditer(self.text):
            if match.group(2) is not None:
                minus, term = match.group(1), " ".join(match.group(2).split())
            else:
                minus, term = match.group(3), match.group(4).strip(_TERM_EDGES)
                if term.casefold() == "or":
                    continue
            if term and _WORD.search(term):
                (excluded if minus else included).append(term)
        return included[:MAX_SIMPLE_TERMS], excluded[:MAX_SIMPLE_TERMS]


class EitherLanguageQuery(CombinedSearchQuery):
    """``english || russian``, or the English query alone when both read the same, as they do
    for a query in Latin letters (the ``russian`` configuration stems those in English): half
    the work for ``@@`` and ``ts_rank`` on every matching row. Constant, so PostgreSQL folds
    it once when it plans the query."""

    def __init__(self, english, russian):
        super().__init__(english, self.BITOR, russian, None)

    def as_sql(self, compiler, connection):
        english, english_params = compiler.compile(self.lhs)
        russian, russian_params = compiler.compile(self.rhs)
        sql = f"(CASE WHEN {english} = {russian} THEN {english} ELSE ({english} || {russian}) END)"
        params = [*english_params, *russian_params, *english_params]
        return sql, [*params, *english_params, *russian_params]


@dataclass(frozen=True)
class SearchFilters:
    """What a search is narrowed to; ``None`` (or ``""``) leaves a filter out."""

    column: Column | None = None
    author: Author | None = None
    tag: Tag | None = None
    language: str = ""
    year: int | None = None

    def apply(self, articles):
        if self.column is not None:
            articles = articles.filter(column=self.column)
        if self.author is not None:
            articles = articles.filter(article_authors__author=self.author)
        if self.tag is not None:
            articles = articles.filter(tagged_items__tag=self.tag)
        if self.language:
            articles = articles.filter(language=self.language)
        if self.year is not None:
            articles = articles.filter(published_at__year=self.year)
        return articles


def filter_options():
    """What the filters offer: every column and every author as ``(id, slug, name)``, and the
    years from the first public article to the latest, newest first (three queries)."""
    bounds = Article.objects.published().aggregate(
        first=Min("published_at"), last=Max("published_at")
    )
    years = []
    if bounds["first"] is not None:
        years = list(range(bounds["last"].year, bounds["first"].year - 1, -1))
    # Rows rather than instances: the authors are hundreds, and only the chosen one is used.
    return {
        "columns": list(Column.objects.order_by("name").values_list("pk", "slug", "name")),
        "authors": list(Author.objects.order_by("name").values_list("pk", "slug", "name")),
        "years": years,
    }


# --- The stored index (PostgreSQL) ------------------------------------------------------------


def search_config():
    """The text search configuration of each article's language, as an SQL expression."""
    return Case(
        When(language=Article.Language.RUSSIAN, then=Value(CONFIGS["ru"])),
        default=Value(CONFIGS["en"]),
        output_field=CharField(),
    )


def plain_body():
    """The body with its HTML tags replaced by spaces. The body is stored sanitised, so what
    is left is text in which ``<``, ``>`` and ``&`` are already escaped as entities."""
    return Func(
        F("body"),
        Value(_TAG.pattern),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def search_vector():
    """The weighted ``tsvector`` of each article, for ``update()``: title A, summary B, tag
    names and column name C, body D, in the configuration of the article's language."""
    config = search_config()
    tag_names = Subquery(
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names"),
        output_field=TextField(),
    )
    column_name = Subquery(Column.objects.filter(pk=OuterRef("column_id")).values("name")[:1])
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("summary", config=config, weight="B")
        + SearchVector(tag_names, column_name, config=config, weight="C")
        + SearchVector(plain_body(), config=config, weight="D")
    )


def uses_full_text(articles):
    return connections[articles.db].vendor == "postgresql"


def update_search_vectors(articles):
    """Rebuild the stored search vector of ``articles`` in one UPDATE statement and return
    how many were updated. Does nothing (and returns 0) on databases other than PostgreSQL."""
    if not uses_full_text(articles):
        return 0
    return articles.update(search_vector=search_vector())


# --- Searching ------------------------------------------------------------------------------


class ArticleSearch:
    """The public articles that match a reader's query, best first.

    Lazy, countable and sliceable, so Django's ``Paginator`` pages it: ``count()`` runs the
    count (and, when full-text search finds nothing, the trigram fallback's count), a slice
    loads one page with what a result shows (column, byline, tags) and gives each article a
    ``snippet``: safe HTML in which only ``<mark>`` is markup.  ``fuzzy`` tells whether the
    results come from the fallback.
    """

    ordered = True  # for Paginator: the results have an order of their own

    def __init__(self, text, *, filters=None, articles=None):
        self.query = ParsedQuery(clean_query(text))
        self.filters = filters or SearchFilters()
        base = articles if articles is not None else Article.objects.published()
        self.base = self.filters.apply(base)
        self.full_text = uses_full_text(self.base)
        self.fuzzy = False

    def __len__(self):
        return self.count()

    def count(self):
        return self._count

    @cached_property
    def _count(self):
        if not self.query.searchable:
            return 0
        count = self._survey["count"] if self.full_text else self._matches().count()
        if count == 0 and self.full_text and self.query.allows_fuzzy:
            set_word_similarity_threshold(self.base.db)
            count = self._similar().count()
            self.fuzzy = count > 0
        return count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        if self.count() == 0:
            return []
        if not self.full_text:
            articles = list(self._for_page(self._ordered_simple_matches())[key])
        elif self.fuzzy:
            articles = list(self._for_page(self._ordered_similar(self._similar()))[key])
        else:
            articles = self._full_text_page(key.start or 0, key.stop)
        for article in articles:
            article.snippet = self._snippet(article)
        return articles

    @staticmethod
    def _for_page(articles):
        """What a result shows (column, byline, tags) loaded with the page, in its one query."""
        return articles.for_page()

    # Matching.

    def _matches(self):
        if self.full_text:
            return self.base.filter(search_vector=self.query.combined_tsquery())
        included, excluded = self.query.simple_terms
        articles = self.base
        for term in included:
            articles = articles.filter(_contains(term))
        for term in excluded:
            articles = articles.exclude(_contains(term))
        return articles

    @cached_property
    def _survey(self):
        """One statement over the full-text matches: how many there are, and the ids of the
        newest :data:`RANK_WINDOW` of them in the order the page shows them, best first.

        The matches are read once (a materialised CTE of ids and dates: a bitmap scan of the
        GIN index and the rows it points to); only the window's rows are read again, by
        primary key, for their vectors."""
        matches = self._matches().order_by().values_list("pk", "published_at")
        connection = connections[matches.db]
        matches_sql, matches_params = matches.query.get_compiler(connection=connection).as_sql()
        rank_sql, rank_params = self._compile(
            SearchRank(F("search_vector"), self.query.combined_tsquery(), weights=RANK_WEIGHTS),
            connection,
        )
        table = connection.ops.quote_name(Article._meta.db_table)
        # Compiled SQL and a quoted table name: every value is a parameter.
        sql = (
            f"WITH matches (id, published_at) AS MATERIALIZED ({matches_sql}), "  # noqa: S608
            "newest AS (SELECT id, published_at FROM matches"
            " ORDER BY published_at DESC, id DESC LIMIT %s) "
            "SELECT (SELECT COUNT(*) FROM matches), ARRAY("
            f"SELECT newest.id FROM newest INNER JOIN {table} ON {table}.id = newest.id"
            f" ORDER BY {rank_sql} DESC, newest.published_at DESC, newest.id DESC)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*matches_params, RANK_WINDOW, *rank_params])
            count, ranked = cursor.fetchone()
        return {"count": count, "ranked": ranked}

    @staticmethod
    def _compile(expression, connection):
        query = Article.objects.all().query
        query.get_initial_alias()
        compiler = query.get_compiler(connection=connection)
        return compiler.compile(expression.resolve_expression(query))

    def _full_text_page(self, start, stop):
        """Results ``start`` to ``stop`` of a full-text search, best first.

        Ranking reads each candidate's whole stored vector, so it is bounded: when more than
        :data:`RANK_WINDOW` articles match, the newest ``RANK_WINDOW`` of them are ranked and
        come first, and the older matches follow, newest first. The ranked ones are loaded
        by id (still through ``published()`` and the filters), so the query's match (a
        phrase's, say) is not tested on them a second time."""
        ranked_ids = self._survey["ranked"]
        articles = []
        if start < len(ranked_ids):
            wanted = ranked_ids[start : min(stop, len(ranked_ids))]
            loaded = {
                article.pk: article
                for article in self._with_headline(self.base.filter(pk__in=wanted))
            }
            articles += [loaded[pk] for pk in wanted if pk in loaded]
        if stop > len(ranked_ids) and self.count() > len(ranked_ids):
            newest_first = ("-published_at", "-id")
            chosen = self._matches().order_by(*newest_first).values("pk")
            chosen = chosen[max(start, len(ranked_ids)) : stop]
            articles += self._with_headline(self._by_ids(chosen)).order_by(*newest_first)
        return articles

    def _with_headline(self, articles):
        headline = SearchHeadline(
            plain_body(), self.query.combined_tsquery(), config=search_config(), **HEADLINE_OPTIONS
        )
        return self._for_page(articles.annotate(headline=headline).defer("body", "search_vector"))

    def _ordered_simple_matches(self):
        included, _excluded = self.query.simple_terms
        in_title = Q()
        for term in included:
            in_title &= Q(title__icontains=term)
        return (
            self._matches()
            .annotate(
                title_match=Case(
                    When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()
                )
            )
            .defer("search_vector")
            .order_by("-title_match", "-published_at", "-id")
        )

    @cached_property
    def _similar_authors(self):
        """``{author id: word similarity}`` of the authors whose name looks like the query
        (one query; the authors' table is small)."""
        similarity = TrigramWordSimilarity(self.query.fuzzy_text, "name")
        return dict(
            Author.objects.using(self.base.db)
            .annotate(similarity=similarity)
            .filter(similarity__gte=TRIGRAM_THRESHOLD)
            .values_list("pk", "similarity")
        )

    def _similar(self):
        """Articles whose title, or an author's name, looks like the query (pg_trgm
        ``word_similarity`` ≥ :data:`TRIGRAM_THRESHOLD`): a union of two lookups, so that
        each one uses its index (the title's trigram index, the byline's author index)."""
        similar_titles = (
            Article.objects.using(self.base.db)
            .filter(title__trigram_word_similar=self.query.fuzzy_text)
            .order_by()
            .values("pk")
        )
        by_similar_authors = (
            ArticleAuthor.objects.using(self.base.db)
            .filter(author_id__in=list(self._similar_authors))
            .order_by()
            .values("article_id")
        )
        return self.base.filter(pk__in=similar_titles.union(by_similar_authors))

    def _by_ids(self, chosen):
        """The articles whose ids the subquery ``chosen`` picks (a page of results): they are
        chosen first, reading only what orders them, and only then read whole."""
        return Article.objects.using(self.base.db).filter(pk__in=chosen)

    def _ordered_similar(self, articles):
        """``articles``, the closest title or author name first; among equals, the newest."""
        closeness = [TrigramWordSimilarity(self.query.fuzzy_text, "title")]
        for author_id, similarity in self._similar_authors.items():
            byline = ArticleAuthor.objects.filter(article=OuterRef("pk"), author_id=author_id)
            closeness.append(
                Case(
                    When(Exists(byline), then=Value(similarity)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
        return (
            articles.annotate(
                similarity=Greatest(*closeness) if len(closeness) > 1 else closeness[0]
            )
            .defer("search_vector")
            .order_by("-similarity", "-published_at", "-id")
        )

    # Snippets.

    def _snippet(self, article):
        if self.full_text and not self.fuzzy:
            if "<mark>" in article.headline or not article.summary:
                return marked_up(article.headline)
            return escape(article.summary)
        included = [] if self.fuzzy else self.query.simple_terms[0]
        return text_snippet(article.body, included, summary=article.summary)


def set_word_similarity_threshold(using):
    """Make pg_trgm's ``<%`` / ``%>`` operators (which the trigram indexes serve) accept a
    word similarity of :data:`TRIGRAM_THRESHOLD`, on this connection; the default is 0.6."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TRIGRAM_THRESHOLD)],
        )


def _contains(term):
    return Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)


def marked_up(headline):
    """``ts_headline`` output as safe HTML with ``<mark>`` as its only markup.

    The headline is made from escaped text (the sanitised body with its tags stripped), so
    it holds entities, not markup; any ``<`` or ``>`` left outside the marks (from a
    stray attribute, say) is escaped here all the same."""
    parts = _MARK.split(headline or "")
    return mark_safe(  # noqa: S308 - escaped above, but for <mark>
        "".join(
            part
            if part in ("<mark>", "</mark>")
            else part.replace("<", "&lt;").replace(">", "&gt;")
            for part in parts
        ).strip()
    )


def text_snippet(body_html, terms, *, summary=""):
    """A snippet made in Python: the text around the first term found in the body, escaped,
    with that match in ``<mark>``; else the summary, else the opening words."""
    text = " ".join(html.unescape(strip_tags(body_html or "")).split())
    for term in terms:
        match = re.search(re.escape(term), text, re.IGNORECASE)
        if match:
            start, end = match.span()
            before = text[max(0, start - SNIPPET_CONTEXT_CHARS) : start]
            after = text[end : end + SNIPPET_CONTEXT_CHARS * 2]
            if start > SNIPPET_CONTEXT_CHARS:
                before = "… " + before.split(" ", 1)[-1] if " " in before else "… " + before
            if end + SNIPPET_CONTEXT_CHARS * 2 < len(text):
                after = after.rsplit(" ", 1)[0] + " …" if " " in after else after + " …"
            return mark_safe(  # noqa: S308 - every piece of text is escaped
                f"{escape(before)}<mark>{escape(match.group())}</mark>{escape(after)}"
            )
    if summary:
        return escape(summary)
    return escape(Truncator(text).words(SNIPPET_WORDS))


def results_page(results, number):
    """Page ``number`` of ``results`` (an :class:`ArticleSearch` or a list); a page number out
    of range or not a number gives the nearest page rather than an error."""
    return Paginator(results, RESULTS_PER_PAGE).get_page(number)
