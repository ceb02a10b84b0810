"""Moving a WordPress site here: ``wordpress_import`` and the ``import_wordpress`` command.

Most tests import ``fixtures/wordpress-export.xml`` (site "Eurasia Desk", see
``test_wordpress.py`` for what the parser reads from it); edge cases the fixture does not
have are built with :func:`export` below.
"""

import dataclasses
import datetime
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Revision

from accounts.models import User
from accounts.roles import MODERATORS
from commentary import services
from commentary.models import (
    Article,
    ArticleAuthor,
    Author,
    Column,
    Comment,
    ModerationEvent,
    Tag,
    TaggedArticle,
)
from commentary.services import WordpressImportError, wordpress_import
from commentary.wordpress import parse_wxr
from tests.factories import AuthorFactory, ColumnFactory

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).resolve().parent / "fixtures" / "wordpress-export.xml"
UTC = datetime.UTC

NO_LIMITS = "moscow-beijing-no-limits"
BAKU = "баку-ереван"
DRAFT = "energy-notes-turkish-streams-arithmetic"  # no wp:post_name: slug from the title
SCHEDULED = "cpc-outages-kazakhstan"

DMITRI = "Good piece. The price gap is the whole story — Газпром needs this more than CNPC does."
ANNA_REPLY = "Спасибо, Дмитрий! Agreed — the price is where it stalls."
LI_WEI = "Beijing is in no hurry.\n中国不着急。"
LINK_COMMENT = (
    "The corridor text is public — see the memorandum "
    "(https://www.example.org/zangezur-memo.pdf) or https://www.example.org/map."
)
SPAM_TEXT = "Best prices on steel pipe"
PINGBACK_TEXT = "Eurasia Desk argues that Ankara is watching closely"


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def site():
    return parse_wxr(EXPORT)


@pytest.fixture
def imported(site):
    return wordpress_import(site=site)


def article(slug):
    return Article.objects.get(slug=slug)


def run_command(*args):
    out = StringIO()
    call_command("import_wordpress", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Article,
            ArticleAuthor,
            Author,
            Column,
            Comment,
            ModerationEvent,
            Tag,
            TaggedArticle,
            Revision,
            User,
        )
    }


# --- a small export for the cases the fixture does not cover -------------------------------


def comment_xml(wp_id, *, parent=0, approved="1", kind="comment", body=None, name=None, email=None):
    name = f"Reader {wp_id}" if name is None else name
    email = f"reader{wp_id}@example.org" if email is None else email
    body = f"Comment number {wp_id}, with a point to make." if body is None else body
    return f"""<wp:comment>
<wp:comment_id>{wp_id}</wp:comment_id>
<wp:comment_author><![CDATA[{name}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
<wp:comment_date_gmt>2024-05-01 10:{wp_id:02d}:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content>
<wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_type>{kind}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
</wp:comment>"""


def post_xml(wp_id, *, status="publish", title=None, name=None, categories=(), comments=()):
    title = f"Post {wp_id}" if title is None else title
    name = f"post-{wp_id}" if name is None else name
    terms = "".join(
        f'<category domain="category" nicename="{slug}"><![CDATA[{label}]]></category>'
        for slug, label in categories
    )
    return f"""<item>
<title><![CDATA[{title}]]></title>
<dc:creator>ed</dc:creator>
<content:encoded><![CDATA[The text of post {wp_id}.]]></content:encoded>
<wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>2024-05-01 12:00:00</wp:post_date>
<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
<wp:post_name><![CDATA[{name}]]></wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_type>post</wp:post_type>
{terms}
{"".join(comments)}
</item>"""


