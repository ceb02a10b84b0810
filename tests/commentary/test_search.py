"""Search: what readers find at /search/, in what order, with what snippets, on both databases.

Tests marked ``postgres`` exercise what only PostgreSQL does (stemming in English and Russian,
prefix matching, the trigram fallback, the stored vector kept up to date); the others run on
SQLite too, where the page works with a simpler case-insensitive match.
"""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from commentary import search
from commentary.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    DraftArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2024, 3, 5, 12, tzinfo=UTC)
SEARCH_URL = reverse("commentary:search")
PER_PAGE = search.RESULTS_PER_PAGE

# The pinned query counts of a search page for an anonymous reader. Each names its queries:
#   first and last year, columns, authors (the filters); count (on PostgreSQL with the ids of
#   the newest matches, ranked); the page of results with column, byline and tags (on
#   PostgreSQL with headline)
SEARCH_QUERIES = 5
#   the filters' three; full-text count (nothing); the trigram threshold set; authors whose
#   name looks like the query; trigram count; the page
FUZZY_SEARCH_QUERIES = 8
#   the same up to the trigram count, which finds nothing: no page to load
NOTHING_FOUND_QUERIES = 7


def get_search(client, **params):
    response = client.get(SEARCH_URL, params)
    assert response.status_code == 200
    return response


def found(response):
    return [article.title for article in response.context["results"]]


def page_text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def days_ago(days):
    return NOW - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


# --- The page -------------------------------------------------------------------------------


def test_empty_query_shows_a_prompt_and_runs_no_query(client, django_assert_num_queries):
    ArticleFactory(title="Sanctions on Russia")

    with django_assert_num_queries(0):
        response = get_search(client, q="   ")

    assertContains(response, "Type a word, a name or a phrase")
    assertNotContains(response, "Nothing found")
    assert list(response.context["results"]) == []


def test_search_pages_are_kept_out_of_search_engines(client):
    for params in ({}, {"q": "sanctions"}):
        assertContains(client.get(SEARCH_URL, params), '<meta name="robots" content="noindex">')


def test_every_page_has_a_labelled_search_box_in_its_header(client):
    response = client.get(reverse("commentary:home"))

    assertContains(response, f'<form class="site-search" role="search" action="{SEARCH_URL}"')
    assertContains(response, '<label for="site-search-query"')
    assertContains(response, 'id="site-search-query" type="search" name="q"')


def test_result_shows_kicker_title_byline_date_and_snippet(client):
    weitz = AuthorFactory(name="Richard Weitz", slug="richard-weitz")
    article = ArticleFactory(
        title="In Sochi, Xi and Putin Put China-Russia Ties on Display",
        column=ColumnFactory(name="Global Insights", slug="global-insights"),
        authors=[weitz],
        body="<p>The two leaders met in Sochi before the Winter Olympics opened.</p>",
        published_at=datetime.datetime(2014, 2, 11, 9, 30, tzinfo=UTC),
    )

    response = get_search(client, q="Olympics")

    assert found(response) == [article.title]
    assertContains(response, f'<a href="{article.get_absolute_url()}">{article.title}</a>')
    assertContains(response, f'<a href="{article.column.get_absolute_url()}">Global Insights</a>')
    assertContains(response, f'<a href="{weitz.get_absolute_url()}">Richard Weitz</a>')
    assertContains(response, '<time datetime="2014-02-11T09:30:00+00:00">')
    assertContains(response, "<mark>Olympics</mark>")
    assert "1 article found for “Olympics”." in page_text(response)
    assertContains(response, 'value="Olympics"')


def test_search_form_is_prefilled_with_the_query_escaped(client):
    response = get_search(client, q='"Black Sea" <fleet>')

    assertContains(response, 'value="&quot;Black Sea&quot; &lt;fleet&gt;"')


def test_a_query_that_matches_nothing_says_nothing_found(client):
    ArticleFactory(title="Sanctions on Russia")

    response = get_search(client, q="Antarctica")

    assert found(response) == []
    assertContains(response, "Nothing found.")
    assert "No article matches “Antarctica”." in page_text(response)


