"""The page cache (commentary/page_cache.py): anonymous readers get whole pages from the cache,
never a stale one, never someone else's; signed-in readers and moderators never touch it.

Changes reach the cache when their transaction commits. The test database never commits, so
each change that readers should see is made inside ``committed()``, which runs the callbacks a
commit would run; a change made outside it stays *pending* (see the last section).
"""

import contextlib
import datetime
import re
from http.cookies import SimpleCookie
from unittest import mock
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date

from commentary import page_cache, related, services, spam
from commentary.models import Comment
from commentary.page_cache import PageCacheMiddleware, pages, versions
from commentary.page_cache.pages import set_csrf_cookie
from config import wsgi
from tests.commentary.test_query_counts import ARTICLE_QUERIES, COLUMN_QUERIES, HOME_QUERIES
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    CorrectionFactory,
    DraftArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2014, 2, 11, 9, 0, tzinfo=UTC)
HOUR = datetime.timedelta(hours=1)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
FORM_TOKEN_INPUT = re.compile(r'name="form_token" value="([^"]+)"')
# What differs between two readers of one page: their tokens.
PERSONAL = re.compile(r'(name="(?:csrfmiddlewaretoken|form_token)" value=)"[^"]+"')
# Made per response, not stored with the page.
PER_RESPONSE = {"X-Cache", "X-Request-ID", "Content-Length", "ETag", "Last-Modified"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` makes changes as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def piece(committed):
    """A public article in a column, with an author, a tag and an approved comment."""
    with committed():
        article = ArticleFactory(
            title="Pipelines across the Caspian",
            column=ColumnFactory(name="Global Insights"),
            authors=[AuthorFactory(name="Richard Weitz")],
            tags=[TagFactory(name="Energy")],
        )
        CommentFactory(article=article, approved=True, body="A first approved remark.")
    return article


def state(response):
    return response.headers.get("X-Cache")


def text(response):
    return response.content.decode()


def impersonal(response):
    """The page with the readers' own tokens blanked out."""
    return PERSONAL.sub(r'\1""', text(response))


def get_twice(client, url):
    """Visit ``url`` until it comes from the cache, and once more (with Redis, from this
    process's memory then: ``page_cache.local``); the answer of the visit that stored it."""
    first = client.get(url)
    assert first.status_code == 200, url
    assert state(first) == "miss", url
    assert state(client.get(url)) == "hit", url
    assert state(client.get(url)) == "hit", url
    return first


def fresh(client, url):
    """A visit after a change: rendered anew, not served from the cache."""
    response = client.get(url)
    assert state(response) == "miss", url
    return response


# --- hits and misses ---------------------------------------------------------------------------


def test_the_second_visit_is_served_from_the_cache_without_a_query(
    client, piece, django_assert_num_queries
):
    first = client.get(piece.get_absolute_url())

    with django_assert_num_queries(0):
        second = client.get(piece.get_absolute_url())

    assert (state(first), state(second)) == ("miss", "hit")
    assert "Pipelines across the Caspian" in text(second)
    assert impersonal(second) == impersonal(first)


def cacheable_urls(article):
    column, author, tag = article.column, article.ordered_authors[0], article.tags.get()
    year, month = article.published_at.year, article.published_at.month
    return [
        reverse("commentary:home"),
        article.get_absolute_url(),
        column.get_absolute_url(),
        author.get_absolute_url(),
        tag.get_absolute_url(),
        reverse("commentary:corrections"),
        reverse("commentary:archive_year", kwargs={"year": year}),
        reverse("commentary:archive_month", kwargs={"year": year, "month": month}),
        reverse("commentary:feed_site_rss"),
        reverse("commentary:feed_site_atom"),
        reverse("commentary:feed_site_json"),
        reverse("commentary:feed_language_rss", kwargs={"language": "en"}),
        reverse("commentary:feed_column_atom", kwargs={"slug": column.slug}),
        reverse("commentary:feed_author_rss", kwargs={"slug": author.slug}),
        reverse("commentary:feed_tag_json", kwargs={"slug": tag.slug}),
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
    ]


def test_every_public_page_feed_and_sitemap_is_cached(client, piece, django_assert_num_queries):
    for url in cacheable_urls(piece):
        first = client.get(url)
        assert (first.status_code, state(first)) == (200, "miss"), url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert state(second) == "hit", url
        assert impersonal(second) == impersonal(first), url


@pytest.mark.parametrize(
    "url",
    [
        "/en/search/?q=pipelines",
        "/en/accounts/log-in/",
        "/robots.txt",
        "/healthz",
    ],
)
def test_other_pages_are_not_cached(client, piece, url):
    client.get(url)

    assert state(client.get(url)) is None


def test_a_page_with_an_unknown_query_parameter_is_rendered_each_time(client, piece):
    url = f"{piece.get_absolute_url()}?reply_to=1"

    assert state(client.get(url)) == "bypass"
    assert state(client.get(url)) == "bypass"


def test_campaign_parameters_are_served_the_page_without_them(client, piece):
    get_twice(client, piece.get_absolute_url())

    response = client.get(piece.get_absolute_url(), {"utm_source": "newsletter", "fbclid": "x"})

    assert state(response) == "hit"


def test_each_page_of_a_list_is_a_page_of_its_own(client, committed, settings):
    with committed():
        for number in range(settings.ARTICLES_PER_PAGE + 1):
            ArticleFactory(
                title=f"Installment {number}", published_at=NOW + datetime.timedelta(hours=number)
            )
    home = reverse("commentary:home")

    first = get_twice(client, home)
    second = get_twice(client, f"{home}?page=2")

    assert "Installment 0" not in text(first)
    assert "Installment 0" in text(second)


def test_a_russian_page_is_never_served_for_an_english_one(client, piece):
    english = get_twice(client, "/en/")

    russian = client.get("/ru/")

    assert state(russian) == "miss"
    assert '<html lang="en">' in text(english)
    assert '<html lang="ru">' in text(russian)
    assert russian["Content-Language"] == "ru"


def test_a_hit_answers_the_headers_of_the_page_as_it_was_rendered(client, piece):
    url = piece.get_absolute_url()
    miss = client.get(url)
    hit = client.get(url)

    def stored(response):
        return {name: value for name, value in response.items() if name not in PER_RESPONSE}

    assert state(hit) == "hit"
    assert stored(hit) == stored(miss)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Vary"):
        assert hit[header] == miss[header]
    assert hit["Content-Length"] == str(len(hit.content))
    assert hit["X-Request-ID"] != miss["X-Request-ID"]


def test_a_head_request_is_answered_from_the_cache(client, piece):
    url = piece.get_absolute_url()
    page = client.get(url)

    response = client.head(url)

    assert (response.status_code, state(response)) == (200, "hit")
    assert response.content == b""
    assert response["Content-Type"] == page["Content-Type"]


def test_a_page_stored_by_another_release_is_not_served(client, piece, settings):
    settings.RELEASE = "build-41"
    get_twice(client, piece.get_absolute_url())

    settings.RELEASE = "build-42"
    assert state(client.get(piece.get_absolute_url())) == "miss"
    assert state(client.get(piece.get_absolute_url())) == "hit"
    settings.RELEASE = "build-41"  # a rolling deploy: the old release keeps its pages
    assert state(client.get(piece.get_absolute_url())) == "hit"


def test_without_a_release_name_the_code_and_templates_name_it(tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "base.html"
    template.write_text("<p>one</p>")
    (tmp_path / "templates" / "notes.bak").write_text("ignored")
    first = pages.release_fingerprint(tmp_path, ["templates"])

    (tmp_path / "templates" / "notes.bak").write_text("still ignored")
    same = pages.release_fingerprint(tmp_path, ["templates"])
    template.write_text("<p>two</p>")
    changed = pages.release_fingerprint(tmp_path, ["templates"])

    assert first == same != changed
    assert len(first) == 12


def test_the_page_cache_is_off_with_zero_seconds(client, piece, settings):
    settings.PAGE_CACHE_SECONDS = 0

    client.get(piece.get_absolute_url())
    response = client.get(piece.get_absolute_url())

    assert state(response) is None


def test_a_page_is_kept_page_cache_seconds_at_most(client, piece, settings):
    settings.PAGE_CACHE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        get_twice(client, piece.get_absolute_url())
        traveller.shift(61)

        assert state(client.get(piece.get_absolute_url())) == "miss"


def test_storing_a_page_adds_no_query_to_its_rendering(client, piece, django_assert_num_queries):
    """The next timed change is worked out when a change commits, not by the reader."""
    with django_assert_num_queries(ARTICLE_QUERIES):
        article_page = client.get(piece.get_absolute_url())
    with django_assert_num_queries(HOME_QUERIES):
        home = client.get("/en/")

    assert state(article_page) == state(home) == "miss"
    assert state(client.get(piece.get_absolute_url())) == state(client.get("/en/")) == "hit"


def test_after_the_cache_lost_everything_the_first_page_stored_pays_a_query_per_timed_tag(
    client, piece, django_assert_num_queries
):
    cache.clear()  # a new Redis: no versions, nothing worked out

    # The home page shows content (articles going live, expiring, …) and comment counts
    # (the "most discussed" week): one query each, once per version, then never again.
    with django_assert_num_queries(HOME_QUERIES + 2):
        client.get("/en/")
    with django_assert_num_queries(COLUMN_QUERIES):
        client.get(piece.column.get_absolute_url())

    assert state(client.get("/en/")) == "hit"


# --- who is served from the cache ----------------------------------------------------------------


@pytest.fixture
def signed_in(request, client):
    """A client signed in as the reader or the moderator named by the test's parameter."""
    person = request.getfixturevalue(request.param)
    client.force_login(person)
    return person


@pytest.mark.parametrize("signed_in", ["reader", "moderator"], indirect=True)
def test_signed_in_people_are_never_served_a_cached_page(client, piece, signed_in):
    get_twice(Client(), piece.get_absolute_url())

    response = client.get(piece.get_absolute_url())

    assert state(response) == "bypass"
    assert signed_in.public_name in text(response)


@pytest.mark.parametrize("signed_in", ["reader", "moderator"], indirect=True)
def test_signed_in_people_never_store_a_page_for_others(client, piece, signed_in):
    client.get(piece.get_absolute_url())
    client.get(piece.get_absolute_url())

    response = Client().get(piece.get_absolute_url())

    assert state(response) == "miss"
    assert signed_in.public_name not in text(response)


def test_a_reader_whose_session_remembers_pending_comments_sees_them_not_the_cached_page(
    client, piece
):
    get_twice(Client(), piece.get_absolute_url())
    own = CommentFactory(article=piece, body="My own remark, still pending.")
    session = client.session
    session["my_comment_ids"] = [own.pk]
    session.save()

    response = client.get(piece.get_absolute_url())

    assert state(response) == "bypass"
    assert "My own remark, still pending." in text(response)
    assert state(Client().get(piece.get_absolute_url())) == "hit"


def test_a_reader_with_a_message_waiting_is_not_served_from_the_cache(client, piece):
    get_twice(Client(), piece.get_absolute_url())
    client.cookies["messages"] = "anything"

    assert state(client.get(piece.get_absolute_url())) == "bypass"


def with_pending_comment(client, article):
    session = client.session
    session["my_comment_ids"] = [CommentFactory(article=article).pk]
    session.save()


def with_message(client, article):
    client.cookies["messages"] = "anything"


@pytest.mark.parametrize("personal", [with_pending_comment, with_message])
def test_a_reader_with_something_personal_stores_no_page_for_others(client, piece, personal):
    personal(client, piece)
    client.get(piece.get_absolute_url())
    client.get(piece.get_absolute_url())

    assert state(Client().get(piece.get_absolute_url())) == "miss"


# --- what is personal in a cached page ----------------------------------------------------------


def csrf_tokens(response):
    return CSRF_INPUT.findall(text(response))


def test_each_reader_of_a_cached_page_gets_tokens_of_their_own(piece):
    url = piece.get_absolute_url()
    Client().get(url)
    alice, bob = Client(), Client()

    for_alice, for_bob = alice.get(url), bob.get(url)

    assert state(for_alice) == state(for_bob) == "hit"
    secrets = {for_alice.cookies["csrftoken"].value, for_bob.cookies["csrftoken"].value}
    assert len(secrets) == 2
    for response in (for_alice, for_bob):
        secret = response.cookies["csrftoken"].value
        assert csrf_tokens(response)
        assert {_unmask_cipher_token(token) for token in csrf_tokens(response)} == {secret}
    form_tokens = FORM_TOKEN_INPUT.findall(text(for_alice) + text(for_bob))
    keys = {spam.read_form_token(token).submission_key for token in form_tokens}
    assert len(keys) == 2


def test_a_reader_with_a_csrf_cookie_keeps_it(piece):
    url = piece.get_absolute_url()
    reader = Client()
    reader.get(url)
    secret = reader.cookies["csrftoken"].value

    response = reader.get(url)

    assert state(response) == "hit"
    assert {_unmask_cipher_token(token) for token in csrf_tokens(response)} == {secret}
    assert response.cookies["csrftoken"].value == secret  # renewed, as Django does


def test_two_readers_can_comment_from_the_same_cached_page(piece, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    url = piece.get_absolute_url()
    Client().get(url)
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]

    for number, reader in enumerate(readers):
        page = reader.get(url)
        assert state(page) == "hit"
        response = reader.post(
            url,
            {
                "csrfmiddlewaretoken": csrf_tokens(page)[0],
                "form_token": FORM_TOKEN_INPUT.findall(text(page))[0],
                "author_name": f"Reader {number}",
                "author_email": f"reader{number}@example.net",
                "body": f"Remark number {number} on the pipelines.",
            },
        )
        assert response.status_code == 302

    assert Comment.objects.filter(article=piece, body__startswith="Remark number").count() == 2


def test_a_form_token_from_a_cached_page_is_refused_when_sent_too_fast(piece, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    Client().get(piece.get_absolute_url())

    token = FORM_TOKEN_INPUT.findall(text(Client().get(piece.get_absolute_url())))[0]

    assert spam.filled_too_fast(spam.read_form_token(token))


# --- no stale page -----------------------------------------------------------------------------


def test_publishing_shows_the_article_at_once(client, piece, committed, editor):
    with committed():
        draft = DraftArticleFactory(title="Sanctions and their limits", column=piece.column)
    pages = ["/en/", piece.column.get_absolute_url(), reverse("commentary:feed_site_rss")]
    for url in pages:
        get_twice(client, url)

    with committed():
        services.article_publish(article=draft, user=editor)

    for url in pages:
        assert "Sanctions and their limits" in text(fresh(client, url))
    assert fresh(client, draft.get_absolute_url()).status_code == 200


def test_editing_shows_the_new_text_everywhere(client, piece, committed):
    pages = ["/en/", piece.get_absolute_url(), reverse("commentary:feed_site_atom")]
    for url in pages:
        get_twice(client, url)

    with committed():
        piece.title = "Pipelines across the Black Sea"
        piece.save()

    for url in pages:
        assert "Pipelines across the Black Sea" in text(fresh(client, url))


def test_unpublishing_removes_the_article_at_once(client, piece, committed, editor):
    pages = ["/en/", piece.column.get_absolute_url(), "/sitemap-articles.xml"]
    for url in [*pages, piece.get_absolute_url()]:
        get_twice(client, url)

    with committed():
        services.article_unpublish(article=piece, user=editor)

    assert client.get(piece.get_absolute_url()).status_code == 404
    for url in pages:
        assert piece.slug not in text(fresh(client, url))


def test_a_correction_shows_on_the_article_page(client, piece, committed):
    get_twice(client, piece.get_absolute_url())

    with committed():
        CorrectionFactory(article=piece, note="The summit was on Feb. 6, not Feb. 7.")

    assert "The summit was on Feb. 6" in text(fresh(client, piece.get_absolute_url()))


@pytest.mark.parametrize(
    ("rename", "new_name"),
    [
        (lambda article: article.tags.get(), "Natural gas"),
        (lambda article: article.ordered_authors[0], "Richard J. Weitz"),
        (lambda article: article.column, "Global Outlook"),
    ],
    ids=["tag", "author", "column"],
)
def test_a_rename_shows_on_every_page_that_names_it(client, piece, committed, rename, new_name):
    renamed = rename(piece)
    pages = [piece.get_absolute_url(), renamed.get_absolute_url(), "/en/"]
    for url in pages:
        get_twice(client, url)

    with committed():
        renamed.name = new_name
        renamed.save()

    assert new_name in text(fresh(client, piece.get_absolute_url()))
    assert new_name in text(fresh(client, renamed.get_absolute_url()))


def test_merging_tags_moves_the_articles_at_once(client, piece, committed, editor):
    source = piece.tags.get()
    with committed():
        target = TagFactory(name="Natural gas")
    get_twice(client, piece.get_absolute_url())
    get_twice(client, target.get_absolute_url())

    with committed():
        services.tag_merge(source=source, target=target, user=editor)

    assert "Natural gas" in text(fresh(client, piece.get_absolute_url()))
    assert piece.title in text(fresh(client, target.get_absolute_url()))


@pytest.fixture
def pending_comment(piece):
    return CommentFactory(article=piece, body="A pending remark about tariffs.")


def test_an_approved_comment_shows_at_once(client, piece, pending_comment, committed, moderator):
    get_twice(client, piece.get_absolute_url())
    get_twice(client, "/en/")

    with committed():
        services.comment_approve(comment=pending_comment, moderator=moderator)

    assert "A pending remark about tariffs." in text(fresh(client, piece.get_absolute_url()))
    # The home page's "most discussed" counts it.
    assert "2 comments" in text(fresh(client, "/en/"))


@pytest.mark.parametrize(
    "remove",
    [
        lambda comment, moderator: services.comment_reject(comment=comment, moderator=moderator),
        lambda comment, moderator: services.comment_mark_spam(comment=comment, moderator=moderator),
        lambda comment, moderator: comment.delete(),
    ],
    ids=["rejected", "spam", "deleted"],
)
def test_a_comment_taken_down_disappears_at_once(client, piece, committed, moderator, remove):
    shown = piece.comments.get()
    get_twice(client, piece.get_absolute_url())

    with committed():
        remove(shown, moderator)

    assert "A first approved remark." not in text(fresh(client, piece.get_absolute_url()))


def test_an_approved_comment_edited_in_the_admin_shows_the_new_text(client, piece, committed):
    shown = piece.comments.get()
    get_twice(client, piece.get_absolute_url())

    with committed():
        shown.body = "A first approved remark, corrected."
        shown.save()

    assert "remark, corrected." in text(fresh(client, piece.get_absolute_url()))


def test_a_bulk_decision_shows_every_decided_comment(client, piece, committed, moderator):
    waiting = [
        CommentFactory(article=piece, body=f"Remark {number} waiting for a moderator.")
        for number in range(3)
    ]
    get_twice(client, piece.get_absolute_url())
    desk = Client()
    desk.force_login(moderator)

    with committed():
        response = desk.post(
            reverse("moderation:bulk"),
            {
                "action": "approve",
                "comments": [comment.pk for comment in waiting],
                "expected_status": Comment.Status.PENDING,
                "next": reverse("moderation:queue"),
            },
        )

    assert response.status_code == 302
    page = text(fresh(client, piece.get_absolute_url()))
    for number in range(3):
        assert f"Remark {number} waiting for a moderator." in page


def test_erasing_a_commenter_shows_the_erased_name(client, piece, committed, moderator):
    shown = piece.comments.get()
    get_twice(client, piece.get_absolute_url())

    with committed():
        services.commenter_erase(email=shown.author_email, actor=moderator)

    assert shown.author_name not in text(fresh(client, piece.get_absolute_url()))


def test_a_comment_on_another_article_leaves_this_article_page_cached(
    client, piece, committed, moderator
):
    with committed():
        other = ArticleFactory()
    waiting = CommentFactory(article=other)
    get_twice(client, piece.get_absolute_url())

    with committed():
        services.comment_approve(comment=waiting, moderator=moderator)

    assert state(client.get(piece.get_absolute_url())) == "hit"


def test_what_readers_cannot_see_leaves_the_cached_pages_alone(client, piece, committed, moderator):
    with committed():
        draft = DraftArticleFactory()
    waiting = CommentFactory(article=piece)
    get_twice(client, "/en/")
    get_twice(client, piece.get_absolute_url())

    with committed():
        draft.title = "Still a draft"
        draft.save()
        services.comment_reject(comment=waiting, moderator=moderator)
        CommentFactory(article=piece)  # a new comment waits for a moderator

    assert state(client.get("/en/")) == "hit"
    assert state(client.get(piece.get_absolute_url())) == "hit"


def test_a_report_flag_leaves_the_article_page_cached(client, piece, committed):
    shown = piece.comments.get()
    get_twice(client, piece.get_absolute_url())

    with committed():
        shown.flagged_at = timezone.now()
        shown.save(update_fields=["flagged_at"])

    assert state(client.get(piece.get_absolute_url())) == "hit"


# --- time ----------------------------------------------------------------------------------------


@pytest.fixture
def kept_for_a_day(settings):
    """Pages kept longer than any of the waits below: only the timed change may end them."""
    settings.PAGE_CACHE_SECONDS = 24 * 60 * 60


def test_a_scheduled_article_appears_when_its_time_comes(client, committed, kept_for_a_day):
    with time_machine.travel(NOW, tick=False) as traveller:
        with committed():
            column = ColumnFactory()
            ArticleFactory(column=column, title="Already out")
            ArticleFactory(column=column, title="Out at ten", published_at=NOW + HOUR)
        pages = [
            "/en/",
            column.get_absolute_url(),
            reverse("commentary:feed_site_rss"),
            reverse("commentary:feed_column_json", kwargs={"slug": column.slug}),
        ]
        for url in pages:
            assert "Out at ten" not in text(get_twice(client, url))

        traveller.move_to(NOW + HOUR)

        for url in pages:
            assert "Out at ten" in text(fresh(client, url)), url


def test_an_expiring_article_leaves_when_its_time_comes(client, committed, kept_for_a_day):
    with time_machine.travel(NOW, tick=False) as traveller:
        with committed():
            article = ArticleFactory(title="Gone by ten", expires_at=NOW + HOUR)
        get_twice(client, "/en/")
        get_twice(client, article.get_absolute_url())

        traveller.move_to(NOW + HOUR)

        assert "Gone by ten" not in text(fresh(client, "/en/"))
        assert client.get(article.get_absolute_url()).status_code == 404


def test_comments_close_when_their_time_comes(client, committed, settings, kept_for_a_day):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 2
    with time_machine.travel(NOW, tick=False) as traveller:
        with committed():
            article = ArticleFactory(published_at=NOW - datetime.timedelta(days=2) + HOUR)
        assert 'id="comment-form"' in text(get_twice(client, article.get_absolute_url()))

        traveller.move_to(NOW + HOUR)

        assert 'id="comment-form"' not in text(fresh(client, article.get_absolute_url()))


def test_an_article_leaves_the_news_sitemap_after_two_days(client, committed, kept_for_a_day):
    with time_machine.travel(NOW, tick=False) as traveller:
        with committed():
            article = ArticleFactory(published_at=NOW - datetime.timedelta(hours=47))
        assert article.slug in text(get_twice(client, "/sitemap-news.xml"))

        traveller.move_to(NOW + HOUR + datetime.timedelta(seconds=1))

        assert article.slug not in text(fresh(client, "/sitemap-news.xml"))


def test_a_comment_leaves_the_most_discussed_week_when_its_time_comes(
    client, committed, kept_for_a_day
):
    week = datetime.timedelta(days=related.MOST_DISCUSSED_DAYS)
    with time_machine.travel(NOW - week + HOUR, tick=False), committed():
        article = ArticleFactory(title="Much discussed")
        CommentFactory(article=article, approved=True)
    with time_machine.travel(NOW, tick=False) as traveller:
        assert "1 comment" in text(get_twice(client, "/en/"))

        traveller.move_to(NOW + HOUR + datetime.timedelta(seconds=1))

        assert "1 comment" not in text(fresh(client, "/en/"))


def test_the_footer_turns_the_year_at_new_year(client, piece, settings, kept_for_a_day):
    settings.TIME_ZONE = "Europe/Moscow"
    eve = datetime.datetime(2014, 12, 31, 20, 59, 30, tzinfo=UTC)  # 23:59:30 in Moscow
    with time_machine.travel(eve, tick=False) as traveller:
        assert "&copy; 2014" in text(get_twice(client, "/en/"))

        traveller.shift(31)

        assert "&copy; 2015" in text(fresh(client, "/en/"))


# --- transactions and races ----------------------------------------------------------------------


def test_a_change_not_yet_committed_is_shown_and_no_page_is_stored_meanwhile(client, piece):
    get_twice(client, piece.get_absolute_url())

    piece.title = "Pipelines, revised"
    piece.save()  # the test's transaction never commits: the change stays pending

    assert "Pipelines, revised" in text(fresh(client, piece.get_absolute_url()))
    assert state(client.get(piece.get_absolute_url())) == "miss"


def test_a_page_rendered_while_a_change_commits_is_stored_stale(client, piece, committed):
    """The versions are read before rendering: a change committed while the page renders
    makes the stored page stale at once, even if the rendering read the data before it."""
    most_discussed = related.most_discussed

    def while_an_editor_publishes(**kwargs):
        found = most_discussed(**kwargs)
        with committed():
            ArticleFactory(title="Published meanwhile")
        return found

    with mock.patch.object(related, "most_discussed", while_an_editor_publishes):
        assert state(client.get("/en/")) == "miss"

    assert "Published meanwhile" in text(fresh(client, "/en/"))


def test_a_page_read_from_a_replica_behind_the_latest_change_is_not_stored(client, piece):
    with mock.patch.object(versions, "replica_caught_up", return_value=False) as caught_up:
        first, second = client.get("/en/"), client.get("/en/")

    assert caught_up.called
    assert state(first) == state(second) == "miss"
    assert state(client.get("/en/")) == "miss"
    assert state(client.get("/en/")) == "hit"


def test_changes_of_one_transaction_are_bumped_once_after_it_commits(piece, committed):
    with (
        mock.patch.object(versions, "_write_versions", wraps=versions._write_versions) as write,
        committed(),
    ):
        for number in range(3):
            ArticleFactory(title=f"Imported {number}")
    timeouts = [call.kwargs["timeout"] for call in write.call_args_list]
    # A pending version per change, then one committed version for the whole transaction.
    assert timeouts.count(versions.PENDING_SECONDS) >= 3
    assert timeouts.count(None) == 1


def test_pages_are_rendered_while_the_cache_fails(client, piece):
    cache = page_cache.middleware.cache
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache down")):
        response = client.get(piece.get_absolute_url())

    assert (response.status_code, state(response)) == (200, "bypass")
    assert piece.title in text(response)


def test_a_change_the_cache_missed_is_sent_before_the_next_page(client, piece, committed, editor):
    get_twice(client, "/en/")
    cache = versions.cache

    def unreachable(data, *args, **kwargs):
        return list(data)  # what the resilient Redis backend answers while Redis is down

    with mock.patch.object(cache, "set_many", side_effect=unreachable), committed():
        services.article_unpublish(article=piece, user=editor)

    assert piece.title not in text(fresh(client, "/en/"))


# --- conditional requests -----------------------------------------------------------------------


def test_an_unchanged_article_page_answers_304(piece):
    reader = Client()
    first = reader.get(piece.get_absolute_url())

    again = reader.get(piece.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    assert (again.status_code, state(again)) == (304, "hit")
    assert again.content == b""


def test_a_page_rendered_again_unchanged_still_answers_304(piece, committed):
    reader = Client()
    first = reader.get(piece.get_absolute_url())
    page_cache.invalidate(page_cache.CONTENT)  # nothing this page shows changed

    again = reader.get(piece.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    assert (again.status_code, state(again)) == (304, "miss")
    assert again["Last-Modified"] == first["Last-Modified"]


def test_a_feed_answers_304_to_its_date_after_the_stored_page_expired(client, piece, settings):
    settings.PAGE_CACHE_SECONDS = 60
    url = reverse("commentary:feed_site_rss")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = client.get(url)
        traveller.shift(3600)

        again = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert (again.status_code, state(again)) == (304, "miss")


def test_a_changed_page_answers_200_to_its_old_etag(client, piece, committed):
    reader = Client()
    first = reader.get(piece.get_absolute_url())
    with committed():
        CorrectionFactory(article=piece)

    again = reader.get(piece.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_another_readers_etag_does_not_answer_304(piece):
    first = Client().get(piece.get_absolute_url())

    stranger = Client().get(piece.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    # Their copy would hold tokens of someone else's cookie.
    assert stranger.status_code == 200


@pytest.mark.parametrize(
    "url", [reverse("commentary:feed_site_rss"), "/sitemap.xml", "/sitemap-articles.xml"]
)
def test_feeds_and_sitemaps_answer_304_to_etag_and_date(client, piece, url):
    first = client.get(url)

    by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = Client().get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    older = Client().get(url, headers={"If-Modified-Since": http_date(0)})

    assert "private" not in first["Cache-Control"]
    assert by_etag.status_code == 304
    assert by_date.status_code == 304
    assert older.status_code == 200


def test_pages_with_a_form_are_private_and_revalidated(client, piece):
    response = client.get(piece.get_absolute_url())

    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]


# --- answered before Django (config.wsgi) ----------------------------------------------------


class WsgiResponse:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = headers
        self.body = body

    def __getitem__(self, name):
        return dict(self.headers)[name]

    def get(self, name):
        return dict(self.headers).get(name)


def wsgi_get(path, **headers):
    """GET ``path`` from ``config.wsgi.application``, as gunicorn calls it (but, as the test
    client does, without closing the test's database connection at the end)."""
    environ = RequestFactory().get(path, headers=headers).environ
    # What a WSGI server passes: the address's bytes as Latin-1 (the request built above has
    # already replaced it with the decoded path).
    environ["PATH_INFO"] = unquote_to_bytes(urlsplit(path).path).decode("iso-8859-1")
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered.update(status=status, headers=response_headers)

    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        result = wsgi.application(environ, start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    return WsgiResponse(answered["status"], answered["headers"], body)


def test_a_hit_is_answered_before_django_handles_the_request(client, piece):
    url = piece.get_absolute_url()
    assert wsgi_get(url).get("X-Cache") == "miss"

    with (
        mock.patch.object(PageCacheMiddleware, "__call__") as middleware,
        mock.patch("django.core.handlers.wsgi.WSGIHandler.get_response") as handler,
    ):
        response = wsgi_get(url, x_request_id="proxy-id.42")

    assert not middleware.called
    assert not handler.called
    assert (response.status_code, response["X-Cache"]) == (200, "hit")
    assert response["X-Request-ID"] == "proxy-id.42"
    [cookie] = [value for name, value in response.headers if name == "Set-Cookie"]
    secret = SimpleCookie(cookie)["csrftoken"].value
    tokens = CSRF_INPUT.findall(response.body.decode())
    assert tokens
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}


def test_an_address_in_cyrillic_is_cached_and_served_through_the_wsgi_entry_point(committed):
    with committed():
        piece = ArticleFactory(title="Санкции и Каспий", slug="санкции-и-каспий", language="ru")
    url = iri_to_uri(piece.get_absolute_url())  # as a browser sends it

    first, second = wsgi_get(url), wsgi_get(url)

    assert (first.status_code, first["X-Cache"]) == (200, "miss")
    assert (second.status_code, second["X-Cache"]) == (200, "hit")
    assert "Санкции и Каспий" in second.body.decode()


def test_a_hit_before_django_answers_what_the_middleware_answers(client, piece):
    url = piece.get_absolute_url()
    wsgi_get(url)

    early, late = wsgi_get(url), client.get(url)

    assert late["X-Cache"] == "hit"
    names = {name for name, _value in early.headers} - {"Set-Cookie"}
    assert names == set(late.headers)
    for name in names - PER_RESPONSE:
        assert early[name] == late[name], name
    assert PERSONAL.sub("", early.body.decode()) == PERSONAL.sub("", text(late))


def test_the_csrf_cookie_sent_before_django_is_the_one_django_sends():
    response = HttpResponse()
    set_csrf_cookie(response, "a" * 32)

    assert pages.csrf_cookie_header("a" * 32) == response.cookies["csrftoken"].output(header="")


def test_a_miss_reads_the_page_and_its_versions_once(piece, committed):
    url = piece.get_absolute_url()
    wsgi_get(url)
    with committed():
        page_cache.invalidate(page_cache.CONTENT)  # nothing the page shows changed

    cache = page_cache.middleware.cache
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        response = wsgi_get(url)

    assert response["X-Cache"] == "miss"
    lookups = [call for call in get_many.call_args_list if call.args[0][0].startswith("pc:p")]
    assert len(lookups) == 1
    assert wsgi_get(url)["X-Cache"] == "hit"


# --- two app servers ------------------------------------------------------------------------


@contextlib.contextmanager
def app_server(cache):
    """Requests handled by another app server: the same cache server, its own connection."""
    with (
        mock.patch.object(versions, "cache", cache),
        mock.patch.object(page_cache.middleware, "cache", cache),
    ):
        yield


def test_a_page_stored_by_one_app_server_is_invalidated_for_another(piece, committed, editor):
    server_a, server_b = caches.create_connection("default"), caches.create_connection("default")
    url = "/en/"
    with app_server(server_a):
        get_twice(Client(), url)
    with app_server(server_b):
        assert state(Client().get(url)) == "hit"

    with app_server(server_a), committed():
        services.article_unpublish(article=piece, user=editor)

    with app_server(server_b):
        assert piece.title not in text(fresh(Client(), url))


@pytest.mark.redis
def test_invalidation_reaches_every_app_server_through_redis(piece, committed, moderator):
    """The same as above with the Redis backend: nothing about a page lives in a process."""
    waiting = CommentFactory(article=piece, body="Seen by every server.")
    servers = [caches.create_connection("default") for _ in range(2)]
    for server in servers:
        with app_server(server):
            Client().get(piece.get_absolute_url())
            assert state(Client().get(piece.get_absolute_url())) == "hit"

    with app_server(servers[0]), committed():
        services.comment_approve(comment=waiting, moderator=moderator)

    for server in servers:
        with app_server(server):
            response = Client().get(piece.get_absolute_url())
            assert "Seen by every server." in text(response)
