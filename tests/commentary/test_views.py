"""The public pages, as a reader sees them.

Home, article, column, author, tag and the year and month archives: what each one shows, that
only public articles (published, with a publication time that has come) appear anywhere, and
that unknown or non-public addresses answer with the friendly "Page not found" page.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from commentary.models import Article, Author, Column
from commentary.validators import validate_no_links
from tests.commentary.test_comment_posting import comment_data, fetch_form_token, post_comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    DraftArticleFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Views read the page size when they are imported, so the tests read it too instead of
# patching it.
PER_PAGE = django_settings.ARTICLES_PER_PAGE
ARTICLE_DATE = datetime.datetime(2014, 2, 11, 9, 30, tzinfo=UTC)
TITLE = "In Sochi, Xi and Putin Put China-Russia Ties on Display"
ORIGINAL_URL = "https://www.worldpoliticsreview.com/articles/13551/in-sochi-xi-and-putin"


def page_text(response):
    """The page as a reader reads it: markup removed, runs of whitespace collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())


def link(url):
    """The ``href`` attribute of a link to ``url``, as the templates write it."""
    return f'href="{url}"'


@pytest.fixture
def weitz():
    return AuthorFactory(
        name="Richard Weitz",
        slug="richard-weitz",
        tagline="a senior fellow at the Hudson Institute",
        bio="Richard Weitz writes about Eurasian security.",
        pronoun=Author.Pronoun.HE,
    )


@pytest.fixture
def global_insights(weitz):
    return ColumnFactory(
        name="Global Insights",
        slug="global-insights",
        description="Eurasian security, every week.",
        publication=PublicationFactory(),
        cadence=Column.Cadence.WEEKLY,
        weekday=Column.Weekday.TUESDAY,
        authors=[weitz],
    )


@pytest.fixture
def article(global_insights, weitz):
    return ArticleFactory(
        title=TITLE,
        slug="in-sochi-xi-and-putin",
        column=global_insights,
        authors=[weitz],
        published_at=ARTICLE_DATE,
        summary="Sochi has seen a remarkable show of solidarity.",
        body="<p>In addition to the opening ceremony.</p>\n<p>There is nothing inevitable.</p>",
        tags=[TagFactory(name="Russia"), TagFactory(name="China")],
    )


# --- home -------------------------------------------------------------------------------


def test_home_lists_latest_articles_newest_first_with_column_authors_date_and_summary(
    client, article, weitz
):
    older = ArticleFactory(
        title="An older piece",
        column=None,
        authors=[AuthorFactory(name="Jane Doe", slug="jane-doe")],
        published_at=datetime.datetime(2014, 1, 5, 18, tzinfo=UTC),
        summary="What happened in January.",
    )

    response = client.get(reverse("commentary:home"))

    assertContains(
        response,
        '<p class="kicker"><span class="kicker__type">Analysis</span> · '
        '<a href="/en/columns/global-insights/">Global Insights</a></p>',
        html=True,
    )
    assertContains(
        response, '<p class="kicker"><span class="kicker__type">Analysis</span></p>', html=True
    )
    assertContains(
        response,
        f'<h2 class="teaser__title"><a href="/en/articles/in-sochi-xi-and-putin/">{TITLE}</a></h2>',
        html=True,
    )
    assertContains(
        response,
        '<p class="byline">By <a href="/en/authors/richard-weitz/">Richard Weitz</a>, '
        '<time datetime="2014-02-11T09:30:00+00:00">11 Feb 2014</time></p>',
        html=True,
    )
    assertContains(
        response,
        '<p class="teaser__summary">Sochi has seen a remarkable show of solidarity.</p>',
        html=True,
    )
    text = page_text(response)
    assert "By Jane Doe, 5 Jan 2014" in text
    assert "What happened in January." in text
    content = response.content.decode()
    assert content.index(link(article.get_absolute_url())) < content.index(
        link(older.get_absolute_url())
    )