def test_search_page_is_translated(client):
    with translation.override("ru"):
        url = reverse("commentary:search")
    ArticleFactory(title="Sanctions", tags=[TagFactory(name="Russia")])

    nothing = client.get(url, {"q": "Антарктида"})
    found_one = client.get(url, {"q": "sanctions"})

    assertContains(nothing, "<h1>Поиск</h1>")
    assertContains(nothing, "Ничего не найдено.")
    assert "Найдена 1 статья по запросу «sanctions»." in page_text(found_one)
    assertContains(found_one, ">Любой язык</option>")


HOSTILE_QUERIES = [
    pytest.param("x" * 5000, id="very-long"),
    pytest.param("?!.,;:()[]{}…—", id="only-punctuation"),
    pytest.param("'; DROP TABLE commentary_article; --", id="sql"),
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("'", id="lone-single-quote"),
    pytest.param('"', id="lone-double-quote"),
    pytest.param('"unclosed phrase', id="unclosed-phrase"),
    pytest.param("&|!:*", id="tsquery-operators"),
    pytest.param("& | !:* <-> ( ) :*", id="tsquery-syntax"),
    pytest.param("weather\x00report", id="nul-byte"),
    pytest.param("\x00\x01\x1f", id="control-characters"),
    pytest.param("-", id="lone-minus"),
    pytest.param("-sanctions", id="only-an-exclusion"),
    pytest.param("or or OR", id="only-or"),
    pytest.param("%_%", id="like-wildcards"),
    pytest.param("\\", id="backslash"),
    pytest.param("🙂🙂", id="emoji"),
    pytest.param("中文 ½:* ǅ cafe\u0301", id="other-scripts"),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_or_absurd_input_answers_nothing_found(client, query):
    ArticleFactory(title="Sanctions on Russia", body="<p>Sanctions bite.</p>")

    response = get_search(client, q=query)

    assert found(response) == []
    assertContains(response, "Nothing found.")
    assertNotContains(response, "<script>alert")


@pytest.mark.parametrize("raw", ["%ff%fe", "%00", "%ed%a0%80", "q=%"])
def test_undecodable_query_strings_answer_nothing_found(client, raw):
    ArticleFactory(title="Sanctions on Russia")

    response = client.get(f"{SEARCH_URL}?q={raw}")

    assert response.status_code == 200
    assert found(response) == []


def test_a_very_long_query_is_cut_to_200_characters(client):
    response = get_search(client, q="sanctions " * 100)

    assert response.context["query"] == ("sanctions " * 20).strip()
    assert len(get_search(client, q="x" * 5000).context["query"]) == search.MAX_QUERY_LENGTH


def test_snippet_shows_markup_in_the_body_as_text_and_marks_only_the_match(client):
    ArticleFactory(
        title="A note on formatting",
        summary="",
        body="<p>Editors wrote &lt;b&gt;bold&lt;/b&gt; and &lt;script&gt; about sanctions.</p>",
    )

    response = get_search(client, q="sanctions")

    snippet = str(response.context["results"][0].snippet)
    assert "<mark>sanctions</mark>" in snippet
    assert "&lt;b&gt;" in snippet
    assert "<b>" not in snippet and "<script>" not in snippet
    assertContains(response, "<mark>sanctions</mark>")
    assertNotContains(response, "<b>bold")


# --- What is found, and in what order -------------------------------------------------------


def test_title_match_ranks_above_body_only_match(client):
    body_only = ArticleFactory(
        title="A quiet week in Brussels",
        body="<p>Talk of pipelines filled the corridors.</p>",
        published_at=days_ago(1),
    )
    in_title = ArticleFactory(
        title="Pipelines and power",
        body="<p>Gas still flows west.</p>",
        published_at=days_ago(30),
    )

    response = get_search(client, q="pipelines")

    assert found(response) == [in_title.title, body_only.title]


def test_summary_and_tags_and_column_name_are_searched(client):
    by_summary = ArticleFactory(title="One", summary="On the Arctic Council.")
    by_tag = ArticleFactory(title="Two", tags=[TagFactory(name="Arctic")])

    response = get_search(client, q="arctic")

    assert set(found(response)) >= {by_summary.title}
    if connection.vendor == "postgresql":  # tags and columns are in the stored vector only
        assert set(found(response)) == {by_summary.title, by_tag.title}


def test_phrase_query_needs_the_words_together(client):
    together = ArticleFactory(title="One", body="<p>The Black Sea fleet sailed.</p>")
    ArticleFactory(title="Two", body="<p>Black smoke rose over the sea.</p>")

    response = get_search(client, q='"Black Sea"')

    assert found(response) == [together.title]
    assert found(get_search(client, q="«Black Sea»")) == [together.title]


def test_minus_excludes_a_word(client):
    kept = ArticleFactory(title="Sanctions and oil")
    ArticleFactory(title="Sanctions and Crimea")

    response = get_search(client, q="sanctions -Crimea")

    assert found(response) == [kept.title]


def test_drafts_scheduled_and_expired_articles_are_never_found(client):
    public = ArticleFactory(title="Sanctions, public")
    DraftArticleFactory(title="Sanctions, draft")
    ArticleFactory(title="Sanctions, in review", status=Article.Status.IN_REVIEW)
    ArticleFactory(title="Sanctions, scheduled", published_at=NOW + datetime.timedelta(hours=1))
    ArticleFactory(title="Sanctions, expired", published_at=days_ago(10), expires_at=days_ago(1))

    response = get_search(client, q="sanctions")

    assert found(response) == [public.title]


# --- Filters and pages ----------------------------------------------------------------------


@pytest.fixture
def filterable():
    """Two articles on sanctions that differ in column, author, tag, language and year."""
    column, author, tag = ColumnFactory(slug="global-insights"), AuthorFactory(), TagFactory()
    first = ArticleFactory(
        title="Sanctions, 2023, English",
        column=column,
        authors=[author],
        tags=[tag],
        published_at=datetime.datetime(2023, 5, 1, tzinfo=UTC),
    )
    second = ArticleFactory(
        title="Sanctions, 2024, Russian",
        body="<p>Sanctions и санкции.</p>",
        language=Article.Language.RUSSIAN,
        published_at=datetime.datetime(2024, 1, 10, tzinfo=UTC),
    )
    return {
        "column": (column.slug, first),
        "author": (author.slug, first),
        "tag": (tag.slug, first),
        "language": ("ru", second),
        "year": ("2024", second),
    }


@pytest.mark.parametrize("name", ["column", "author", "tag", "language", "year"])
def test_a_filter_narrows_the_results(client, filterable, name):
    value, expected = filterable[name]

    response = get_search(client, q="sanctions", **{name: value})

    assert found(response) == [expected.title]


@pytest.mark.parametrize(
    "params",
    [
        {"column": "no-such-column"},
        {"author": "'; drop table"},
        {"tag": "no-such-tag"},
        {"tag": "<script>"},
        {"language": "fr"},
        {"year": "1800"},
        {"year": "twenty"},
        {"year": "9" * 40},
        {"page": "many"},
        {"page": "999"},
    ],
)
def test_invalid_filter_values_are_ignored(client, filterable, params):
    response = get_search(client, q="sanctions", **params)

    assert len(found(response)) == 2


def test_filters_offer_columns_authors_languages_and_years(client, filterable):
    response = get_search(client, q="sanctions", year="2024")

    assertContains(response, '<option value="global-insights">')
    assertContains(response, '<option value="ru">Russian</option>')
    assertContains(response, '<option value="2024" selected>2024</option>')
    assertContains(response, '<option value="2023">2023</option>')


def test_filters_show_names_escaped_and_the_chosen_author_selected(client):
    author = AuthorFactory(name="Bell & <Ross>", slug="bell-ross")
    ArticleFactory(title="Sanctions", authors=[author])

    response = get_search(client, q="sanctions", author="bell-ross")

    assertContains(response, '<option value="bell-ross" selected>Bell &amp; &lt;Ross&gt;</option>')
    assertContains(response, '<option value="">All authors</option>')
    assert found(response) == ["Sanctions"]


def test_tags_in_results_link_to_the_same_search_narrowed_to_the_tag(client):
    tag = TagFactory(name="Russia", slug="russia")
    ArticleFactory(title="Sanctions", tags=[tag])

    response = get_search(client, q="sanctions", year="1800")

    assertContains(response, 'href="?q=sanctions&amp;tag=russia"')


def test_results_come_ten_a_page_and_pages_keep_the_query_and_filters(client):
    for day in range(1, 24):
        ArticleFactory(title=f"Sanctions, day {day}", published_at=days_ago(day))

    first = get_search(client, q="sanctions", language="en")
    third = get_search(client, q="sanctions", language="en", page="3")

    assert found(first) == [f"Sanctions, day {day}" for day in range(1, 11)]
    assert found(third) == [f"Sanctions, day {day}" for day in range(21, 24)]
    assert first.context["paginator"].count == 23
    assertContains(first, 'href="?q=sanctions&amp;language=en&amp;page=2"')
    assertContains(third, '<ol class="search-results" start="21">')


@pytest.mark.parametrize("n", [pytest.param(1, id="one"), pytest.param(30, id="thirty")])
def test_search_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for index in range(n):
        ArticleFactory(
            title=f"Sanctions, part {index}",
            column=ColumnFactory(),
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[TagFactory(), TagFactory()],
        )

    with django_assert_num_queries(SEARCH_QUERIES):
        response = get_search(client, q="sanctions")

    assert len(found(response)) == min(n, PER_PAGE)


def test_query_with_nothing_to_search_runs_only_the_filters_queries(
    client, django_assert_num_queries
):
    with django_assert_num_queries(3):
        response = get_search(client, q="&|!:*")

    assertContains(response, "Nothing found.")


# --- Parsing and snippets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("Soch", ("", "Soch", False)),
        ("Russia Soch", ("Russia", "Soch", False)),
        ("Russia or Soch", ("Russia", "Soch", True)),
        ("So", None),
        ('"Black Sea"', None),
        ('"Black Sea', None),
        ("sanctions -Crimea", None),
        ("Russia or", None),
        ("Soch,", None),
    ],
)
def test_the_last_plain_word_is_also_matched_as_a_prefix(text, prefix):
    assert search.ParsedQuery(text).prefix == prefix


