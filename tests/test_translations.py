"""The Russian catalogue is complete and well-formed, compiles without GNU gettext, and the
article page reads naturally in Russian (and unchanged in English)."""

import datetime
import gettext
import re
import shutil
from collections import Counter
from io import StringIO

import polib
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    PublicationFactory,
)

RU_PO = settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)

# printf-style (%(name)s, %(size).1f, %s, %d; not the literal %%), str.format-style ({name})
# and HTML tags: a translation must keep exactly the ones its msgid has.
PRINTF = re.compile(r"%(?:\(\w+\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def placeholders(text):
    found = [match for match in PRINTF.findall(text) if match != "%%"]
    return Counter(found + BRACE.findall(text) + TAG.findall(text))


def describe(entry):
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(RU_PO))


@pytest.fixture(scope="module")
def entries(catalogue):
    return [entry for entry in catalogue if not entry.obsolete]


def test_the_catalogue_uses_russian_plural_rules(catalogue):
    assert catalogue.metadata["Language"] == "ru"
    assert catalogue.metadata["Plural-Forms"] == RU_PLURAL_FORMS


def test_every_entry_is_translated(entries):
    untranslated = [
        describe(entry)
        for entry in entries
        if (not entry.msgstr.strip() if not entry.msgid_plural else not entry.msgstr_plural)
        or any(not form.strip() for form in entry.msgstr_plural.values())
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(catalogue, entries):
    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    fuzzy = [describe(entry) for entry in entries if entry.fuzzy]
    assert not fuzzy, "fuzzy entries (left out of the .mo):\n" + "\n".join(fuzzy)


def test_every_plural_entry_has_three_forms(entries):
    wrong = [
        f"{describe(entry)} has forms {sorted(entry.msgstr_plural)}"
        for entry in entries
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0, 1, 2]
    ]
    assert not wrong, "plural entries without exactly msgstr[0..2]:\n" + "\n".join(wrong)


def test_translations_keep_the_placeholders_and_html(entries):
    offenders = []
    for entry in entries:
        if entry.msgid_plural:
            # Each form must keep what the English plural has (%(count)d in every form).
            expected = placeholders(entry.msgid_plural) | placeholders(entry.msgid)
            forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
        else:
            expected = placeholders(entry.msgid)
            forms = [entry.msgstr]
        for form in forms:
            if form and placeholders(form) != expected:
                offenders.append(
                    f"{describe(entry)}: expected {dict(expected)}, got {dict(placeholders(form))}"
                )
    assert not offenders, "placeholders or tags changed:\n" + "\n".join(offenders)


# --- compile_translations ---