def test_home_lists_active_columns_with_their_descriptions_and_not_inactive_ones(
    client, global_insights
):
    ColumnFactory(name="Retired Column", slug="retired-column", is_active=False)

    response = client.get(reverse("commentary:home"))

    assertContains(
        response, '<a href="/en/columns/global-insights/">Global Insights</a>', html=True
    )
    assertContains(response, "<p>Eurasian security, every week.</p>", html=True)
    assertNotContains(response, "Retired Column")
    assertNotContains(response, "/columns/retired-column/")


def test_home_says_so_when_nothing_is_published_yet(client):
    DraftArticleFactory(title="Unfinished thoughts")

    response = client.get(reverse("commentary:home"))

    text = page_text(response)
    assert "No articles yet." in text
    assert "No columns yet." in text
    assert "Unfinished thoughts" not in text


# --- article: heading, byline, body, tags ----------------------------------------------


def test_article_heading_is_column_then_title_with_the_column_linked(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<h1 id="article-title" class="article__title">'
        '<a class="article__column" href="/en/columns/global-insights/">Global Insights</a>: '
        f"{TITLE}</h1>",
        html=True,
    )
    assertContains(response, f"<title>Global Insights: {TITLE} · Commentary</title>", html=True)


def test_article_without_column_is_headed_by_its_title_alone(client):
    article = ArticleFactory(title="A Standalone Essay", column=None)

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<h1 id="article-title" class="article__title">A Standalone Essay</h1>',
        html=True,
    )
    assertNotContains(response, "article__column")


def test_article_byline_links_the_author_and_gives_the_date(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="byline">By <a href="/en/authors/richard-weitz/">Richard Weitz</a>, '
        '<time datetime="2014-02-11T09:30:00+00:00">11 Feb 2014</time></p>',
        html=True,
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Zoe Young", "Adam Black"], "By Zoe Young and Adam Black, 11 Feb 2014"),
        (
            ["Zoe Young", "Adam Black", "Mia Grey"],
            "By Zoe Young, Adam Black and Mia Grey, 11 Feb 2014",
        ),
    ],
)
def test_article_byline_keeps_the_byline_order_of_several_authors(client, names, expected):
    authors = [AuthorFactory(name=name, tagline="") for name in names]
    article = ArticleFactory(authors=authors, published_at=ARTICLE_DATE, column=None)

    response = client.get(article.get_absolute_url())

    assert expected in page_text(response)
    for author in authors:
        assertContains(
            response, f'<a href="{author.get_absolute_url()}">{author.name}</a>', html=True
        )


