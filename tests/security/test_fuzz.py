"""Property-based tests: whatever a reader or a file throws at the site, nothing answers 500.

Hypothesis generates the input; each test builds its data once with the factories and runs
every example against it (the database transaction is the test's, so it is shared). The
properties are about the answer's kind (status code, exception type), not its wording.
"""

import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from commentary import spam
from commentary.importing import ArticleParseError, ParsedArticle, parse_article
from commentary.links import LinkCheck, check_links, find_links
from commentary.models import Comment, TagRedirect
from tests.factories import ArticleFactory, AuthorFactory, ColumnFactory, TagFactory

pytestmark = pytest.mark.django_db

SEED_ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seed" / "global-insights-2014-02-11.txt"

fuzz = hypothesis_settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character but lone surrogates (which no UTF-8 request can carry), control characters
# and NUL included.
characters = st.characters(blacklist_categories=("Cs",))
nasty = st.sampled_from(list('\x00\r\n\t\u202e\ufeff<&"%/.\\'))
short_text = st.text(st.one_of(characters, nasty), max_size=300)
long_text = st.builds(
    lambda chunk, times: (chunk * times)[:20_000],
    st.text(st.one_of(characters, nasty), min_size=1, max_size=20),
    st.integers(min_value=100, max_value=20_000),
)
any_text = st.one_of(short_text, long_text)
reasonable_text = st.text(characters, max_size=200)


def fresh_form_token():
    """A token from a form shown a minute ago: neither too fast nor stale."""
    return spam.issue_form_token(now=time.time() - 60)


@pytest.fixture
def site():
    """Built once per test: Hypothesis runs every example of a test against it."""
    tag = TagFactory(name="Russia")
    author = AuthorFactory()
    column = ColumnFactory(authors=[author])
    article = ArticleFactory(title="Russia and China", authors=[author], column=column, tags=[tag])
    TagRedirect.objects.create(old_slug="russland", tag=tag)
    return {
        "article": article.slug,
        "tag": tag.slug,
        "author": author.slug,
        "column": column.slug,
        "objects": {"article": article},
    }


# --- 1. the comment form ------------------------------------------------------------------


@fuzz
@given(
    name=st.one_of(any_text, st.just("Careful Reader")),
    email=st.one_of(any_text, st.emails()),
    body=st.one_of(any_text, st.just("A fair point about the balance of power.")),
    honeypot=st.sampled_from(["", "", "x"]),
)
def test_comment_form_answers_a_redirect_or_a_form_with_errors_never_a_500(
    client, settings, site, name, email, body, honeypot
):
    settings.COMMENTS_RATE_LIMIT_COUNT = 10**6
    cache.clear()
    article = site["objects"]["article"]
    stored = Comment.objects.count()
    data = {
        "author_name": name,
        "author_email": email,
        "body": body,
        "website": honeypot,
        "form_token": fresh_form_token(),
    }

    response = client.post(article.get_absolute_url(), data)

    event(f"status {response.status_code}")
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        page = response.content.decode()
        assert "errorlist" in page
        assert Comment.objects.count() == stored


# --- 2. search ------------------------------------------------------------------------------

search_value = st.one_of(
    reasonable_text,
    st.sampled_from(["", "0", "-1", "2014", "99999999999999999999", "en", "ru", "russia"]),
)


@fuzz
@given(
    q=any_text,
    params=st.dictionaries(
        st.sampled_from(["column", "author", "tag", "language", "year", "page"]),
        search_value,
    ),
)
def test_search_answers_200_whatever_the_query_and_filters(client, site, q, params):
    response = client.get("/en/search/", {"q": q, **params})

    assert response.status_code == 200


# --- 3. every public URL parameter ------------------------------------------------------------


# URL name -> (the kind of slug it takes, its path with the slug left out).
SLUG_PAGES = {
    "article": ("article", "/en/articles/{}/"),
    "column": ("column", "/en/columns/{}/"),
    "author": ("author", "/en/authors/{}/"),
    "tag": ("tag", "/en/tags/{}/"),
    "feed_tag_rss": ("tag", "/en/tags/{}/feed/rss/"),
    "feed_column_json": ("column", "/en/columns/{}/feed/json/"),
    "feed_author_atom": ("author", "/en/authors/{}/feed/atom/"),
    "author_calendar": ("author", "/en/authors/{}/calendar.ics"),
}


def _url_for(name, slug):
    """``reverse()`` when the slug fits the URL's converter, else the raw, quoted path."""
    try:
        return reverse(f"commentary:{name}", kwargs={"slug": slug})
    except NoReverseMatch:
        return SLUG_PAGES[name][1].format(quote(slug, safe=""))


@fuzz
@given(
    name=st.sampled_from(sorted(SLUG_PAGES)),
    slug=reasonable_text,
    known=st.sampled_from(["no", "yes", "merged away"]),
)
def test_slug_pages_answer_200_301_or_404(client, site, name, slug, known):
    if known == "yes":
        slug = site[SLUG_PAGES[name][0]]
    elif known == "merged away":
        slug = "russland"

    response = client.get(_url_for(name, slug))

    event(f"status {response.status_code}")
    assert response.status_code in {200, 301, 404}