def test_clean_query_removes_control_characters_and_cuts_long_queries():
    assert search.clean_query("  war\x00 and\tpeace \n") == "war and peace"
    assert search.clean_query("«Чёрное море» “Black Sea”") == '"Чёрное море" "Black Sea"'
    assert len(search.clean_query("a" * 1000)) == search.MAX_QUERY_LENGTH


def test_simple_terms_keep_phrases_and_exclusions():
    query = search.ParsedQuery('"Black  Sea" fleet, -Crimea or Sochi')

    assert query.simple_terms == (["Black Sea", "fleet", "Sochi"], ["Crimea"])


def test_text_snippet_escapes_then_marks_the_first_match():
    body = "<p>" + "word " * 60 + "the &lt;b&gt; Sanctions regime " + "word " * 80 + "</p>"

    snippet = search.text_snippet(body, ["sanctions"])

    assert "&lt;b&gt; <mark>Sanctions</mark> regime" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")


def test_text_snippet_without_a_match_gives_the_summary_escaped():
    assert search.text_snippet("<p>Body</p>", ["x"], summary="A <b> summary") == (
        "A &lt;b&gt; summary"
    )


def test_marked_up_headline_keeps_only_mark_as_markup():
    assert search.marked_up("a <mark>b</mark> <i>c</i> &lt;d&gt;") == (
        "a <mark>b</mark> &lt;i&gt;c&lt;/i&gt; &lt;d&gt;"
    )