def test_article_body_is_shown_as_its_paragraphs(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(response, "<p>In addition to the opening ceremony.</p>", html=True)
    assertContains(response, "<p>There is nothing inevitable.</p>", html=True)


def test_article_tags_link_to_their_tag_pages(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(response, '<a href="/en/tags/russia/" rel="tag">Russia</a>', html=True)
    assertContains(response, '<a href="/en/tags/china/" rel="tag">China</a>', html=True)


def test_article_without_tags_has_no_tag_list(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "article__tags")


def test_russian_article_declares_its_language(client):
    article = ArticleFactory(
        title="Россия и Китай",
        slug="россия-и-китай",
        language=Article.Language.RUSSIAN,
        tags=[TagFactory(name="Россия")],
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, '<html lang="ru">')
    assertContains(response, '<a href="/en/tags/%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F/" rel="tag">')


# --- article: author notes and schedule sentence ---------------------------------------


def test_article_ends_with_author_tagline_and_column_schedule(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="article__author-note">Richard Weitz is a senior fellow at the Hudson '
        "Institute. His weekly WPR column, Global Insights, appears every Tuesday.</p>",
        html=True,
    )


@pytest.mark.parametrize(
    ("column_values", "pronoun", "expected"),
    [
        pytest.param(
            {"cadence": Column.Cadence.FORTNIGHTLY, "weekday": Column.Weekday.THURSDAY},
            Author.Pronoun.HE,
            "His fortnightly WPR column, Global Insights, appears every other Thursday.",
            id="fortnightly",
        ),
        pytest.param(
            {"cadence": Column.Cadence.MONTHLY, "weekday": Column.Weekday.MONDAY},
            Author.Pronoun.SHE,
            "Her monthly WPR column, Global Insights, appears on the first Monday of each month.",
            id="monthly-her",
        ),
        pytest.param(
            {"publication": None, "weekday": Column.Weekday.FRIDAY},
            Author.Pronoun.THEY,
            "Their weekly column, Global Insights, appears every Friday.",
            id="no-publication-their",
        ),
        pytest.param(
            {"publication": "Asia Times"},
            Author.Pronoun.SHE,
            "Her weekly Asia Times column, Global Insights, appears every Tuesday.",
            id="publication-without-short-name",
        ),
    ],
)
def test_schedule_sentence_is_generated_from_the_column(
    client, global_insights, weitz, column_values, pronoun, expected
):
    if column_values.get("publication"):
        column_values["publication"] = PublicationFactory(
            name=column_values["publication"], short_name=""
        )
    for field, value in column_values.items():
        setattr(global_insights, field, value)
    global_insights.save()
    weitz.pronoun = pronoun
    weitz.save()
    article = ArticleFactory(column=global_insights, authors=[weitz])

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="article__author-note">Richard Weitz is a senior fellow at the Hudson '
        f"Institute. {expected}</p>",
        html=True,
    )


def test_each_author_of_a_column_piece_gets_a_note_in_their_own_voice(
    client, global_insights, weitz
):
    jane = AuthorFactory(name="Jane Doe", tagline="a fellow at Chatham House", pronoun="she")
    article = ArticleFactory(column=global_insights, authors=[weitz, jane])

    response = client.get(article.get_absolute_url())

    text = page_text(response)
    assert (
        "Richard Weitz is a senior fellow at the Hudson Institute. "
        "His weekly WPR column, Global Insights, appears every Tuesday." in text
    )
    assert (
        "Jane Doe is a fellow at Chatham House. "
        "Her weekly WPR column, Global Insights, appears every Tuesday." in text
    )
    assert text.index("Richard Weitz is") < text.index("Jane Doe is")


def test_author_without_tagline_gets_only_the_schedule_sentence(client, global_insights):
    author = AuthorFactory(name="Jane Doe", tagline="", pronoun="she")
    article = ArticleFactory(column=global_insights, authors=[author])

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="article__author-note">'
        "Her weekly WPR column, Global Insights, appears every Tuesday.</p>",
        html=True,
    )
    assertNotContains(response, "Jane Doe is")


def test_article_outside_a_column_has_a_tagline_but_no_schedule(client, weitz):
    article = ArticleFactory(column=None, authors=[weitz])

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="article__author-note">'
        "Richard Weitz is a senior fellow at the Hudson Institute.</p>",
        html=True,
    )
    assertNotContains(response, "appears every")


# --- article: source line ----------------------------------------------------------------


def test_republished_article_names_its_source_linked_to_the_original(client, article):
    article.source_publication = PublicationFactory()
    article.original_published_on = datetime.date(2014, 2, 11)
    article.original_url = ORIGINAL_URL
    article.save()

    response = client.get(article.get_absolute_url())

    assert "Source: World Politics Review, 11 Feb 2014" in page_text(response)
    assertContains(
        response, f'<a href="{ORIGINAL_URL}" rel="noopener">World Politics Review</a>', html=True
    )


def test_republished_article_without_original_url_names_its_source_unlinked(client, article):
    article.source_publication = PublicationFactory()
    article.original_published_on = datetime.date(2014, 2, 11)
    article.save()

    response = client.get(article.get_absolute_url())

    assert "Source: World Politics Review, 11 Feb 2014" in page_text(response)
    assertNotContains(response, ">World Politics Review</a>")
    assertContains(
        response,
        '<p class="article__source">Source: World Politics Review, '
        '<time datetime="2014-02-11">11 Feb 2014</time></p>',
        html=True,
    )


def test_original_article_has_no_source_line(client, article):
    response = client.get(article.get_absolute_url())

    assertNotContains(response, "Source:")
    assertNotContains(response, "article__source")


# --- article: comments --------------------------------------------------------------------


