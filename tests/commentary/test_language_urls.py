"""The interface language in the address (/en/…, /ru/…), the hreflang links between a page's
language versions, the language switcher, and the links between an article and its
translation."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from commentary.admin.articles import ArticleAdmin
from commentary.models import Article
from tests.commentary.test_query_counts import ARTICLE_QUERIES
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    DraftArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
PUBLISHED = datetime.datetime(2014, 2, 11, 10, 0, tzinfo=datetime.UTC)
HREFLANG = re.compile(r'<link rel="alternate" hreflang="(?P<lang>[^"]+)" href="(?P<href>[^"]+)">')
SWITCHER_FORM = re.compile(
    r'<form action="(?P<action>[^"]+)" method="post">.*?'
    r'<input name="language" type="hidden" value="(?P<language>[^"]+)">\s*'
    r'<input name="next" type="hidden" value="(?P<next>[^"]*)">.*?</form>',
    re.S,
)
READ_IN_RUSSIAN = "Читать по-русски"
ONLY_IN_ENGLISH_RU = "Эта статья есть только на английском."
ONLY_IN_ENGLISH_EN = "This article is available in English only."
ONLY_IN_RUSSIAN_EN = "This article is available in Russian only."


def in_language(language, view_name, **kwargs):
    with translation.override(language):
        return reverse(view_name, kwargs=kwargs or None)


def article_url(article, language):
    with translation.override(language):
        return article.get_absolute_url()


def hreflang_links(response):
    """The page's hreflang links as {hreflang: href}; a language named twice fails."""
    found = [(match["lang"], match["href"]) for match in HREFLANG.finditer(response.text)]
    links = dict(found)
    assert len(links) == len(found), f"an hreflang is named twice: {found}"
    return links


def switcher_forms(response):
    return {match["language"]: match.groupdict() for match in SWITCHER_FORM.finditer(response.text)}


@pytest.fixture
def original():
    """An English column piece, published on 11 February 2014."""
    author = AuthorFactory(name="Richard Weitz", slug="richard-weitz")
    return ArticleFactory(
        title="Why Sochi Matters",
        slug="why-sochi-matters",
        column=ColumnFactory(name="Global Insights", slug="global-insights", authors=[author]),
        authors=[author],
        tags=[TagFactory(name="Russia")],
        published_at=PUBLISHED,
    )


@pytest.fixture
def translated(original):
    """The Russian translation of ``original``."""
    return ArticleFactory(
        title="Почему Сочи важен",
        slug="pochemu-sochi-vazhen",
        language=Article.Language.RUSSIAN,
        translation_of=original,
        authors=original.ordered_authors,
        published_at=PUBLISHED + datetime.timedelta(days=1),
    )


@pytest.fixture
def frozen():
    with time_machine.travel(PUBLISHED + datetime.timedelta(days=3), tick=False):
        yield


# --- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}, "/ru/"),
        ({"accept-language": "en-GB,en;q=0.9"}, "/en/"),
        ({"accept-language": "de-DE"}, "/en/"),
        ({}, "/en/"),
    ],
    ids=["russian-browser", "english-browser", "other-language", "no-preference"],
)
def test_the_root_redirects_to_the_language_the_browser_asks_for(client, headers, expected):
    response = client.get("/", headers=headers)

    assert response.status_code == 302
    assert response["Location"] == expected