# --- PostgreSQL: language-aware matching, prefixes, the fallback ----------------------------


@pytest.mark.postgres
def test_russian_query_finds_other_forms_of_the_word_in_a_russian_article(client):
    article = ArticleFactory(
        title="Новый пакет",
        summary="",
        body="<p>Европа готовит новые санкции против России.</p>",
        language=Article.Language.RUSSIAN,
    )

    response = get_search(client, q="санкциями")

    assert found(response) == [article.title]
    assert "<mark>санкции</mark>" in str(response.context["results"][0].snippet)


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["sanctions", "sanction", "sanctioned"])
def test_english_query_finds_other_forms_of_the_word(client, query):
    article = ArticleFactory(title="Washington's new sanction on Moscow")

    assert found(get_search(client, q=query)) == [article.title]


@pytest.mark.postgres
def test_last_word_matches_as_a_prefix(client):
    article = ArticleFactory(title="Xi and Putin meet in Sochi")

    response = get_search(client, q="Soch")

    assert found(response) == [article.title]
    assert response.context["fuzzy"] is False
    assert found(get_search(client, q="Putin Soch")) == [article.title]
    assert found(get_search(client, q="Putin Soch -meet")) == []


@pytest.mark.postgres
def test_misspelt_author_name_falls_back_to_similar_names(client):
    weitz = AuthorFactory(name="Richard Weitz")
    article = ArticleFactory(title="China-Russia ties", authors=[weitz])
    ArticleFactory(title="Other", authors=[AuthorFactory(name="Anne Applebaum")])

    response = get_search(client, q="Weits")

    assert found(response) == [article.title]
    assert response.context["fuzzy"] is True
    assertContains(response, "No article contains these words")