def test_article_shows_approved_comments_only_with_their_count(client, article):
    CommentFactory(article=article, approved=True, author_name="Anna", body="First approved.")
    CommentFactory(article=article, approved=True, author_name="Boris", body="Second approved.")
    CommentFactory(article=article, author_name="Pat Pending", body="Still waiting.")
    CommentFactory(article=article, rejected=True, author_name="Rex", body="Turned down.")

    response = client.get(article.get_absolute_url())

    assertContains(response, '<h2 id="comments-heading">2 comments</h2>', html=True)
    text = page_text(response)
    assert "Anna" in text
    assert "First approved." in text
    assert "Boris" in text
    assert "Second approved." in text
    assert text.index("First approved.") < text.index("Second approved.")
    for hidden in ("Pat Pending", "Still waiting.", "Rex", "Turned down."):
        assert hidden not in text


def test_comment_count_is_singular_for_one_comment(client, article):
    CommentFactory(article=article, approved=True)
    CommentFactory(article=article)

    response = client.get(article.get_absolute_url())

    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)


def test_article_without_approved_comments_says_none(client, article):
    CommentFactory(article=article)

    response = client.get(article.get_absolute_url())

    assertContains(response, '<h2 id="comments-heading">0 comments</h2>', html=True)
    assertNotContains(response, "comment-list")


def test_open_article_invites_comments_and_states_the_no_links_rule(client, article):
    response = client.get(article.get_absolute_url())

    assertContains(response, '<h2 id="comment-form-heading">Leave a comment</h2>', html=True)
    assertContains(response, "You can comment this article, but links are not allowed.")
    assertContains(
        response,
        '<form id="comment-form" class="comment-form" method="post" '
        f'action="{article.get_absolute_url()}#comment-form" '
        'data-link-check-url="/en/comments/check-links/"',
    )
    assertContains(response, '<textarea name="body"')
    assertContains(response, '<input type="text" name="author_name"')
    assertContains(response, '<input type="email" name="author_email"')
    # A home for the live link hint, and the script that fills it, loaded without blocking.
    assertContains(
        response,
        '<p id="body-link-hint" class="field-hint" role="status" aria-live="polite"></p>',
        html=True,
    )
    assertContains(response, '<script src="/static/js/comment-form.js" defer></script>', html=True)
    assertNotContains(response, "Comments close on")


def test_article_page_has_no_inline_script_or_style(client, article):
    CommentFactory(article=article, approved=True)

    content = client.get(article.get_absolute_url()).content.decode()

    # JSON-LD is data, not script: the CSP does not execute it.
    executable = r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>"
    assert re.findall(executable, content) == []
    assert "<style" not in content
    assert " style=" not in content
    assert re.findall(r"\son[a-z]+=", content) == []


def test_article_with_comments_disabled_says_closed_and_has_no_form(client, article):
    article.comments_enabled = False
    article.save()
    CommentFactory(article=article, approved=True, body="An earlier approved remark.")

    response = client.get(article.get_absolute_url())

    assertContains(
        response, '<p class="comments-closed">Comments are closed for this article.</p>', html=True
    )
    assertNotContains(response, "Leave a comment")
    assertNotContains(response, "comment-form")
    assertNotContains(response, '<textarea name="body"')
    assertNotContains(response, "Comments close on")
    assertContains(response, "An earlier approved remark.")


# --- article: comments close by themselves -------------------------------------------------

# ARTICLE_DATE is 11 Feb 2014, 09:30 UTC; with 28 days, comments close on 11 Mar 2014, 09:30.
CLOSES_AT = ARTICLE_DATE + datetime.timedelta(days=28)


def test_comments_never_close_by_themselves_by_default(settings, article):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0

    with time_machine.travel(ARTICLE_DATE + datetime.timedelta(days=3650), tick=False):
        assert article.comments_close_at is None
        assert article.accepts_comments


def test_comments_close_the_given_number_of_days_after_publication(settings, article):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 28

    assert article.comments_close_at == CLOSES_AT
    with time_machine.travel(CLOSES_AT - datetime.timedelta(seconds=1), tick=False):
        assert article.accepts_comments
    with time_machine.travel(CLOSES_AT, tick=False):
        assert not article.accepts_comments


