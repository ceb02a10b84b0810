"""Article history: revisions on every save, the history page, diffs and restoring."""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from reversion.models import Version

from commentary import services
from commentary.models import Article, Correction
from commentary.revisions import revision
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ContributorFactory,
    DraftArticleFactory,
    EditorFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2014, 2, 18, 10, 0, tzinfo=datetime.UTC)


class _FormReader(HTMLParser):
    """Collects what a browser would send for the form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = []
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # Browsers drop the newline that follows <textarea>.
            self.data.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_data(response, form_id="article_form", **changes):
    """What the browser posts for the page's form, with ``changes`` applied."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    data.update(changes)
    return data


def sides(diff):
    """The old and the new text a diff shows."""
    old = re.sub(r"<ins>.*?</ins>", "", str(diff), flags=re.DOTALL)
    new = re.sub(r"<del>.*?</del>", "", str(diff), flags=re.DOTALL)
    return tuple(html.unescape(re.sub(r"<[^>]+>", "", side)) for side in (old, new))


def change_url(article):
    return reverse("admin:commentary_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    url = change_url(article)
    response = client.post(url, form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def versions(article):
    return list(
        Version.objects.get_for_object(article).select_related("revision__user").order_by("pk")
    )


@pytest.fixture
def anna(db):
    return EditorFactory(display_name="Anna Editor")


@pytest.fixture
def as_anna(client, anna):
    client.force_login(anna)
    return client


def test_every_admin_save_keeps_a_revision_with_the_editor_and_the_change_message(as_anna, anna):
    article = DraftArticleFactory(title="Russia and China", body="<p>Moscow hesitates.</p>")

    save_in_admin(as_anna, article, title="Russia and China, Again", body="<p>Moscow agrees.</p>")
    save_in_admin(as_anna, article, summary="A new summary.")

    saved = versions(article)
    assert len(saved) == 2
    assert [version.revision.user for version in saved] == [anna, anna]
    assert saved[0].revision.comment == "Changed Title and Body."
    assert saved[1].revision.comment == "Changed Summary."
    assert saved[0].field_dict["title"] == "Russia and China, Again"
    assert saved[1].field_dict["summary"] == "A new summary."


def test_a_revision_holds_the_byline_tags_and_corrections(as_anna):
    first, second = AuthorFactory(name="Richard Weitz"), AuthorFactory(name="Anna Borshchevskaya")
    article = ArticleFactory(authors=[first, second], tags=["Russia", "China"])
    Correction.objects.create(article=article, note="The summit was on Feb. 6.")

    save_in_admin(as_anna, article, title="A new title")

    [version] = versions(article)
    held = sorted(
        (related.content_type.model, related.object_repr)
        for related in version.revision.version_set.select_related("content_type")
    )
    assert [model for model, _repr in held] == [
        "article",
        "articleauthor",
        "articleauthor",
        "correction",
        "taggedarticle",
        "taggedarticle",
    ]
    assert ("articleauthor", "Richard Weitz") in held
    assert ("articleauthor", "Anna Borshchevskaya") in held


def test_the_history_page_lists_who_saved_when_and_what(as_anna):
    article = DraftArticleFactory()
    with time_machine.travel(START, tick=False):
        save_in_admin(as_anna, article, title="First title")
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False):
        save_in_admin(as_anna, article, title="Second title")

    page = as_anna.get(reverse("admin:commentary_article_history", args=[article.pk]))

    assert page.status_code == 200
    text = page.text
    assert text.count("Anna Editor") >= 2
    assert text.count("Changed Title.") == 2
    assert "18 Feb 2014, 10:00" in text
    assert "18 Feb 2014, 10:05" in text
    assert text.count("Restore this version") == 2
    assert 'name="version_id1"' in text
    assert "style=" not in text.split('id="change-history"')[1]


def test_the_diff_shows_the_changed_words_escaped(as_anna):
    article = DraftArticleFactory(title="Sanctions", body="<p>Moscow hesitates to sign.</p>")
    save_in_admin(as_anna, article)
    save_in_admin(
        as_anna,
        article,
        title="Sanctions <script>alert(1)</script>",
        body="<p>Moscow agrees to sign.</p><p>A <strong>second</strong> paragraph.</p>",
    )
    older, newer = versions(article)

    page = as_anna.get(
        reverse("admin:commentary_article_compare", args=[article.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    assert page.status_code == 200
    text = page.text
    assert re.search(r"<del>[^<]*hesitates[^<]*</del>", text)
    assert re.search(r"<ins>[^<]*agrees[^<]*</ins>", text)
    assert re.search(r"<ins>[^<]*A second paragraph\.[^<]*</ins>", text)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # Unchanged fields are not listed.
    assert ">Summary<" not in text


def test_the_diff_shows_a_change_of_byline_order_and_tags(as_anna):
    first, second = AuthorFactory(name="Richard Weitz"), AuthorFactory(name="Anna Borshchevskaya")
    article = ArticleFactory(authors=[first, second], tags=["Russia"])
    save_in_admin(as_anna, article)
    save_in_admin(
        as_anna,
        article,
        **{"article_authors-0-position": "1", "article_authors-1-position": "0"},
        tags="Russia, Arms trade",
    )
    older, newer = versions(article)

    page = as_anna.get(
        reverse("admin:commentary_article_compare", args=[article.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    compare_data = {
        str(entry["field"]["verbose_name"]): sides(entry["diff"])
        for entry in page.context["compare_data"]
    }
    assert compare_data == {
        "Byline": ("Richard Weitz, Anna Borshchevskaya", "Anna Borshchevskaya, Richard Weitz"),
        "Tags": ("Russia", "Arms trade, Russia"),
    }


def test_restoring_a_revision_brings_back_title_body_byline_order_and_tags(as_anna, anna):
    first, second = AuthorFactory(name="Richard Weitz"), AuthorFactory(name="Anna Borshchevskaya")
    article = DraftArticleFactory(
        title="The Old Title", body="<p>The old text.</p>", authors=[first, second]
    )
    article.tags.add("Russia", "China")
    save_in_admin(as_anna, article)
    save_in_admin(
        as_anna,
        article,
        title="The New Title",
        body="<p>The new text.</p>",
        tags="Arms trade",
        **{"article_authors-0-position": "1", "article_authors-1-position": "0"},
    )
    article.refresh_from_db()
    assert article.title == "The New Title"
    assert [author.name for author in article.ordered_authors] == [
        "Anna Borshchevskaya",
        "Richard Weitz",
    ]
    old = versions(article)[0]
    url = reverse("admin:commentary_article_revision", args=[article.pk, old.pk])

    preview = as_anna.get(url)
    assert preview.status_code == 200
    assert 'value="The Old Title"' in preview.text
    article.refresh_from_db()
    assert article.title == "The New Title", "showing a revision must not change the article"

    response = as_anna.post(url, form_data(preview))

    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.title == "The Old Title"
    assert article.body == "<p>The old text.</p>"
    assert [author.name for author in article.ordered_authors] == [
        "Richard Weitz",
        "Anna Borshchevskaya",
    ]
    assert sorted(tag.name for tag in article.tags.all()) == ["China", "Russia"]
    latest = versions(article)[-1]
    assert latest.revision.user == anna
    assert latest.revision.comment.startswith("Reverted to previous version")


def test_restoring_leaves_the_publication_state_and_corrections_as_they_are(as_anna, anna):
    article = DraftArticleFactory(title="Draft title")
    save_in_admin(as_anna, article)
    draft_version = versions(article)[0]
    published_at = START
    services.article_publish(article=article, user=anna, published_at=published_at)
    correction = Correction.objects.create(article=article, note="The summit was on Feb. 6.")
    save_in_admin(as_anna, article, title="Published title")

    url = reverse("admin:commentary_article_revision", args=[article.pk, draft_version.pk])
    preview = as_anna.get(url)
    assert "The summit was on Feb. 6." in preview.text
    response = as_anna.post(url, form_data(preview))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Draft title"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == published_at
    assert list(article.corrections.values_list("pk", "note")) == [
        (correction.pk, "The summit was on Feb. 6.")
    ]


def test_a_moderator_reads_the_history_but_cannot_restore(client, moderator):
    editor = EditorFactory()
    client.force_login(editor)
    article = DraftArticleFactory(title="Original")
    save_in_admin(client, article, title="Edited")
    [version] = versions(article)
    client.force_login(moderator)

    history = client.get(reverse("admin:commentary_article_history", args=[article.pk]))
    restore = client.get(
        reverse("admin:commentary_article_revision", args=[article.pk, version.pk])
    )

    assert history.status_code == 200
    assert "Restore this version" not in history.text
    assert restore.status_code == 403


def test_a_contributor_cannot_read_or_restore_someone_elses_article(client):
    editor, contributor = EditorFactory(), ContributorFactory()
    client.force_login(editor)
    article = DraftArticleFactory(title="Not yours")
    save_in_admin(client, article)
    save_in_admin(client, article, title="Still not yours")
    older, newer = versions(article)
    client.force_login(contributor)

    compare = client.get(
        reverse("admin:commentary_article_compare", args=[article.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )
    restore = client.post(
        reverse("admin:commentary_article_revision", args=[article.pk, older.pk]), {}
    )

    assert compare.status_code in (403, 404)
    assert restore.status_code in (403, 404)
    article.refresh_from_db()
    assert article.title == "Still not yours"


def test_the_revision_helper_records_the_user_and_comment(editor):
    article = DraftArticleFactory(tags=["Russia"])

    with revision(editor, "Published."):
        article.title = "Changed by a service"
        article.save()

    [version] = versions(article)
    assert version.revision.user == editor
    assert version.revision.comment == "Published."
    assert version.field_dict["title"] == "Changed by a service"
    assert version.revision.version_set.filter(content_type__model="taggedarticle").count() == 1


def test_the_revision_helper_works_without_a_user():
    article = DraftArticleFactory()

    with revision(None, "Imported."):
        article.save()

    [version] = versions(article)
    assert version.revision.user is None
    assert version.revision.comment == "Imported."


def test_an_action_on_several_articles_gives_each_its_own_revision(as_anna, anna, monkeypatch):
    """Restoring one article must never restore another, so a bulk action must not put
    several articles in one revision (django-reversion's changelist wrapper would)."""
    publish = services.article_publish

    def publish_with_revision(*, article, user, **kwargs):
        with revision(user, "Published."):
            return publish(article=article, user=user, **kwargs)

    monkeypatch.setattr(services, "article_publish", publish_with_revision)
    first, second = DraftArticleFactory(), DraftArticleFactory()

    as_anna.post(
        reverse("admin:commentary_article_changelist"),
        {"action": "publish_selected", "_selected_action": [first.pk, second.pk], "index": 0},
    )

    [first_version], [second_version] = versions(first), versions(second)
    assert first_version.revision_id != second_version.revision_id
    assert first_version.revision.user == anna
    assert first_version.revision.comment == "Published."
    assert first_version.field_dict["status"] == Article.Status.PUBLISHED


def test_recovering_deleted_articles_is_for_editors_only(client, anna):
    changelist = reverse("admin:commentary_article_changelist")
    recover = reverse("admin:commentary_article_recoverlist")
    client.force_login(ContributorFactory())

    assert client.get(recover).status_code == 403
    assert "Recover deleted articles" not in client.get(changelist).text
    client.force_login(anna)
    assert client.get(recover).status_code == 200
    assert "Recover deleted articles" in client.get(changelist).text


def test_an_editor_recovers_a_deleted_article_with_its_byline(as_anna):
    author = AuthorFactory(name="Richard Weitz")
    article = DraftArticleFactory(title="Deleted by mistake", authors=[author])
    save_in_admin(as_anna, article)
    pk = article.pk
    as_anna.post(reverse("admin:commentary_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()
    [deleted] = Version.objects.get_deleted(Article)

    listed = as_anna.get(reverse("admin:commentary_article_recoverlist"))
    url = reverse("admin:commentary_article_recover", args=[deleted.pk])
    response = as_anna.post(url, form_data(as_anna.get(url)))

    assert "Deleted by mistake" in listed.text
    assert response.status_code == 302
    recovered = Article.objects.get(pk=pk)
    assert recovered.title == "Deleted by mistake"
    assert [author.name for author in recovered.ordered_authors] == ["Richard Weitz"]