@pytest.mark.postgres
def test_misspelt_title_word_falls_back_to_similar_titles(client):
    article = ArticleFactory(title="In Sochi, Xi and Putin Put China-Russia Ties on Display")

    response = get_search(client, q="Sotchi")

    assert found(response) == [article.title]
    assert response.context["fuzzy"] is True


@pytest.mark.postgres
def test_fallback_does_not_bring_back_what_a_query_excludes(client):
    ArticleFactory(title="Sanctions near Sochi")

    assert found(get_search(client, q="sanctions -Sochi")) == []


@pytest.mark.postgres
def test_full_text_results_are_not_mixed_with_fallback_results(client):
    exact = ArticleFactory(title="Sochi summit")
    ArticleFactory(title="Other", authors=[AuthorFactory(name="Sochi Sochinsky")], body="x")

    response = get_search(client, q="summit")

    assert found(response) == [exact.title]
    assert response.context["fuzzy"] is False


@pytest.mark.postgres
def test_when_many_match_only_the_newest_are_ranked_and_older_matches_follow_by_date(
    monkeypatch,
):
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    body = "<p>Talk of pipelines.</p>"
    newest_in_body = ArticleFactory(title="One", body=body, published_at=days_ago(1))
    in_title = ArticleFactory(title="Pipelines ahead", body=body, published_at=days_ago(2))
    third_in_body = ArticleFactory(title="Three", body=body, published_at=days_ago(3))
    older_in_body = ArticleFactory(title="Four", body=body, published_at=days_ago(50))
    oldest_in_title = ArticleFactory(title="Pipelines", body=body, published_at=days_ago(100))

    results = search.ArticleSearch("pipelines")

    assert results.count() == 5
    assert results[0:10] == [
        in_title,
        newest_in_body,
        third_in_body,
        older_in_body,
        oldest_in_title,
    ]
    assert results[2:4] == [third_in_body, older_in_body]
    assert results[3:5] == [older_in_body, oldest_in_title]
    assert "<mark>pipelines</mark>" in results[4:5][0].snippet


@pytest.mark.postgres
@pytest.mark.parametrize("n", [pytest.param(1, id="one"), pytest.param(30, id="thirty")])
def test_fallback_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for index in range(n):
        ArticleFactory(title=f"Sochi summit {index}", column=ColumnFactory(), tags=[TagFactory()])

    with django_assert_num_queries(FUZZY_SEARCH_QUERIES):
        response = get_search(client, q="Sotchi")

    assert len(found(response)) == min(n, PER_PAGE)