def test_disabled_comments_are_closed_whatever_the_date(settings, article):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 28
    article.comments_enabled = False

    with time_machine.travel(ARTICLE_DATE + datetime.timedelta(days=1), tick=False):
        assert not article.accepts_comments


def test_open_article_says_when_its_comments_close(client, settings, article):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 28

    with time_machine.travel(ARTICLE_DATE + datetime.timedelta(days=27), tick=False):
        response = client.get(article.get_absolute_url())

    assertContains(
        response, '<p class="comments-closing">Comments close on 11 Mar 2014.</p>', html=True
    )
    assertContains(response, '<textarea name="body"')
    assertNotContains(response, "Comments are closed for this article.")


def test_article_past_its_closing_date_says_closed_and_refuses_comments(client, settings, article):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 28
    CommentFactory(article=article, approved=True, body="Posted while it was open.")
    with time_machine.travel(CLOSES_AT - datetime.timedelta(minutes=5), tick=False):
        token = fetch_form_token(client, article)

    with time_machine.travel(CLOSES_AT + datetime.timedelta(minutes=1), tick=False):
        page = client.get(article.get_absolute_url())
        posted = post_comment(client, article, comment_data(), token=token)

    assertContains(
        page, '<p class="comments-closed">Comments are closed for this article.</p>', html=True
    )
    assertNotContains(page, '<textarea name="body"')
    assertNotContains(page, "Comments close on")
    assertNotContains(page, "comment__reply")
    assertContains(page, "Posted while it was open.")
    assert posted.status_code == 400
    assert posted.context["form"].non_field_errors() == ["Comments are closed for this article."]
    assert article.comments.count() == 1


# --- the live link hint ----------------------------------------------------------------------

CHECK_LINKS = "/en/comments/check-links/"


def test_check_links_url_is_named():
    assert reverse("commentary:check_links") == CHECK_LINKS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "A fair point about the balance of power.",
            {"links": [], "missing_spaces": [], "message": ""},
            id="clean",
        ),
        pytest.param(
            "Compare example.com with www.example.org please.",
            {
                "links": ["example.com", "www.example.org"],
                "missing_spaces": [],
                "message": "Links are not allowed in comments. Please remove: “example.com”, "
                "“www.example.org”.",
            },
            id="links",
        ),
        pytest.param(
            "It was a long war.So it ended.",
            {
                "links": [],
                "missing_spaces": ["war.So"],
                "message": "Please add a space after the full stop in “war.So” — it reads like "
                "a web address.",
            },
            id="missing-space",
        ),
        pytest.param("", {"links": [], "missing_spaces": [], "message": ""}, id="empty"),
    ],
)
def test_check_links_answers_what_the_rule_finds_with_the_validators_message(
    client, text, expected
):
    response = client.post(CHECK_LINKS, {"text": text})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected


def test_check_links_message_is_the_one_posting_would_give(client):
    text = "write to me@example.com or see пример.рф"
    with pytest.raises(ValidationError) as refusal:
        validate_no_links(text)

    data = client.post(CHECK_LINKS, {"text": text}).json()

    assert data["links"] == ["me@example.com", "пример.рф"]
    assert data["message"] == " ".join(refusal.value.messages)


def test_check_links_refuses_a_text_over_ten_thousand_characters(client):
    assert client.post(CHECK_LINKS, {"text": "a" * 10_000}).status_code == 200

    response = client.post(CHECK_LINKS, {"text": "a" * 10_001})

    assert response.status_code == 400
    data = response.json()
    assert data["links"] == data["missing_spaces"] == []
    assert data["message"].startswith("Ensure this value has at most 10000 characters")


def test_check_links_answers_only_post(client):
    assert client.get(CHECK_LINKS, {"text": "example.com"}).status_code == 405