def export(*items):
    return parse_wxr(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Mini</title>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ed</wp:author_login>
<wp:author_display_name>Ed Itor</wp:author_display_name></wp:author>
{"".join(items)}
</channel>
</rss>""".encode()
    )


class _CommentNesting(HTMLParser):
    """Maps each ``<li id="comment-N">`` of a page to the comment ids it is nested in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ancestors = {}

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        element_id = dict(attrs).get("id") or ""
        if element_id.startswith("comment-"):
            self.ancestors[int(element_id.removeprefix("comment-"))] = [
                pk for pk in self.stack if pk is not None
            ]
            self.stack.append(int(element_id.removeprefix("comment-")))
        else:
            self.stack.append(None)

    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            self.stack.pop()


def comment_nesting(response):
    parser = _CommentNesting()
    parser.feed(response.content.decode())
    return parser.ancestors


# --- articles -------------------------------------------------------------------------------


def test_posts_become_articles_with_titles_slugs_and_dates(imported):
    rows = Article.objects.values_list("slug", "title", "column__name", "published_at", "language")
    assert {slug: rest for slug, *rest in rows} == {
        # The "Column:" prefix goes: pages show the column before the title. No language
        # field: guessed from the text. The date is wp:post_date_gmt, not Moscow time.
        NO_LIMITS: [
            "Moscow and Beijing’s “No Limits” Partnership Finds Its Limits",
            "Eurasia Watch",
            utc(2024, 3, 6, 9, 0),
            "en",
        ],
        # The percent-encoded Cyrillic post_name is the slug; the post's second category is
        # not its column; the "language" custom field says "ru".
        BAKU: ["Баку, Ереван и каспийский транзит", "Eurasia Watch", utc(2024, 3, 13, 8, 30), "ru"],
        # An empty post_name: the slug comes from the whole WordPress title; no date yet.
        DRAFT: ["Turkish Stream’s arithmetic", "Energy Notes", None, "en"],
        # The "_language" custom field says "en".
        SCHEDULED: [
            "What the Caspian Pipeline Consortium’s Outages Mean for Kazakhstan",
            "Energy Notes",
            utc(2024, 4, 2, 7, 30),
            "en",
        ],
    }
    assert str(article(NO_LIMITS)) == (
        "Eurasia Watch: Moscow and Beijing’s “No Limits” Partnership Finds Its Limits"
    )
    assert imported.articles_created == 4


def test_bodies_are_paragraphs_of_sanitised_html(imported):
    assert article(BAKU).body == (
        "<p>Пока Москва занята Украиной, Баку и Ереван торгуются о «Зангезурском коридоре».</p>\n"
        "<p>Анкара внимательно следит за переговорами.<br>\nТегеран — тоже.</p>"
    )
    assert article(DRAFT).body == (
        "<p>Notes for next week: volumes through Turkish Stream, Kıyıköy landfall, transit to "
        "Hungary.</p>\n<p>TODO — check BOTAŞ figures.</p>"
    )
    no_limits = article(NO_LIMITS).body
    assert no_limits.startswith(
        "<p>When Vladimir Putin and Xi Jinping declared a partnership “without limits” in "
        "February 2022, few expected the limits to show up in a gas pipeline.</p>\n"
        "<h2>Power of Siberia 2 — still on paper</h2>\n"
        "<p>Moscow wants Beijing to commit to the pipeline;<br>\n"
        "Beijing wants a price that Gazprom cannot accept.</p>\n<blockquote>"
    )
    assert no_limits.endswith(
        "<p>The result is a partnership that looks solid from Red Square and Tiananmen, and "
        "rather thinner from Ürümqi.</p>"
    )


def test_summary_is_the_excerpt_or_else_the_first_paragraph(imported):
    assert article(NO_LIMITS).summary == (
        "Why the “no limits” partnership keeps running into a pipeline."
    )
    assert article(SCHEDULED).summary == (
        "Kazakhstan ships about 80% of its oil exports through the CPC line to Novorossiysk."
    )
    assert article(BAKU).summary == (
        "Пока Москва занята Украиной, Баку и Ереван торгуются о «Зангезурском коридоре»."
    )


def test_long_first_paragraph_is_cut_to_forty_words():
    words = " ".join(f"word{number}" for number in range(60))
    site = export(post_xml(1))
    post = dataclasses.replace(site.posts[0], content_html=words)

    wordpress_import(site=dataclasses.replace(site, posts=(post,)))

    summary = Article.objects.get().summary
    assert summary == " ".join(f"word{number}" for number in range(40)) + "…"


def test_statuses_map_to_ours_and_the_future_post_is_scheduled(imported):
    with time_machine.travel(utc(2024, 3, 20, 12, 0), tick=False):
        states = {row.slug: row.state for row in Article.objects.all()}
    assert states == {
        NO_LIMITS: "published",
        BAKU: "published",
        DRAFT: "draft",
        SCHEDULED: "scheduled",
    }


def test_scheduled_post_is_not_found_publicly_until_its_time(client, imported):
    url = article(SCHEDULED).get_absolute_url()

    with time_machine.travel(utc(2024, 4, 2, 7, 29, 59), tick=False):
        assert client.get(url).status_code == 404
        assert client.get(article(NO_LIMITS).get_absolute_url()).status_code == 200
    with time_machine.travel(utc(2024, 4, 2, 7, 30), tick=False):
        response = client.get(url)
    assert response.status_code == 200
    assert "Astana’s alternative — the Middle Corridor — is slow and expensive." in (
        response.content.decode()
    )


def test_draft_is_not_public(client, imported):
    assert client.get(article(DRAFT).get_absolute_url()).status_code == 404


def test_pending_private_and_trashed_posts():
    site = export(
        post_xml(1, status="pending"),
        post_xml(2, status="private"),
        post_xml(3, status="trash"),
        post_xml(4, status="auto-draft"),
    )

    result = wordpress_import(site=site)

    assert dict(Article.objects.values_list("slug", "status")) == {
        "post-1": Article.Status.IN_REVIEW,
        "post-2": Article.Status.DRAFT,
    }
    assert result.skipped == {"auto-draft post": 1, "trash post": 1}


def test_future_posts_may_be_imported_as_drafts_instead(site):
    wordpress_import(site=site, default_status_for_future=Article.Status.DRAFT)

    scheduled = article(SCHEDULED)
    assert scheduled.status == Article.Status.DRAFT
    assert scheduled.published_at == utc(2024, 4, 2, 7, 30)
    assert article(NO_LIMITS).status == Article.Status.PUBLISHED


def test_unknown_status_for_future_posts_is_refused(site):
    with pytest.raises(WordpressImportError, match="scheduled"):
        wordpress_import(site=site, default_status_for_future="live")
    assert not Article.objects.exists()


# --- authors, columns, tags -------------------------------------------------------------------


def test_authors_come_from_display_names_and_logins_without_accounts(imported):
    assert sorted(Author.objects.values_list("name", "slug", "user")) == [
        ("Tomás Okonkwo-Lindqvist", "tomas", None),
        ("Анна Волкова", "anna-volkova", None),
    ]
    assert [a.name for a in article(NO_LIMITS).ordered_authors] == ["Анна Волкова"]
    assert [a.name for a in article(BAKU).ordered_authors] == ["Tomás Okonkwo-Lindqvist"]
    assert not User.objects.exists()
    assert (imported.authors_created, imported.authors_unchanged) == (2, 0)


def test_an_author_the_site_already_has_is_found_by_name(site):
    known = AuthorFactory(name="Tomás Okonkwo-Lindqvist", slug="tomas-okonkwo-lindqvist")

    result = wordpress_import(site=site)

    assert article(BAKU).ordered_authors == [known]
    assert Author.objects.count() == 2
    assert (result.authors_created, result.authors_unchanged) == (1, 1)


def test_categories_become_columns_with_weekly_tuesday_defaults(imported):
    columns = Column.objects.order_by("name")
    assert [(c.name, c.slug, c.cadence, c.weekday, c.is_active) for c in columns] == [
        ("Energy Notes", "energy-notes", "weekly", Column.Weekday.TUESDAY, True),
        ("Eurasia Watch", "eurasia-watch", "weekly", Column.Weekday.TUESDAY, True),
    ]
    assert columns.get(name="Eurasia Watch").description == (
        "Anna Volkova’s weekly column on Moscow’s neighbourhood — «ближнее зарубежье»."
    )
    assert sorted(columns.get(name="Eurasia Watch").authors.values_list("name", flat=True)) == [
        "Tomás Okonkwo-Lindqvist",
        "Анна Волкова",
    ]


def test_column_map_puts_a_category_in_one_of_our_columns(site):
    ours = ColumnFactory(name="Global Insights", slug="global-insights")

    result = wordpress_import(site=site, column_for_category={"Eurasia Watch": "Global Insights"})

    assert article(NO_LIMITS).column == ours
    assert article(BAKU).column == ours
    # The WordPress category's prefix still goes from the title.
    assert article(NO_LIMITS).title == (
        "Moscow and Beijing’s “No Limits” Partnership Finds Its Limits"
    )
    # Unmapped categories give no column, and the title keeps its prefix.
    assert article(DRAFT).column is None
    assert article(DRAFT).title == "Energy Notes: Turkish Stream’s arithmetic"
    assert list(Column.objects.all()) == [ours]
    assert (result.columns_created, result.columns_updated) == (0, 1)  # authors were added


def test_column_map_naming_no_category_of_the_export_is_refused(site):
    with pytest.raises(WordpressImportError, match='"Eurasia Wach"'):
        wordpress_import(site=site, column_for_category={"Eurasia Wach": "Global Insights"})
    assert not Article.objects.exists()


def test_uncategorized_never_becomes_a_column():
    site = export(post_xml(1, categories=[("uncategorized", "Uncategorized")]))

    wordpress_import(site=site)

    assert Article.objects.get().column is None
    assert not Column.objects.exists()


def test_tags_are_kept_including_cyrillic_ones(client, imported):
    assert sorted(article(BAKU).tags.names()) == ["South Caucasus", "Türkiye", "Россия"]
    assert sorted(article(NO_LIMITS).tags.names()) == ["China", "Россия"]
    assert Tag.objects.filter(name="Россия").count() == 1  # one tag for both articles
    russia = Tag.objects.get(name="Россия")
    assert russia.slug == "россия"

    response = client.get(russia.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Moscow and Beijing’s “No Limits” Partnership Finds Its Limits" in page
    assert "Баку, Ереван и каспийский транзит" in page
    assert (imported.tags_created, imported.tags_unchanged) == (5, 0)


# --- comments ---------------------------------------------------------------------------------


def test_approved_comments_are_public_and_the_reply_sits_under_its_parent(client, imported):
    dmitri = Comment.objects.get(author_name="Dmitri K.")
    reply = Comment.objects.get(author_email="anna@eurasiadesk.example")
    assert (dmitri.status, dmitri.body, dmitri.parent, dmitri.depth) == (
        Comment.Status.APPROVED,
        DMITRI,
        None,
        0,
    )
    assert (reply.status, reply.body, reply.parent, reply.depth) == (
        Comment.Status.APPROVED,
        ANNA_REPLY,
        dmitri,
        1,
    )
    assert reply.author_name == "Анна Волкова"
    assert dmitri.created_at == dmitri.moderated_at == utc(2024, 3, 6, 11, 5, 31)
    assert reply.moderated_at == utc(2024, 3, 6, 12, 30)
    assert dmitri.moderated_by is None

    response = client.get(article(NO_LIMITS).get_absolute_url())

    page = response.content.decode()
    assert "Dmitri K." in page
    assert "Good piece. The price gap is the whole story" in page
    assert "the price is where it stalls." in page
    assert comment_nesting(response)[reply.pk] == [dmitri.pk]
    assert response.context["comment_count"] == 2
    assert "Beijing is in no hurry." not in page  # pending
    assert SPAM_TEXT not in page


def test_approved_comments_are_logged_as_imported(imported):
    events = ModerationEvent.objects.order_by("created_at")
    assert [(e.comment.author_name, e.actor, e.action, e.note, e.created_at) for e in events] == [
        ("Dmitri K.", None, "approved", "imported from WordPress", utc(2024, 3, 6, 11, 5, 31)),
        ("Анна Волкова", None, "approved", "imported from WordPress", utc(2024, 3, 6, 12, 30)),
    ]


def test_unapproved_comment_waits_in_the_moderation_queue(client, moderator, imported):
    li_wei = Comment.objects.get(author_name="Li Wei")
    assert (li_wei.status, li_wei.body, li_wei.moderated_at, li_wei.hold_reasons) == (
        Comment.Status.PENDING,
        LI_WEI,
        None,
        [],
    )
    assert not li_wei.events.exists()
    client.force_login(moderator)

    response = client.get(reverse("moderation:queue"))

    assert [c.author_name for c in response.context["comments"]] == ["Li Wei", "Gülnara Əliyeva"]
    assert "Beijing is in no hurry." in response.content.decode()


def test_approved_comment_with_a_link_is_held_for_a_moderator(client, moderator, imported):
    held = Comment.objects.get(author_email="gulnara@example.az")
    assert held.status == Comment.Status.PENDING
    assert held.body == LINK_COMMENT  # the anchor's address stays visible to the moderator
    assert held.hold_reasons == [
        {"code": "imported_link", "detail": "https://www.example.org/zangezur-memo.pdf"},
        {"code": "imported_link", "detail": "https://www.example.org/map"},
    ]
    assert held.moderated_at is None
    assert (imported.comments_pending, imported.comments_held_for_links) == (2, 1)

    public = client.get(article(BAKU).get_absolute_url()).content.decode()
    assert "memorandum" not in public
    assert "example.org" not in public

    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert "the memorandum (https://www.example.org/zangezur-memo.pdf)" in queue
    assert "Imported from WordPress with a link: https://www.example.org/map" in queue


def test_spam_and_pingbacks_are_skipped_and_counted(imported):
    assert not Comment.objects.filter(author_email="sales@spam.example").exists()
    assert not Comment.objects.filter(body__contains=SPAM_TEXT).exists()
    assert not Comment.objects.filter(body__contains=PINGBACK_TEXT).exists()
    assert Comment.objects.count() == 4
    assert imported.comments_created == 4
    assert imported.skipped == {"attachment": 1, "page": 1, "pingback": 1, "spam comment": 1}


def test_trashed_comments_and_trackbacks_are_skipped():
    site = export(
        post_xml(
            1,
            comments=[
                comment_xml(1, approved="trash"),
                comment_xml(2, kind="trackback"),
                comment_xml(3),
            ],
        )
    )

    result = wordpress_import(site=site)

    assert list(Comment.objects.values_list("author_name", flat=True)) == ["Reader 3"]
    assert result.skipped == {"trackback": 1, "trash comment": 1}


def test_replies_deeper_than_allowed_attach_to_the_deepest_allowed_ancestor():
    site = export(
        post_xml(
            1,
            comments=[
                # Written children first: parents are imported before their replies anyway.
                comment_xml(5, parent=4),
                comment_xml(4, parent=3),
                comment_xml(3, parent=2),
                comment_xml(2, parent=1),
                comment_xml(1),
            ],
        )
    )

    wordpress_import(site=site)

    by_name = {c.author_name: c for c in Comment.objects.select_related("parent")}
    assert {name: (c.parent and c.parent.author_name, c.depth) for name, c in by_name.items()} == {
        "Reader 1": (None, 0),
        "Reader 2": ("Reader 1", 1),
        "Reader 3": ("Reader 2", 2),
        "Reader 4": ("Reader 2", 2),
        "Reader 5": ("Reader 2", 2),
    }
    assert max(c.depth for c in by_name.values()) == Comment.MAX_DEPTH


def test_reply_to_a_skipped_comment_joins_the_nearest_imported_ancestor():
    site = export(
        post_xml(
            1,
            comments=[
                comment_xml(1),
                comment_xml(2, parent=1, approved="spam"),
                comment_xml(3, parent=2),
                comment_xml(4, parent=99),  # a parent missing from the export
            ],
        )
    )

    wordpress_import(site=site)

    parents = dict(Comment.objects.values_list("author_name", "parent__author_name"))
    assert parents == {"Reader 1": None, "Reader 3": "Reader 1", "Reader 4": None}


def test_blank_name_and_email_become_anonymous_and_unknown():
    site = export(
        post_xml(1, comments=[comment_xml(1, name="", email=""), comment_xml(2, email="nope")])
    )

    wordpress_import(site=site)

    assert list(Comment.objects.values_list("author_name", "author_email")) == [
        ("Anonymous", "unknown@example.invalid"),
        ("Reader 2", "unknown@example.invalid"),
    ]


def test_comment_breaking_another_rule_is_skipped_and_counted():
    site = export(post_xml(1, comments=[comment_xml(1, body="x"), comment_xml(2, body="<b></b>")]))

    result = wordpress_import(site=site)

    assert not Comment.objects.exists()
    assert result.skipped == {"empty comment": 1, "invalid comment": 1}


def test_comment_html_becomes_plain_text():
    body = "First line<br />second &amp; last.</p><p>A new paragraph with <em>emphasis</em>."
    site = export(post_xml(1, comments=[comment_xml(1, body=body)]))

    wordpress_import(site=site)

    assert Comment.objects.get().body == (
        "First line\nsecond & last.\n\nA new paragraph with emphasis."
    )


# --- running it again ---------------------------------------------------------------------------


def test_second_run_changes_nothing(site, imported):
    before = row_counts()
    updated = dict(Article.objects.values_list("slug", "updated_at"))

    again = wordpress_import(site=site)

    assert row_counts() == before
    assert dict(Article.objects.values_list("slug", "updated_at")) == updated
    assert again == services.WordpressImportResult(
        articles_unchanged=4,
        authors_unchanged=2,
        columns_unchanged=2,
        tags_unchanged=5,
        comments_unchanged=4,
        skipped={"attachment": 1, "page": 1, "pingback": 1, "spam comment": 1},
    )


def test_each_imported_article_gets_one_revision_in_its_history(site, imported):
    revisions = Revision.objects.all()
    assert revisions.count() == 4
    assert {revision.comment for revision in revisions} == {"Imported from WordPress."}

    wordpress_import(site=site)

    assert Revision.objects.count() == 4


def test_a_later_export_updates_the_same_article(site, imported):
    original = article(NO_LIMITS)
    posts = tuple(
        dataclasses.replace(post, title="Eurasia Watch: The Limits Are Real")
        if post.slug == NO_LIMITS
        else post
        for post in site.posts
    )

    result = wordpress_import(site=dataclasses.replace(site, posts=posts))

    changed = article(NO_LIMITS)
    assert changed.pk == original.pk
    assert changed.title == "The Limits Are Real"
    assert changed.updated_at > original.updated_at
    assert (result.articles_created, result.articles_updated, result.articles_unchanged) == (
        0,
        1,
        3,
    )


def test_a_moderators_decision_on_an_imported_comment_survives_a_reimport(
    site, moderator, imported
):
    li_wei = Comment.objects.get(author_name="Li Wei")
    services.comment_reject(comment=li_wei, moderator=moderator, notify=False)

    wordpress_import(site=site)

    assert Comment.objects.filter(author_name="Li Wei").count() == 1
    assert Comment.objects.get(author_name="Li Wei").status == Comment.Status.REJECTED


# --- who may import ---------------------------------------------------------------------------


def test_a_user_needs_to_publish_and_moderate_to_import(site, editor):
    with pytest.raises(PermissionDenied):
        wordpress_import(site=site, user=editor)  # publishes, but does not moderate
    assert not Article.objects.exists()

    editor.groups.add(Group.objects.get(name=MODERATORS))
    editor = User.objects.get(pk=editor.pk)  # permissions are cached on the instance
    wordpress_import(site=site, user=editor)

    assert set(Article.objects.values_list("created_by", flat=True)) == {editor.pk}
    assert set(ModerationEvent.objects.values_list("actor", flat=True)) == {editor.pk}


# --- the command -----------------------------------------------------------------------------


def test_command_prints_a_summary_line_per_kind():
    assert run_command(EXPORT) == [
        "articles: 4 created, 0 updated, 0 unchanged",
        "authors: 2 created, 0 updated, 0 unchanged",
        "columns: 2 created, 0 updated, 0 unchanged",
        "tags: 5 created, 0 already there",
        "comments: 4 created, 0 unchanged; 2 waiting for moderation, 1 of them held for links",
        "skipped: 1 attachment, 1 page, 1 pingback, 1 spam comment",
    ]
    assert run_command(EXPORT)[:2] == [
        "articles: 0 created, 0 updated, 4 unchanged",
        "authors: 0 created, 0 updated, 2 unchanged",
    ]


def test_command_column_map():
    ColumnFactory(name="Global Insights", slug="global-insights")

    run_command(
        EXPORT,
        "--column-map",
        "Eurasia Watch=Global Insights",
        "--column-map",
        "Energy Notes = Energy",
    )

    assert dict(Article.objects.values_list("slug", "column__name")) == {
        NO_LIMITS: "Global Insights",
        BAKU: "Global Insights",
        DRAFT: "Energy",
        SCHEDULED: "Energy",
    }


def test_dry_run_reports_but_writes_nothing():
    before = row_counts()

    output = run_command(EXPORT, "--dry-run")

    assert output[0] == "articles: 4 created, 0 updated, 0 unchanged"
    assert output[-1] == "dry run: nothing was saved"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<rss><channel><item></channel></rss>", "malformed XML"),
        (b"", "the file is empty"),
        (b"<html><body>Not found</body></html>", "not a WordPress export"),
    ],
)
def test_bad_file_is_refused_on_one_line_naming_it(tmp_path, content, expected):
    path = tmp_path / "export.xml"
    path.write_bytes(content)

    with pytest.raises(CommandError) as refused:
        run_command(path)

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert not Article.objects.exists()


