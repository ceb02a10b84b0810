"""The ``import_article`` management command and the page an imported article gets."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from commentary.models import Article, Author, Column, Publication

pytestmark = pytest.mark.django_db

SEED_ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seed" / "global-insights-2014-02-11.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EURASIA_ARTICLE = FIXTURES / "eurasia-watch-2014-03-06.txt"
BROKEN_ARTICLE = FIXTURES / "broken-byline.txt"

SEED_FIRST_PARAGRAPH = (
    "In addition to the magnificent opening ceremony and the admirable performance of the "
    "athletes on display at the Winter Olympics, Sochi has seen a remarkable show of solidarity "
    "between the host, Russian President Vladimir Putin, and his most important visitor, "
    "Chinese President Xi Jinping."
)
SEED_LAST_PARAGRAPH = (
    "There is nothing inevitable about the Russia-China partnership, and prospects for a strict "
    "and durable alignment should be viewed with circumspection. Nevertheless, both sides see "
    "clear advantages in closer ties, and that could present challenges for both the U.S. and "
    "its Asian allies."
)
COMMENT_RULE = "You can comment this article, but links are not allowed."


@pytest.fixture
def seed_path():
    if not SEED_ARTICLE.is_file():
        pytest.fail(
            f"{SEED_ARTICLE} is missing; the import tests read it in place and cannot be skipped.",
            pytrace=False,
        )
    return SEED_ARTICLE


def run_import(*args):
    out = StringIO()
    call_command("import_article", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def nothing_imported():
    return not (
        Article.objects.exists()
        or Author.objects.exists()
        or Column.objects.exists()
        or Publication.objects.exists()
    )


# --- the command ----------------------------------------------------------------------------


def test_import_reports_imported_then_unchanged(seed_path):
    first = run_import(seed_path, "--tags", "Russia,China")
    second = run_import(seed_path, "--tags", "Russia,China")

    article = Article.objects.get()
    assert first.strip() == f"imported: {seed_path} -> {article.get_absolute_url()}"
    assert second.strip() == f"unchanged: {seed_path} -> {article.get_absolute_url()}"
    assert sorted(tag.name for tag in article.tags.all()) == ["China", "Russia"]
    assert article.status == Article.Status.PUBLISHED


def test_import_of_a_folder_imports_every_txt_file(seed_path, tmp_path):
    shutil.copy(seed_path, tmp_path)
    shutil.copy(EURASIA_ARTICLE, tmp_path)
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")

    output = run_import(tmp_path)

    assert output.count("imported: ") == 2
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "In Sochi, Xi and Putin Put China-Russia Ties on Display",
        "Kazakhstan's Balancing Act: Between Moscow and Beijing",
    ]


def test_import_of_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no .txt article files"):
        run_import(tmp_path)


def test_draft_option_imports_without_publishing(seed_path):
    run_import(seed_path, "--draft")

    assert Article.objects.get().status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_broken_file_is_reported_on_one_line_with_file_and_line():
    with pytest.raises(CommandError) as refused:
        run_import(BROKEN_ARTICLE)

    message = str(refused.value)
    assert "\n" not in message
    assert str(BROKEN_ARTICLE) in message
    assert "line 3" in message
    assert nothing_imported()


def test_missing_path_is_reported_on_one_line(tmp_path):
    missing = tmp_path / "no-such-article.txt"

    with pytest.raises(CommandError) as refused:
        run_import(missing)

    message = str(refused.value)
    assert "\n" not in message
    assert str(missing) in message


def test_one_broken_file_stops_the_whole_import(seed_path):
    with pytest.raises(CommandError, match="line 3"):
        run_import(seed_path, EURASIA_ARTICLE, BROKEN_ARTICLE)

    assert nothing_imported()


def test_command_line_run_on_a_broken_file_fails_with_one_line_on_stderr():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "import_article", str(BROKEN_ARTICLE)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(error_lines) == 1, result.stderr
    assert "line 3" in error_lines[0]
    assert "broken-byline.txt" in error_lines[0]
    assert "Traceback" not in result.stderr


# --- the imported article's page ------------------------------------------------------------


class _PageText(HTMLParser):
    """Collects the visible text of a page, and separately that of the article body."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.body_parts = []
        self._body_depth = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "title"}:
            self._skip += 1
        if tag == "div":
            if self._body_depth:
                self._body_depth += 1
            elif "article__body" in (dict(attrs).get("class") or "").split():
                self._body_depth = 1

    def handle_endtag(self, tag):
        if tag in {"script", "style", "title"}:
            self._skip -= 1
        if tag == "div" and self._body_depth:
            self._body_depth -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._body_depth:
            self.body_parts.append(data)


def _squash(parts):
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def page_text(content):
    """(whole page text, article body text): tags stripped, entities decoded, whitespace
    collapsed, so a fact reads the same however the template wraps it."""
    parser = _PageText()
    parser.feed(content.decode())
    parser.close()
    return _squash(parser.parts), _squash(parser.body_parts)


def test_imported_article_page_shows_every_fact_of_the_seed(client, seed_path):
    run_import(seed_path, "--tags", "Russia,China")
    article = Article.objects.get()

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    text, body = page_text(response.content)
    for fact in (
        "Global Insights: In Sochi, Xi and Putin Put China-Russia Ties on Display",
        "By Richard Weitz, 11 Feb 2014",
        SEED_FIRST_PARAGRAPH,
        SEED_LAST_PARAGRAPH,
        "Richard Weitz is a senior fellow at the Hudson Institute and a World Politics Review "
        "senior editor.",
        "His weekly WPR column, Global Insights, appears every Tuesday.",
        "Source: World Politics Review, 11 Feb 2014",
        "Leave a comment",
        COMMENT_RULE,
        "Russia",
        "China",
    ):
        assert fact in text, fact
    assert SEED_FIRST_PARAGRAPH in body
    assert SEED_LAST_PARAGRAPH in body


def test_imported_article_shows_the_comment_rule_outside_its_body_only(client, seed_path):
    run_import(seed_path)
    article = Article.objects.get()

    response = client.get(article.get_absolute_url())

    text, body = page_text(response.content)
    assert body, "the page has no <div class='article__body'>"
    assert text.count(COMMENT_RULE) == 1
    assert "links are not allowed" not in body
    assert "Оставить комментарий" not in text
    assert "Source:" not in body
    assert "appears every Tuesday" not in body