def test_check_links_needs_the_csrf_token(article):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(CHECK_LINKS, {"text": "example.com"}).status_code == 403

    strict.get(article.get_absolute_url())  # sets the CSRF cookie, as the page does
    token = strict.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = strict.post(CHECK_LINKS, {"text": "example.com"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["links"] == ["example.com"]


def test_commenters_email_addresses_never_appear(client, article):
    for status in ("approved", "pending", "rejected"):
        CommentFactory(
            article=article,
            author_name=f"Reader {status}",
            author_email=f"{status}.reader@example.net",
            approved=status == "approved",
            rejected=status == "rejected",
        )

    response = client.get(article.get_absolute_url())

    assertContains(response, "Reader approved")
    assertNotContains(response, "@example.net")
    assertNotContains(response, "reader@")


# --- column, author, tag and archive pages ---------------------------------------------


def test_column_page_shows_the_column_and_its_articles_only(client, article, weitz):
    other = ArticleFactory(title="Piece in another column", column=ColumnFactory())

    response = client.get(reverse("commentary:column", kwargs={"slug": "global-insights"}))

    assertContains(response, "<h1>Global Insights</h1>", html=True)
    assertContains(response, '<p class="lead">Eurasian security, every week.</p>', html=True)
    assertContains(
        response,
        '<p class="byline">By <a href="/en/authors/richard-weitz/">Richard Weitz</a>'
        " · World Politics Review</p>",
        html=True,
    )
    assertContains(response, link(article.get_absolute_url()))
    assertNotContains(response, link(other.get_absolute_url()))


def test_author_page_shows_the_author_and_every_article_they_signed(client, article, weitz):
    co_written = ArticleFactory(
        title="Written with a colleague", authors=[AuthorFactory(), weitz], column=None
    )
    someone_elses = ArticleFactory(title="Someone else's piece")

    response = client.get(reverse("commentary:author", kwargs={"slug": "richard-weitz"}))

    assertContains(response, "<h1>Richard Weitz</h1>", html=True)
    assertContains(
        response,
        '<p class="lead">Richard Weitz is a senior fellow at the Hudson Institute.</p>',
        html=True,
    )
    assertContains(response, "<p>Richard Weitz writes about Eurasian security.</p>", html=True)
    assertContains(response, link(article.get_absolute_url()))
    assertContains(response, link(co_written.get_absolute_url()))
    assertNotContains(response, link(someone_elses.get_absolute_url()))
    assertContains(
        response,
        f'<h3 class="teaser__title"><a href="/en/articles/in-sochi-xi-and-putin/">{TITLE}</a></h3>',
        html=True,
    )


def test_tag_page_shows_the_tag_and_its_articles_only(client, article):
    russia = article.tags.get(name="Russia")
    russia.description = "Russian foreign policy."
    russia.save()
    untagged = ArticleFactory(title="About something else")

    response = client.get(reverse("commentary:tag", kwargs={"slug": "russia"}))

    assertContains(response, "<h1>Russia</h1>", html=True)
    assertContains(response, '<p class="lead">Russian foreign policy.</p>', html=True)
    assertContains(response, link(article.get_absolute_url()))
    assertNotContains(response, link(untagged.get_absolute_url()))


def test_tag_page_works_for_a_cyrillic_tag(client):
    article = ArticleFactory(tags=[TagFactory(name="Китай")])

    response = client.get(reverse("commentary:tag", kwargs={"slug": "китай"}))

    assertContains(response, "<h1>Китай</h1>", html=True)
    assertContains(response, link(article.get_absolute_url()))


def test_year_archive_lists_that_years_articles_and_links_its_months(client, article):
    march = ArticleFactory(published_at=datetime.datetime(2014, 3, 5, tzinfo=UTC))
    last_year = ArticleFactory(published_at=datetime.datetime(2013, 12, 31, 23, tzinfo=UTC))
    next_year = ArticleFactory(published_at=datetime.datetime(2015, 1, 1, tzinfo=UTC))

    response = client.get(reverse("commentary:archive_year", kwargs={"year": 2014}))

    assertContains(response, "<h1>2014</h1>", html=True)
    assertContains(response, '<a href="/en/archive/2014/2/">February</a>', html=True)
    assertContains(response, '<a href="/en/archive/2014/3/">March</a>', html=True)
    assertNotContains(response, "January")
    assertContains(response, link(article.get_absolute_url()))
    assertContains(response, link(march.get_absolute_url()))
    assertNotContains(response, link(last_year.get_absolute_url()))
    assertNotContains(response, link(next_year.get_absolute_url()))


def test_month_archive_lists_that_months_articles_and_links_its_neighbours(client, article):
    january = ArticleFactory(published_at=datetime.datetime(2014, 1, 20, tzinfo=UTC))
    april = ArticleFactory(published_at=datetime.datetime(2014, 4, 1, tzinfo=UTC))

    response = client.get(reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2}))

    assertContains(response, "<h1>February 2014</h1>", html=True)
    assertContains(response, link(article.get_absolute_url()))
    assertNotContains(response, link(january.get_absolute_url()))
    assertNotContains(response, link(april.get_absolute_url()))
    # Neighbours are the nearest months that have articles, skipping empty March.
    assertContains(response, '<a rel="prev" href="/en/archive/2014/1/">January 2014</a>', html=True)
    assertContains(response, '<a rel="next" href="/en/archive/2014/4/">April 2014</a>', html=True)
    assertContains(response, '<a href="/en/archive/2014/">Archive 2014</a>', html=True)