archive_number = st.one_of(
    st.integers(min_value=0, max_value=100_000),
    st.sampled_from(
        [0, 1, 12, 13, 2014, timezone.now().year, 9999, 10_000, 99_999, 10**18, 10**30]
    ),
)


@fuzz
@given(year=archive_number, month=st.none() | archive_number)
def test_archive_pages_answer_200_or_404_for_any_year_and_month(client, site, year, month):
    url = f"/en/archive/{year}/" if month is None else f"/en/archive/{year}/{month}/"

    response = client.get(url)

    event(f"status {response.status_code}")
    assert response.status_code in {200, 404}


LIST_PAGES = ["/en/", "/en/corrections/", "/en/archive/2014/"]


@fuzz
@given(which=st.integers(min_value=0, max_value=5), page=st.one_of(reasonable_text, archive_number))
def test_list_pages_answer_200_or_404_for_any_page_number(client, site, which, page):
    urls = [
        *LIST_PAGES,
        reverse("commentary:column", kwargs={"slug": site["column"]}),
        reverse("commentary:author", kwargs={"slug": site["author"]}),
        reverse("commentary:tag", kwargs={"slug": site["tag"]}),
    ]

    response = client.get(urls[which], {"page": str(page)})

    event(f"status {response.status_code}")
    assert response.status_code in {200, 404}


# --- 4. the import parser ---------------------------------------------------------------------


def _parses_or_refuses_in_one_line(text):
    try:
        result = parse_article(text)
    except ArticleParseError as error:
        event("refused")
        message = str(error)
        assert message and "\n" not in message and "\r" not in message
    else:
        event("parsed")
        assert isinstance(result, ParsedArticle)


@pytest.fixture(scope="module")
def seed_lines():
    if not SEED_ARTICLE.is_file():
        pytest.fail(f"{SEED_ARTICLE} is missing; the parser is fuzzed from it.", pytrace=False)
    return SEED_ARTICLE.read_text(encoding="utf-8").splitlines(keepends=True)


@fuzz
@given(text=any_text)
def test_parser_returns_an_article_or_a_one_line_error_for_any_text(text):
    _parses_or_refuses_in_one_line(text)


@fuzz
@given(data=st.data())
def test_parser_returns_an_article_or_a_one_line_error_for_a_mutated_seed(seed_lines, data):
    lines = list(seed_lines)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8), label="mutations")):
        if not lines:
            break
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1), label="line")
        action = data.draw(st.sampled_from(["delete", "duplicate", "substitute"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif lines[index]:
            line = lines[index]
            at = data.draw(st.integers(min_value=0, max_value=len(line) - 1), label="at")
            replacement = data.draw(st.one_of(characters, nasty), label="character")
            lines[index] = line[:at] + replacement + line[at + 1 :]

    _parses_or_refuses_in_one_line("".join(lines))


# --- 5. the link finder -------------------------------------------------------------------------

link_ish = st.lists(
    st.one_of(
        st.sampled_from(list("abcwxyz.:/@[]()<>-_ 0123456789")),
        st.sampled_from(["http", "www.", ".com", ".рф", "[dot]", " dot ", "\u3002", "xn--", "://"]),
        characters,
    ),
    max_size=60,
).map("".join)


@fuzz
@given(text=st.one_of(reasonable_text, link_ish, st.text(characters, max_size=2000)))
def test_found_links_are_fragments_of_the_text_as_written(text):
    links = find_links(text)
    checked = check_links(text)

    assert isinstance(links, list)
    assert all(isinstance(fragment, str) and fragment in text for fragment in links)
    assert isinstance(checked, LinkCheck)
    assert checked.links == links
    assert all(fragment in text for fragment in checked.missing_spaces)


@fuzz
@given(text=any_text)
def test_link_hint_answers_fragments_of_the_text_or_a_message_never_a_500(client, text):
    cache.clear()

    response = client.post(reverse("commentary:check_links"), {"text": text})

    event(f"status {response.status_code}")
    assert response.status_code in {200, 400}
    answer = response.json()
    assert all(fragment in text for fragment in answer["links"] + answer["missing_spaces"])
    if response.status_code == 400:
        assert answer["message"]


# --- 6. request bodies over the limit -----------------------------------------------------------


def test_request_body_limit_leaves_room_for_the_longest_comment():
    longest_comment = settings.COMMENTS_MAX_LENGTH * 4 * 3  # 4-byte characters, %-encoded
    assert longest_comment < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


def test_comment_post_over_the_body_limit_is_refused_with_400_and_nothing_stored():
    article = ArticleFactory()
    client = Client(raise_request_exception=True)
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(
        article.get_absolute_url(),
        {"author_name": "Reader", "author_email": "r@example.net", "body": body},
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()