@pytest.fixture
def locale_dir(tmp_path, settings):
    """A copy of the Russian catalogue in a throw-away LOCALE_PATHS."""
    target = tmp_path / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(RU_PO, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


def test_compile_translations_writes_a_mo_file_gettext_reads(locale_dir):
    out = StringIO()
    call_command("compile_translations", stdout=out)

    mo_path = locale_dir / "ru" / "LC_MESSAGES" / "django.mo"
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "django.po" in lines[0] and "django.mo" in lines[0]
    with mo_path.open("rb") as mo_file:
        russian = gettext.GNUTranslations(mo_file)
    assert russian.gettext("Leave a comment") == "Оставить комментарий"
    assert russian.gettext("Source:") == "Источник:"
    assert russian.pgettext("column cadence", "weekly") == "еженедельная"
    assert [
        russian.ngettext("%(counter)s comment", "%(counter)s comments", n) % {"counter": n}
        for n in (1, 3, 5, 11, 21, 22)
    ] == [
        "1 комментарий",
        "3 комментария",
        "5 комментариев",
        "11 комментариев",
        "21 комментарий",
        "22 комментария",
    ]


def test_compile_translations_leaves_fuzzy_entries_out(locale_dir):
    po_path = locale_dir / "ru" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    catalogue.find("Leave a comment").flags.append("fuzzy")
    catalogue.save()

    call_command("compile_translations", stdout=StringIO())

    with (locale_dir / "ru" / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        russian = gettext.GNUTranslations(mo_file)
    assert russian.gettext("Leave a comment") == "Leave a comment"
    assert russian.gettext("Source:") == "Источник:"


def test_compile_translations_fails_in_one_line_on_a_broken_catalogue(locale_dir):
    po_path = locale_dir / "ru" / "LC_MESSAGES" / "django.po"
    po_path.write_text(po_path.read_text(encoding="utf-8") + "\nthis is not a catalogue line\n")

    with pytest.raises(CommandError) as error:
        call_command("compile_translations", stdout=StringIO())

    message = str(error.value)
    assert "\n" not in message
    assert "ru/LC_MESSAGES/django.po" in message
    assert not (locale_dir / "ru" / "LC_MESSAGES" / "django.mo").exists()


# --- the article page in Russian ---

PUBLISHED = datetime.datetime(2014, 2, 11, 10, 0)


@pytest.fixture
def article_page(db, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    published_at = timezone.make_aware(PUBLISHED)
    author = AuthorFactory(name="Richard Weitz")
    column = ColumnFactory(name="Global Insights", authors=[author], cadence="weekly", weekday=1)
    article = ArticleFactory(
        title="Why Sochi Matters",
        column=column,
        authors=[author],
        published_at=published_at,
        source_publication=PublicationFactory(),
        original_published_on=PUBLISHED.date(),
    )
    CommentFactory(article=article, approved=True, created_at=published_at)
    return article


def get_page(client, article, language):
    # LocaleMiddleware picks the language from the request, so the request asks for it too.
    with (
        time_machine.travel(timezone.make_aware(PUBLISHED) + datetime.timedelta(days=1)),
        translation.override(language),
    ):
        response = client.get(article.get_absolute_url(), headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_the_article_page_in_russian(client, article_page):
    page = get_page(client, article_page, "ru")

    assert "Оставить комментарий" in page
    assert "Вы можете комментировать эту статью, но ссылки запрещены." in page
    assert "Его еженедельная колонка в WPR «Global Insights» выходит каждый вторник." in page
    assert "Richard Weitz — a senior fellow at the Hudson Institute." in page
    assert "Источник:" in page
    assert re.search(r"Автор: <a [^>]+>Richard Weitz</a>, <time [^>]+>11 февраля 2014</time>", page)
    assert re.search(r'<time datetime="2014-02-11">11 февраля 2014</time>', page)  # the source
    assert "11 февраля 2014, 10:00" in page  # the comment
    assert "фев 2014" not in page
    assert "1 комментарий" in page


def test_the_article_page_in_english_is_unchanged(client, article_page):
    page = get_page(client, article_page, "en")

    assert "Leave a comment" in page
    assert "You can comment this article, but links are not allowed." in page
    assert "His weekly WPR column, Global Insights, appears every Tuesday." in page
    assert re.search(r"By <a [^>]+>Richard Weitz</a>, <time [^>]+>11 Feb 2014</time>", page)
    assert re.search(r'<time datetime="2014-02-11">11 Feb 2014</time>', page)
    assert "11 Feb 2014, 10:00" in page
    assert "1 comment" in page


@pytest.mark.parametrize(
    ("pronoun", "cadence", "weekday", "publication", "expected"),
    [
        (
            "she",
            "fortnightly",
            2,
            True,
            "Её двухнедельная колонка в WPR «Global Insights» выходит раз в две недели по средам.",
        ),
        (
            "he",
            "monthly",
            6,
            False,
            "Его ежемесячная колонка «Global Insights» выходит "
            "в первое воскресенье каждого месяца.",
        ),
        (
            "they",
            "weekly",
            4,
            True,
            "Колонка автора в WPR «Global Insights» — еженедельная, выходит каждую пятницу.",
        ),
    ],
)
def test_schedule_sentences_agree_in_russian(db, pronoun, cadence, weekday, publication, expected):
    author = AuthorFactory(pronoun=pronoun)
    column = ColumnFactory(
        name="Global Insights",
        cadence=cadence,
        weekday=weekday,
        publication=PublicationFactory() if publication else None,
    )
    with translation.override("ru"):
        assert column.schedule_sentence(author) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "11 Feb 2014"), ("ru", "11 февраля 2014")]
)
def test_date_format_is_localised(language, expected):
    with translation.override(language):
        assert date_filter(datetime.date(2014, 2, 11), "DATE_FORMAT") == expected