# --- pagination -----------------------------------------------------------------------------

LIST_PAGES = {
    "home": lambda data: reverse("commentary:home"),
    "column": lambda data: data.column.get_absolute_url(),
    "author": lambda data: data.author.get_absolute_url(),
    "tag": lambda data: data.tag.get_absolute_url(),
    "year": lambda data: reverse("commentary:archive_year", kwargs={"year": 2014}),
    "month": lambda data: reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2}),
}


@pytest.fixture
def shared():
    """A column, an author and a tag that the articles of a test all share."""
    return SimpleNamespace(
        column=ColumnFactory(name="Shared Column"),
        author=AuthorFactory(name="Shared Author"),
        tag=TagFactory(name="Shared Tag"),
    )


def shared_article(shared, **kwargs):
    return ArticleFactory(
        column=shared.column, authors=[shared.author], tags=[shared.tag], **kwargs
    )


@pytest.mark.parametrize("list_page", LIST_PAGES)
def test_list_page_splits_into_pages_with_the_oldest_article_last(client, shared, list_page):
    start = datetime.datetime(2014, 2, 1, 8, tzinfo=UTC)
    articles = [
        shared_article(shared, published_at=start + datetime.timedelta(hours=hour))
        for hour in range(PER_PAGE + 1)
    ]
    oldest, newest = articles[0], articles[-1]
    url = LIST_PAGES[list_page](shared)

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assertContains(first, link(newest.get_absolute_url()))
    assertNotContains(first, link(oldest.get_absolute_url()))
    assert "Page 1 of 2" in page_text(first)
    assertContains(first, '<a rel="next" href="?page=2">Older</a>', html=True)
    assertContains(second, link(oldest.get_absolute_url()))
    assertNotContains(second, link(newest.get_absolute_url()))
    assert "Page 2 of 2" in page_text(second)
    assertContains(second, '<a rel="prev" href="?page=1">Newer</a>', html=True)
    assert client.get(url, {"page": 99}).status_code == 404


# --- drafts and future articles ------------------------------------------------------------

# "Now", for the tests below: the public article is out, the future one is not yet.
NOW = datetime.datetime(2014, 2, 20, 12, tzinfo=UTC)


@pytest.fixture
def public_draft_and_future(shared):
    with time_machine.travel(NOW, tick=False):
        yield SimpleNamespace(
            public=shared_article(shared, published_at=ARTICLE_DATE),
            draft=DraftArticleFactory(
                column=shared.column,
                authors=[shared.author],
                tags=[shared.tag],
                published_at=datetime.datetime(2014, 2, 12, tzinfo=UTC),
            ),
            future=shared_article(shared, published_at=datetime.datetime(2014, 2, 25, tzinfo=UTC)),
        )


@pytest.mark.parametrize("list_page", LIST_PAGES)
def test_drafts_and_future_articles_are_left_out_of_every_list(
    client, shared, public_draft_and_future, list_page
):
    response = client.get(LIST_PAGES[list_page](shared))

    assertContains(response, link(public_draft_and_future.public.get_absolute_url()))
    assertNotContains(response, link(public_draft_and_future.draft.get_absolute_url()))
    assertNotContains(response, link(public_draft_and_future.future.get_absolute_url()))


