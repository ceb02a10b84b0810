"""Editors never lose work: warnings about concurrent editors, refused stale saves, text kept
after a failed save, and what the autosave script needs from the page."""

import datetime
import html
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from commentary.admin.editing import editor_opened
from commentary.models import Article
from tests.commentary.test_revisions import change_url, form_data
from tests.factories import ArticleFactory, DraftArticleFactory, EditorFactory

pytestmark = pytest.mark.django_db

OPENED = datetime.datetime(2014, 2, 18, 10, 30, tzinfo=datetime.UTC)
WARNING_TAIL = "Save carefully: the last save wins."


def minutes(count):
    return OPENED + datetime.timedelta(minutes=count)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def warnings(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def anna(db):
    return EditorFactory(display_name="Anna Editor")


@pytest.fixture
def boris(db):
    return EditorFactory(display_name="Boris Editor")


@pytest.fixture
def article(db):
    # Written the day before the editors open it.
    with time_machine.travel(OPENED - datetime.timedelta(days=1), tick=False):
        return DraftArticleFactory(title="Sochi Summit", body="<p>Xi and Putin met.</p>")


# --- two editors on one article -------------------------------------------------------------


def test_the_second_editor_is_told_who_else_has_the_article_open(anna, boris, article):
    with time_machine.travel(OPENED, tick=False):
        first = logged_in(anna).get(change_url(article))
    with time_machine.travel(minutes(3), tick=False):
        second = logged_in(boris).get(change_url(article))

    assert warnings(first) == []
    assert warnings(second) == [
        "Anna Editor is also editing this article (opened 3 minutes ago). " + WARNING_TAIL
    ]
    assert "Anna Editor is also editing this article (opened 3 minutes ago)." in second.text


def test_the_first_editor_is_told_on_their_next_load(anna, boris, article):
    annas_client = logged_in(anna)
    with time_machine.travel(OPENED, tick=False):
        annas_client.get(change_url(article))
    with time_machine.travel(minutes(1), tick=False):
        logged_in(boris).get(change_url(article))
    with time_machine.travel(minutes(2), tick=False):
        reload = annas_client.get(change_url(article))

    assert warnings(reload) == [
        "Boris Editor is also editing this article (opened 1 minute ago). " + WARNING_TAIL
    ]


def test_an_editor_who_opened_it_over_fifteen_minutes_ago_is_not_mentioned(anna, boris, article):
    with time_machine.travel(OPENED, tick=False):
        logged_in(anna).get(change_url(article))
    with time_machine.travel(minutes(16), tick=False):
        later = logged_in(boris).get(change_url(article))

    assert warnings(later) == []


def test_an_editor_is_not_warned_about_themselves_or_other_articles(anna, boris, article):
    other = DraftArticleFactory()
    annas_client = logged_in(anna)
    with time_machine.travel(OPENED, tick=False):
        annas_client.get(change_url(article))
        logged_in(boris).get(change_url(other))
    with time_machine.travel(minutes(2), tick=False):
        reload = annas_client.get(change_url(article))

    assert warnings(reload) == []


def test_an_editor_who_saved_no_longer_counts_as_editing(anna, boris, article):
    annas_client = logged_in(anna)
    with time_machine.travel(OPENED, tick=False):
        page = annas_client.get(change_url(article))
        assert annas_client.post(change_url(article), form_data(page)).status_code == 302
    with time_machine.travel(minutes(1), tick=False):
        later = logged_in(boris).get(change_url(article))

    assert warnings(later) == []


def test_just_opened_reads_less_than_a_minute(anna, article):
    with time_machine.travel(OPENED, tick=False):
        editor_opened(article.pk, anna)
        others = editor_opened(article.pk, EditorFactory(display_name="Boris Editor"))

    assert others == [("Anna Editor", OPENED)]


# --- stale saves ----------------------------------------------------------------------------


def test_a_save_from_a_form_opened_before_someone_elses_save_is_refused(anna, boris, article):
    annas_client, boris_client = logged_in(anna), logged_in(boris)
    with time_machine.travel(OPENED, tick=False):
        annas_page = annas_client.get(change_url(article))
        boris_page = boris_client.get(change_url(article))
    with time_machine.travel(datetime.datetime(2014, 2, 18, 10, 42, tzinfo=datetime.UTC)):
        boris_client.post(
            change_url(article), form_data(boris_page, body="<p>Boris's version.</p>")
        )
    with time_machine.travel(minutes(15), tick=False):
        refused = annas_client.post(
            change_url(article),
            form_data(annas_page, body="<p>Anna's careful paragraph.</p>", title="Anna's title"),
        )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [
        "Someone saved this article at 10:42 after you opened it. Your text is kept below; "
        "copy what you need, reload, and re-apply."
    ]
    assert "Someone saved this article at 10:42 after you opened it." in refused.text
    body_textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', refused.text, re.S)
    assert html.unescape(body_textarea.group(1)).strip() == "<p>Anna's careful paragraph.</p>"
    assert 'value="Anna&#x27;s title"' in refused.text
    article.refresh_from_db()
    assert article.body == "<p>Boris's version.</p>"
    assert article.title == "Sochi Summit"


def test_a_save_from_an_up_to_date_form_goes_through(anna, boris, article):
    with time_machine.travel(OPENED, tick=False):
        logged_in(boris).get(change_url(article))
    annas_client = logged_in(anna)
    with time_machine.travel(minutes(1), tick=False):
        page = annas_client.get(change_url(article))
        saved = annas_client.post(change_url(article), form_data(page, title="Anna's title"))

    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.title == "Anna's title"


def test_saving_twice_from_the_same_browser_needs_the_fresh_form(anna, article):
    client = logged_in(anna)
    with time_machine.travel(OPENED, tick=False):
        page = client.get(change_url(article))
        client.post(change_url(article), form_data(page, title="First save"))
    with time_machine.travel(minutes(1), tick=False):
        again = client.post(change_url(article), form_data(page, title="From the old page"))
        fresh = client.get(change_url(article))
        saved = client.post(change_url(article), form_data(fresh, title="From the new page"))

    assert again.status_code == 200
    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.title == "From the new page"


# --- text kept after a failed save ----------------------------------------------------------


def test_a_failed_save_keeps_the_body_text_in_the_form(anna, article):
    client = logged_in(anna)
    page = client.get(change_url(article))
    text = "<p>Three paragraphs of new analysis on the <strong>Sochi</strong> summit.</p>"

    failed = client.post(change_url(article), form_data(page, title="", body=text))

    assert failed.status_code == 200
    assert "title" in failed.context["adminform"].form.errors
    body_textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', failed.text, re.S)
    assert html.unescape(body_textarea.group(1)).strip() == text
    article.refresh_from_db()
    assert article.body == "<p>Xi and Putin met.</p>"


# --- what the page gives the autosave script and the editor ---------------------------------


def test_the_change_form_loads_the_autosave_script_and_carries_the_version(anna):
    article = ArticleFactory()
    page = logged_in(anna).get(change_url(article))

    assert page.status_code == 200
    assert '<script src="/static/js/article-autosave.js"></script>' in page.text
    assert 'href="/static/css/admin-editor.css"' in page.text
    marker = re.search(r'<input type="hidden" name="opened_version"[^>]*>', page.text).group(0)
    assert f'data-autosave-article="{article.pk}"' in marker
    assert f'data-autosave-updated-at="{article.updated_at.isoformat()}"' in marker
    assert f'value="{article.updated_at.isoformat()}"' in marker
    assert 'data-autosave-restore="Restore unsaved text"' in marker
    assert 'data-autosave-discard="Discard"' in marker


def test_the_add_form_keys_its_unsaved_text_as_new(anna):
    page = logged_in(anna).get(reverse("admin:commentary_article_add"))

    assert page.status_code == 200
    assert 'data-autosave-article="new"' in page.text
    assert 'data-autosave-updated-at=""' in page.text
    assert "js/article-autosave.js" in page.text


def test_the_changelist_loads_the_script_that_clears_saved_text(anna):
    page = logged_in(anna).get(reverse("admin:commentary_article_changelist"))

    assert "js/article-autosave.js" in page.text


def test_the_change_page_renders_the_rich_text_editor(anna):
    article = ArticleFactory()

    page = logged_in(anna).get(change_url(article))

    assert page.status_code == 200
    assert "django_prose_editor/editor.js" in page.text
    assert "django_prose_editor/configurable.js" in page.text
    assert "django_prose_editor/editor.css" in page.text
    textarea = re.search(r'<textarea name="body"[^>]*>', page.text).group(0)
    config = json.loads(
        html.unescape(re.search(r'data-django-prose-editor-configurable="([^"]*)"', textarea)[1])
    )
    extensions = config["extensions"]
    assert extensions["Heading"] == {"levels": [2, 3, 4]}
    assert extensions["Link"]["protocols"] == ["http", "https", "mailto"]
    for name in ("Bold", "Italic", "Strike", "Subscript", "Superscript", "BulletList",
                 "OrderedList", "ListItem", "Blockquote", "HorizontalRule", "HardBreak",
                 "History"):  # fmt: skip
        assert name in extensions
    assert "Underline" not in extensions
    assert "Footnotes: write the note" in page.text


def test_the_admin_pages_add_no_inline_script(anna):
    article = ArticleFactory()
    client = logged_in(anna)
    client.get(change_url(article))
    client.post(change_url(article), form_data(client.get(change_url(article)), title="Saved"))
    pages = [
        client.get(change_url(article)),
        client.get(reverse("admin:commentary_article_history", args=[article.pk])),
    ]

    for page in pages:
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
        # Django's own admin data blocks and the editor's import map are data, not code.
        assert all(
            'type="application/json"' in attrs or 'type="importmap"' in attrs for attrs in scripts
        ), scripts
        assert "onclick=" not in page.text
        assert "autosave-banner" not in page.text


def test_saving_a_new_article_through_the_add_form_works(anna):
    client = logged_in(anna)
    page = client.get(reverse("admin:commentary_article_add"))
    data = form_data(
        page,
        title="A New Column",
        slug="a-new-column",
        body="<p>Fresh text.</p>",
        **{"article_authors-0-author": str(ArticleFactory().ordered_authors[0].pk)},
    )

    response = client.post(reverse("admin:commentary_article_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="a-new-column").body == "<p>Fresh text.</p>"


def test_someone_who_may_only_read_the_article_does_not_count_as_editing(anna, moderator, article):
    with time_machine.travel(OPENED, tick=False):
        logged_in(moderator).get(change_url(article))
    with time_machine.travel(minutes(1), tick=False):
        page = logged_in(anna).get(change_url(article))

    assert warnings(page) == []