def test_missing_file_is_refused_on_one_line(tmp_path):
    missing = tmp_path / "no-such-export.xml"

    with pytest.raises(CommandError, match=r"no-such-export\.xml: no such file$"):
        run_command(missing)


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("Eurasia Watch", 'write it as "WP Category=Our Column"'),
        ("=Global Insights", 'write it as "WP Category=Our Column"'),
        ("Eurasia Wach=Global Insights", 'the export has no category named "Eurasia Wach"'),
    ],
)
def test_bad_column_map_is_refused_on_one_line(mapping, expected):
    with pytest.raises(CommandError) as refused:
        run_command(EXPORT, "--column-map", mapping)

    assert "\n" not in str(refused.value)
    assert expected in str(refused.value)
    assert not Article.objects.exists()


def test_command_line_run_on_bad_xml_fails_with_one_line_on_stderr(tmp_path):
    path = tmp_path / "broken-export.xml"
    path.write_bytes(EXPORT.read_bytes()[:3000])  # cut off mid-file

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "import_wordpress", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1
    assert len(error_lines) == 1, result.stderr
    assert "broken-export.xml" in error_lines[0]
    assert "malformed XML" in error_lines[0]
    assert "Traceback" not in result.stderr


def test_a_post_our_rules_refuse_stops_the_import_with_one_line(site):
    # An article here with the same slug expires before the export's publication date.
    existing = Article.objects.create(
        title="Ours",
        slug=NO_LIMITS,
        body="<p>Ours.</p>",
        published_at=utc(2024, 1, 1),
        expires_at=utc(2024, 2, 1),
    )

    with pytest.raises(WordpressImportError) as refused:
        wordpress_import(site=site)

    message = str(refused.value)
    assert message.startswith('post 101 ("Eurasia Watch: Moscow and Beijing')
    assert "must expire after it is published" in message
    assert "\n" not in message
    assert list(Article.objects.all()) == [existing]