@pytest.mark.parametrize("kind", ["draft", "future"])
def test_non_public_article_page_answers_404(client, public_draft_and_future, kind):
    article = getattr(public_draft_and_future, kind)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    assertNotContains(response, article.title, status_code=404)


def test_future_article_goes_live_at_its_publication_time(client):
    with time_machine.travel(ARTICLE_DATE - datetime.timedelta(days=1), tick=False):
        article = ArticleFactory(title="Scheduled for Tuesday", published_at=ARTICLE_DATE)
    home = reverse("commentary:home")

    with time_machine.travel(ARTICLE_DATE - datetime.timedelta(seconds=1), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 404
        assertNotContains(client.get(home), link(article.get_absolute_url()))

    with time_machine.travel(ARTICLE_DATE, tick=False):
        assertContains(client.get(article.get_absolute_url()), "Scheduled for Tuesday")
        assertContains(client.get(home), link(article.get_absolute_url()))


# --- not found -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/articles/no-such-article/",
        "/en/columns/no-such-column/",
        "/en/authors/no-such-author/",
        "/en/tags/no-such-tag/",
        "/en/archive/1999/",
        "/en/archive/2014/3/",
        "/en/archive/2014/13/",
        "/en/no/such/page/",
        "/no/such/page/",
    ],
)
def test_unknown_address_answers_the_friendly_404_page(client, settings, article, url):
    settings.DEBUG = False

    response = client.get(url)

    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertContains(
        response,
        "The page you asked for does not exist, or is not published yet.",
        status_code=404,
    )
    assertContains(response, '<a href="/en/">Read the latest commentary</a>', status_code=404)


def test_draft_article_answers_the_friendly_404_page(client, settings):
    settings.DEBUG = False
    draft = DraftArticleFactory(title="Not ready for readers")

    response = client.get(draft.get_absolute_url())

    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertNotContains(response, "Not ready for readers", status_code=404)


# --- expired articles ------------------------------------------------------------------------

EXPIRES_AT = datetime.datetime(2014, 2, 25, 12, tzinfo=UTC)


@pytest.fixture
def expiring(shared):
    """A public article that leaves the site at ``EXPIRES_AT``, and one that stays."""
    with time_machine.travel(NOW, tick=False):
        return SimpleNamespace(
            leaving=shared_article(
                shared, title="Leaves the site", published_at=ARTICLE_DATE, expires_at=EXPIRES_AT
            ),
            staying=shared_article(shared, published_at=ARTICLE_DATE),
        )


@pytest.mark.parametrize("list_page", LIST_PAGES)
def test_expired_article_leaves_every_list_at_its_expiry_time(client, shared, expiring, list_page):
    url = LIST_PAGES[list_page](shared)
    leaving = link(expiring.leaving.get_absolute_url())

    with time_machine.travel(EXPIRES_AT - datetime.timedelta(seconds=1), tick=False):
        assertContains(client.get(url), leaving)

    with time_machine.travel(EXPIRES_AT, tick=False):
        response = client.get(url)
        assertNotContains(response, leaving)
        assertContains(response, link(expiring.staying.get_absolute_url()))


def test_expired_article_page_answers_404_from_its_expiry_time(client, expiring):
    url = expiring.leaving.get_absolute_url()

    with time_machine.travel(EXPIRES_AT - datetime.timedelta(seconds=1), tick=False):
        assertContains(client.get(url), "Leaves the site")

    with time_machine.travel(EXPIRES_AT, tick=False):
        response = client.get(url)
        assert response.status_code == 404
        assertNotContains(response, "Leaves the site", status_code=404)


def test_archive_of_a_month_whose_only_article_expired_answers_404(client):
    with time_machine.travel(NOW, tick=False):
        only = ArticleFactory(published_at=ARTICLE_DATE, expires_at=EXPIRES_AT)
    url = reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2})

    with time_machine.travel(EXPIRES_AT, tick=False):
        assert client.get(url).status_code == 404
        assert client.get(only.get_absolute_url()).status_code == 404