def test_the_language_cookie_wins_over_the_browser_at_the_root(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"

    response = client.get("/", headers={"accept-language": "en"})

    assert response["Location"] == "/ru/"


def test_an_old_address_without_language_redirects_to_the_prefixed_one(client, original):
    response = client.get("/articles/why-sochi-matters/?page=2", headers={"accept-language": "ru"})

    assert response.status_code == 302
    assert response["Location"] == "/ru/articles/why-sochi-matters/?page=2"


def test_public_routes_carry_the_active_language():
    assert in_language("en", "commentary:home") == "/en/"
    assert in_language("ru", "commentary:home") == "/ru/"
    assert in_language("ru", "commentary:article", slug="x") == "/ru/articles/x/"
    assert in_language("ru", "commentary:corrections") == "/ru/corrections/"
    assert in_language("ru", "accounts:log-in") == "/ru/accounts/log-in/"


def test_staff_tools_and_the_language_switch_have_no_language_prefix(client):
    with translation.override("ru"):
        assert reverse("admin:index") == "/admin/"
        assert reverse("moderation:queue") == "/moderation/"
        assert reverse("set_language") == "/i18n/setlang/"

    assert client.get("/en/admin/").status_code == 404
    assert client.get("/ru/moderation/").status_code == 404
    assert client.get("/admin/").status_code == 302  # to the admin's own log-in, unprefixed
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


PUBLIC_PAGES = {
    "home": lambda article: ("commentary:home", {}),
    "article": lambda article: ("commentary:article", {"slug": article.slug}),
    "column": lambda article: ("commentary:column", {"slug": article.column.slug}),
    "author": lambda article: ("commentary:author", {"slug": "richard-weitz"}),
    "tag": lambda article: ("commentary:tag", {"slug": "russia"}),
    "year": lambda article: ("commentary:archive_year", {"year": 2014}),
    "month": lambda article: ("commentary:archive_month", {"year": 2014, "month": 2}),
    "corrections": lambda article: ("commentary:corrections", {}),
    "search": lambda article: ("commentary:search", {}),
    "report": lambda article: (
        "commentary:report_comment",
        {"pk": article.comments.approved().get().pk},
    ),
    "log-in": lambda article: ("accounts:log-in", {}),
    "sign-up": lambda article: ("accounts:sign-up", {}),
}
# A label of the header, in each language: the page's interface is in the address's language.
HEADER_LABEL = {"en": "Skip to content", "ru": "Перейти к содержанию"}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("page", list(PUBLIC_PAGES))
def test_every_public_page_answers_under_both_prefixes_in_that_language(
    client, frozen, original, page, language
):
    CommentFactory(article=original, approved=True)
    view_name, kwargs = PUBLIC_PAGES[page](original)
    url = in_language(language, view_name, **kwargs)
    other = "ru" if language == "en" else "en"

    # The address decides, whatever the browser asks for.
    response = client.get(url, headers={"accept-language": other})

    assert response.status_code == 200
    assert url.startswith(f"/{language}/")
    assert response["Content-Language"] == language
    assertContains(response, HEADER_LABEL[language])
    assertNotContains(response, HEADER_LABEL[other])


def test_the_article_page_in_russian_has_a_russian_interface_around_the_english_text(
    client, frozen, original
):
    response = client.get(article_url(original, "ru"))

    assertContains(response, '<html lang="en">')  # the article's own language
    assertContains(response, "Оставить комментарий")
    assertNotContains(response, "Leave a comment")
    assertContains(response, "Why Sochi Matters")


def test_dates_follow_the_language_of_the_address(client, frozen, original):
    russian = client.get(article_url(original, "ru"), headers={"accept-language": "en"})
    english = client.get(article_url(original, "en"), headers={"accept-language": "ru"})

    byline_date = '<time datetime="2014-02-11T10:00:00+00:00">{}</time>'
    assertContains(russian, byline_date.format("11 февраля 2014"), html=True)
    assertContains(english, byline_date.format("11 Feb 2014"), html=True)
    assertNotContains(russian, "11 Feb 2014")


# --- hreflang ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_list_page_names_itself_in_every_language_with_absolute_urls(client, original, language):
    response = client.get(in_language(language, "commentary:column", slug="global-insights"))

    assert hreflang_links(response) == {
        "en": f"{HOST}/en/columns/global-insights/",
        "ru": f"{HOST}/ru/columns/global-insights/",
        "x-default": f"{HOST}/en/columns/global-insights/",
    }


def test_hreflang_keeps_the_page_number_and_nothing_else_of_the_query(client):
    ArticleFactory.create_batch(django_settings.ARTICLES_PER_PAGE + 1)

    response = client.get("/ru/?page=2&utm_source=newsletter")

    assert response.status_code == 200
    assert hreflang_links(response) == {
        "en": f"{HOST}/en/?page=2",
        "ru": f"{HOST}/ru/?page=2",
        "x-default": f"{HOST}/en/?page=2",
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_article_and_its_translation_name_each_other_by_their_content_language(
    client, original, translated, language
):
    expected = {
        "en": f"{HOST}/en/articles/why-sochi-matters/",
        "ru": f"{HOST}/ru/articles/pochemu-sochi-vazhen/",
        "x-default": f"{HOST}/en/articles/why-sochi-matters/",  # the original
    }

    # The same set from either article, under either interface.
    assert hreflang_links(client.get(article_url(original, language))) == expected
    assert hreflang_links(client.get(article_url(translated, language))) == expected


def test_a_russian_original_is_the_x_default_of_its_english_translation(client):
    russian = ArticleFactory(slug="rossiya", language=Article.Language.RUSSIAN)
    english = ArticleFactory(slug="russia", translation_of=russian)

    links = hreflang_links(client.get(article_url(english, "en")))

    assert links == {
        "en": f"{HOST}/en/articles/russia/",
        "ru": f"{HOST}/ru/articles/rossiya/",
        "x-default": f"{HOST}/ru/articles/rossiya/",
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_untranslated_article_names_only_its_own_language(client, original, language):
    links = hreflang_links(client.get(article_url(original, language)))

    # Not "ru" for /ru/articles/…: that page is the same English text.
    assert links == {
        "en": f"{HOST}/en/articles/why-sochi-matters/",
        "x-default": f"{HOST}/en/articles/why-sochi-matters/",
    }


@pytest.mark.parametrize(
    "hidden",
    [
        pytest.param({"status": Article.Status.DRAFT, "published_at": None}, id="draft"),
        pytest.param({"published_at": timezone.now() + datetime.timedelta(days=1)}, id="future"),
        pytest.param(
            {
                "published_at": timezone.now() - datetime.timedelta(days=2),
                "expires_at": timezone.now() - datetime.timedelta(days=1),
            },
            id="expired",
        ),
    ],
)
def test_a_translation_readers_cannot_see_is_neither_linked_nor_named(client, original, hidden):
    ArticleFactory(language=Article.Language.RUSSIAN, translation_of=original, **hidden)

    response = client.get(article_url(original, "ru"))

    assert set(hreflang_links(response)) == {"en", "x-default"}
    assertNotContains(response, READ_IN_RUSSIAN)
    assertContains(response, ONLY_IN_ENGLISH_RU)


def test_previews_staff_pages_and_missing_pages_have_no_hreflang(client, editor, moderator):
    draft = DraftArticleFactory()
    client.force_login(editor)
    preview = client.get(in_language("en", "commentary:preview", pk=draft.pk))
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue"))
    missing = client.get("/ru/no/such/page/")

    assert preview.status_code == 200 and queue.status_code == 200 and missing.status_code == 404
    for response in (preview, queue, missing):
        assert hreflang_links(response) == {}


# --- the language switcher --------------------------------------------------------------------


def test_the_switcher_posts_the_same_page_in_the_other_language(client, original):
    url = article_url(original, "en")
    response = client.get(f"{url}?reply_to=7")

    forms = switcher_forms(response)

    assert list(forms) == ["ru"]  # the current language is shown, not offered
    assert forms["ru"]["action"] == "/i18n/setlang/"
    assert forms["ru"]["next"] == "/ru/articles/why-sochi-matters/?reply_to=7"
    assertContains(response, '<span class="language-form__current" lang="en" aria-current="true">')
    assertContains(
        response,
        '<button type="submit" class="button button--small" lang="ru">Русский</button>',
        html=True,
    )


def test_switching_lands_on_the_same_page_in_the_other_language_without_script(client, original):
    forms = switcher_forms(client.get(in_language("ru", "commentary:tag", slug="russia")))

    response = client.post(forms["en"]["action"], {"language": "en", "next": forms["en"]["next"]})

    assert response.status_code == 302
    assert response["Location"] == "/en/tags/russia/"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assertContains(client.get(response["Location"]), "Skip to content")


def test_the_switcher_on_a_staff_page_keeps_its_address(client, moderator):
    client.force_login(moderator)

    forms = switcher_forms(client.get("/moderation/?tab=reported"))

    assert forms["ru"]["next"] == "/moderation/?tab=reported"


def test_the_switcher_on_a_missing_page_swaps_the_prefix(client):
    forms = switcher_forms(client.get("/en/no/such/page/"))

    assert forms["ru"]["next"] == "/ru/no/such/page/"


# --- links between translations ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_original_links_to_its_russian_translation_in_russian(
    client, original, translated, language
):
    response = client.get(article_url(original, language))

    assertContains(
        response,
        '<p class="byline article__translation" lang="ru">Читать по-русски: '
        '<a href="/ru/articles/pochemu-sochi-vazhen/" hreflang="ru">Почему Сочи важен</a></p>',
        html=True,
    )
    assertNotContains(response, ONLY_IN_ENGLISH_RU)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_translation_links_back_to_the_english_original_in_english(
    client, original, translated, language
):
    response = client.get(article_url(translated, language))

    assertContains(
        response,
        '<p class="byline article__translation" lang="en">Read in English: '
        '<a href="/en/articles/why-sochi-matters/" hreflang="en">Why Sochi Matters</a></p>',
        html=True,
    )
    assertNotContains(response, READ_IN_RUSSIAN)


def test_the_link_stands_right_under_the_byline(client, original, translated):
    text = client.get(article_url(original, "en")).text

    byline = text.index('<p class="byline">By ')
    # The next paragraph after the byline.
    assert text.index("<p", byline + 1) == text.index('<p class="byline article__translation"')


def test_an_english_article_says_so_under_a_russian_interface(client, original):
    russian = client.get(article_url(original, "ru"))
    english = client.get(article_url(original, "en"))

    assertContains(
        russian,
        f'<p class="byline article__translation article__translation--none" lang="ru">'
        f"{ONLY_IN_ENGLISH_RU}</p>",
        html=True,
    )
    assertNotContains(english, "article__translation")
    assertNotContains(english, ONLY_IN_ENGLISH_EN)


def test_a_russian_article_says_so_under_an_english_interface(client):
    article = ArticleFactory(language=Article.Language.RUSSIAN, title="Россия и Китай")

    assertContains(client.get(article_url(article, "en")), ONLY_IN_RUSSIAN_EN)
    assertNotContains(client.get(article_url(article, "ru")), "article__translation")


def test_a_sibling_translation_is_found_through_the_original(client, original):
    """Two translations of one original: each finds the original (the only other language
    here is the original's), and the original finds the newest Russian one."""
    older = ArticleFactory(
        language="ru", translation_of=original, published_at=PUBLISHED, title="Старый перевод"
    )
    newer = ArticleFactory(
        language="ru",
        translation_of=original,
        published_at=PUBLISHED + datetime.timedelta(days=1),
        title="Новый перевод",
    )

    assertContains(client.get(article_url(original, "en")), newer.title)
    assertNotContains(client.get(article_url(original, "en")), older.title)
    assertContains(client.get(article_url(older, "ru")), "Read in English: ")


@pytest.mark.parametrize("with_translation", [False, True], ids=["alone", "translated"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_translation_lookup_is_one_query_for_the_head_and_the_byline(
    client, django_assert_num_queries, original, with_translation, language
):
    if with_translation:
        ArticleFactory(language="ru", translation_of=original)
        ArticleFactory(language="ru", translation_of=original)
    url = article_url(original, language)

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert ("ru" in hreflang_links(response)) is with_translation


# --- the editors' side ------------------------------------------------------------------------


def test_editors_pick_the_translated_article_with_autocomplete(client, editor, original):
    client.force_login(editor)

    response = client.get(reverse("admin:commentary_article_add"))

    assert "translation_of" in ArticleAdmin.autocomplete_fields
    assertContains(response, 'name="translation_of"')
    assertContains(response, "admin-autocomplete")
    assert reverse("admin:commentary_article_add").startswith("/admin/")


def test_the_canonical_link_names_the_article_under_its_own_language(client):
    article = ArticleFactory(language="en")

    with translation.override("ru"):
        russian_interface = reverse("commentary:article", kwargs={"slug": article.slug})
    response = client.get(russian_interface)

    with translation.override("en"):
        own = reverse("commentary:article", kwargs={"slug": article.slug})
    assertContains(response, f'<link rel="canonical" href="http://testserver{own}">', html=True)
