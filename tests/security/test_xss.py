"""Every XSS payload, typed into every field a stranger or an author controls, comes out inert
on every page, feed, sitemap and e-mail that shows it; plus CSRF and open-redirect checks."""

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from commentary import services
from commentary.models import Article
from commentary.sitemaps import SITEMAPS
from tests.commentary.test_comment_posting import comment_data, post_comment, textarea_holds
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    ModeratorFactory,
    TagFactory,
    UserFactory,
)
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
OUR_SCRIPT = re.compile(
    r'<script (?:src="/static/[^"]+"(?: defer)?|type="application/ld\+json")>', re.IGNORECASE
)
OPENING_TAG = re.compile(r"<[A-Za-z][^<>]*(?:>|$)")
DANGEROUS_URL = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster"}
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def storable(text):
    """PostgreSQL text columns refuse NUL; SQLite keeps it (and so tests it)."""
    return text.replace("\x00", "") if connection.vendor == "postgresql" else text


def assert_inert(text, payload, where):
    """No script but ours, no event handler, no script URL, no raw tag from the payload."""
    for tag in SCRIPT_TAG.findall(text):
        assert OUR_SCRIPT.fullmatch(tag), f"{where}: foreign script tag {tag!r}"
    collector = TagCollector()
    collector.feed(text)
    collector.close()
    for tag, attrs in collector.tags:
        for name, value in attrs:
            assert not name.lower().startswith("on"), f"{where}: <{tag} {name}=…> handler"
            if name.lower() in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\x00-\x20]", "", value)
                assert not DANGEROUS_URL.match(squeezed), f"{where}: <{tag} {name}={value!r}>"
    for fragment in OPENING_TAG.findall(payload):
        if OUR_SCRIPT.fullmatch(fragment):
            continue  # looks like ours: the script-tag check above counts those
        for variant in {fragment, storable(fragment)}:
            assert variant not in text, f"{where}: raw markup {variant!r} from the payload"


def assert_json_ld_round_trips(html, expected, where):
    blocks = JSON_LD.findall(html)
    assert blocks, f"{where}: no JSON-LD block"
    for block in blocks:
        strings = list(_strings(json.loads(block)))
        assert any(expected in value for value in strings), f"{where}: JSON-LD lost the text"


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def build_site(payload):
    """One article whose every reader-visible field carries the payload, with its column,
    author and tag doing the same, an approved comment and a pending one."""
    text = storable(payload)
    author = AuthorFactory(name=text[:200], tagline=text[:200], bio=text)
    column = ColumnFactory(name=text[:200], description=text, authors=[author])
    tag = TagFactory(name=text[:100], slug="xss-tag", description=text)
    article = ArticleFactory(
        title=text[:250],
        summary=text,
        body=f"<p>{text}</p>{text}",
        column=column,
        authors=[author],
        tags=[tag],
    )
    user = UserFactory(display_name=text[:100])
    CommentFactory(article=article, body=text, author_name=text[:80], approved=True)
    CommentFactory(article=article, body=text, author_name=text[:80], user=user, approved=True)
    pending = CommentFactory(article=article, body=text, author_name=text[:80])
    return article, author, column, tag, pending


def import_with_payload(payload, tmp_path):
    text = storable(payload).replace("\r", " ").replace("\n", " ")
    path = tmp_path / "payload.txt"
    path.write_text(
        f"Global Insights: {text}\n\n"
        "By Richard Weitz, on 11 Feb 2014,\n"
        f"{text}\n\n"
        f"A second paragraph quoting {text} in the middle.\n\n"
        "Richard Weitz is a senior fellow at the Hudson Institute. His weekly WPR column, "
        "Global Insights, appears every Tuesday.\n\n"
        "Source: World Politics Review, 11 Feb 2014,\n",
        encoding="utf-8",
    )
    call_command("import_article", str(path), stdout=io.StringIO())
    return Article.objects.get()