@pytest.mark.postgres
def test_nothing_found_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    ArticleFactory(title="Sanctions")

    with django_assert_num_queries(NOTHING_FOUND_QUERIES):
        response = get_search(client, q="Antarctica")

    assertContains(response, "Nothing found.")


# --- PostgreSQL: the stored vector follows the article --------------------------------------


def stored_vector(article):
    return Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)


@pytest.mark.postgres
def test_vector_is_weighted_and_built_in_the_articles_language():
    article = ArticleFactory(
        title="Санкции",
        summary="Сводка",
        body="<p>Против <strong>России</strong></p>",
        column=ColumnFactory(name="Колонка"),
        tags=[TagFactory(name="Экономика")],
        language=Article.Language.RUSSIAN,
    )

    vector = stored_vector(article)

    for lexeme in ("'санкц':1A", "'сводк':2B", "'колонк'", "'экономик'", "'росс'"):
        assert lexeme in vector
    assert "strong" not in vector


@pytest.mark.postgres
def test_vector_is_rebuilt_when_the_article_is_saved(client):
    article = ArticleFactory(title="Pipelines")

    article.title = "Icebreakers"
    article.save()

    assert found(get_search(client, q="icebreakers")) == ["Icebreakers"]
    assert found(get_search(client, q="pipelines")) == []


@pytest.mark.postgres
def test_a_save_of_other_fields_leaves_the_vector_alone(django_assert_num_queries):
    article = ArticleFactory(title="Pipelines")

    with django_assert_num_queries(1):
        article.save(update_fields=["comments_enabled"])


@pytest.mark.postgres
def test_vector_is_rebuilt_when_tags_change(client):
    article = ArticleFactory(title="One")
    tag = TagFactory(name="Hydropolitics")

    article.tags.add(tag)
    assert found(get_search(client, q="hydropolitics")) == ["One"]

    article.tags.remove(tag)
    assert found(get_search(client, q="hydropolitics")) == []

    article.tags.add(tag)
    article.tags.clear()
    assert found(get_search(client, q="hydropolitics")) == []


@pytest.mark.postgres
def test_vector_is_rebuilt_when_its_column_or_tag_is_renamed(client):
    column, tag = ColumnFactory(name="Global Insights"), TagFactory(name="Energy")
    ArticleFactory(title="One", column=column, tags=[tag])

    column.name = "Frontier Notes"
    column.save()
    tag.name = "Hydrocarbons"
    tag.save()

    assert found(get_search(client, q="frontier")) == ["One"]
    assert found(get_search(client, q="hydrocarbons")) == ["One"]
    assert found(get_search(client, q="insights")) == []


@pytest.mark.postgres
def test_vector_follows_a_tag_merge(client, editor):
    from commentary.services import tag_merge

    source, target = TagFactory(name="Hydropolitics"), TagFactory(name="Water")
    ArticleFactory(title="One", tags=[source])

    tag_merge(source=source, target=target, user=editor)

    assert found(get_search(client, q="water")) == ["One"]
    assert found(get_search(client, q="hydropolitics")) == []


@pytest.mark.postgres
def test_rebuild_search_index_rebuilds_every_vector(client):
    ArticleFactory.create_batch(3, title="One", body="<p>Pipelines.</p>")
    DraftArticleFactory(title="Two", body="<p>Pipelines.</p>")
    Article.objects.update(search_vector=None)
    assert found(get_search(client, q="pipelines")) == []

    out = io.StringIO()
    call_command("rebuild_search_index", batch_size=2, stdout=out)

    assert "Rebuilt the search vectors of 4 articles." in out.getvalue()
    assert len(found(get_search(client, q="pipelines"))) == 3
    assert not Article.objects.filter(search_vector=None).exists()


def test_rebuild_search_index_says_what_it_did():
    ArticleFactory()
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    if connection.vendor == "postgresql":
        assert "Rebuilt the search vectors of 1 articles." in out.getvalue()
    else:
        assert "the search index is kept on PostgreSQL only" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "name", ["article_public_ids", "article_newest_first", "article_summary_upper_trigram"]
)
def test_the_archives_indexes_exist(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()

    assert row is not None
    assert "commentary_article" in row[0]