@pytest.mark.parametrize("payload", [text for _id, text in PAYLOADS], ids=[i for i, _ in PAYLOADS])
def test_payload_is_inert_on_every_page_feed_sitemap_and_email(
    payload, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_NOTIFY_REJECTED_GUESTS = True
    article, author, column, tag, pending = build_site(payload)
    stored = Article.objects.get(pk=article.pk)
    assert_inert(stored.body, payload, "stored body")

    pages = [
        article.get_absolute_url(),
        reverse("commentary:home"),
        column.get_absolute_url(),
        author.get_absolute_url(),
        reverse("commentary:tag", args=[tag.slug]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html, payload, url)
        if url == article.get_absolute_url():
            assert_json_ld_round_trips(html, storable(payload)[:100].strip(), "article")

    search = client.get(reverse("commentary:search"), {"q": payload})
    assert search.status_code == 200
    assert_inert(search.content.decode(), payload, "search")

    for name in ("feed_site_rss", "feed_site_atom"):
        response = client.get(reverse(f"commentary:{name}"))
        assert response.status_code == 200
        assert_inert(response.content.decode(), payload, name)
    feed = client.get(reverse("commentary:feed_site_json"))
    assert "html" not in feed["Content-Type"]
    for item in json.loads(feed.content)["items"]:
        assert_inert(item.get("content_html", ""), payload, "json feed content_html")

    # The index (/sitemap.xml) lists only section addresses; the sections carry the text.
    for url in ["/sitemap-news.xml"] + [f"/sitemap-{section}.xml" for section in SITEMAPS]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), payload, url)

    moderator = ModeratorFactory()
    staff = Client()
    staff.force_login(moderator)
    queue = staff.get(reverse("moderation:queue"))
    assert queue.status_code == 200
    assert_inert(queue.content.decode(), payload, "moderation queue")

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reject(comment=pending, moderator=moderator)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert storable(payload)[:100].strip() in mail.body  # plain text: quoted as typed
    for html_body, mimetype in getattr(mail, "alternatives", []):
        if mimetype == "text/html":
            assert_inert(html_body, payload, "rejection e-mail (HTML)")


@pytest.mark.parametrize("payload", [text for _id, text in PAYLOADS], ids=[i for i, _ in PAYLOADS])
def test_imported_article_carrying_the_payload_is_inert_on_its_page(payload, client, tmp_path):
    article = import_with_payload(payload, tmp_path)
    assert_inert(article.body, payload, "imported body")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, payload, "imported article page")
    assert " ".join(storable(payload).split())[:50] in " ".join(article.title.split())
    assert_json_ld_round_trips(html, article.title[:100].strip(), "imported article")


FORM_PAYLOADS = [
    "<script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "{{7*7}} <ScRiPt>alert(1)</sCrIpT>",
]


@pytest.mark.parametrize("payload", FORM_PAYLOADS)
def test_comment_form_re_renders_a_refused_payload_escaped(payload, client):
    article = ArticleFactory()
    data = comment_data(body=payload, author_name=payload[:100], author_email="not an address")
    response = post_comment(client, article, data)
    assert response.status_code == 400  # the invalid address: the form comes back with the text
    assert textarea_holds(response, payload)
    html = response.content.decode()
    assert_inert(html, payload, "re-rendered comment form")
    assert "49" not in html.split("<textarea", 1)[1].split("</textarea>", 1)[0]


# CSRF ------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_comment_post_without_a_csrf_token_is_forbidden(csrf_client):
    article = ArticleFactory()
    response = csrf_client.post(article.get_absolute_url(), comment_data())
    assert response.status_code == 403
    assert not article.comments.exists()


def test_report_without_a_csrf_token_is_forbidden(csrf_client):
    comment = CommentFactory(approved=True)
    response = csrf_client.post(
        reverse("commentary:report_comment", args=[comment.pk]), {"reason": "spam"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.flagged_at is None


def test_moderation_decision_without_a_csrf_token_is_forbidden(csrf_client, moderator):
    comment = CommentFactory()
    csrf_client.force_login(moderator)
    response = csrf_client.post(
        reverse("moderation:decide", args=[comment.pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == comment.Status.PENDING
    csrf_client.handler.enforce_csrf_checks = False  # the same request with CSRF off is let in
    response = csrf_client.post(
        reverse("moderation:decide", args=[comment.pk]), {"action": "approve"}
    )
    assert response.status_code != 403


def test_a_language_switch_needs_no_token_and_changes_nothing_but_the_language(csrf_client):
    response = csrf_client.post(reverse("set_language"), {"language": "ru", "next": "/en/"})

    assert response.status_code == 302
    assert response["Location"] == "/ru/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert set(response.cookies) == {settings.LANGUAGE_COOKIE_NAME}


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_a_language_switch_never_redirects_off_the_site(csrf_client, target):
    response = csrf_client.post(reverse("set_language"), {"language": "ru", "next": target})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# Open redirects --------------------------------------------------------------------------------

EVIL = "https://evil.example/"


@pytest.mark.parametrize(
    "target", [EVIL, "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_log_in_never_redirects_off_the_site(client, target):
    UserFactory(username="reader-x", password="correct-horse-battery")
    url = reverse("accounts:log-in")
    response = client.post(
        f"{url}?next={target}",
        {"username": "reader-x", "password": "correct-horse-battery", "next": target},
    )
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize(
    "target", [EVIL, "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_the_site(client, target):
    response = client.post(
        reverse("set_language"), {"language": "ru", "next": target}, HTTP_REFERER=EVIL
    )
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])


def assert_stays_on_site(location):
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location and "javascript:" not in location
