"""Behaviour of the plain-text article parser in ``commentary.importing``.

The seed article is read in place from the shared folder beside the clone, so the
parser is measured against a file we did not write. No database and no Django
settings are needed (the module also runs under ``pytest -p no:django``).
"""

import dataclasses
import datetime
import pickle
from pathlib import Path

import pytest

from commentary.importing import (
    ArticleParseError,
    ParsedArticle,
    ParsedSchedule,
    parse_article,
    parse_article_file,
)

SEED_ARTICLE = (
    Path(__file__).resolve().parents[3] / "shared" / "seed" / "global-insights-2014-02-11.txt"
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"

FOOTER_TEXT = ("You can comment this article", "links are not allowed", "Оставить комментарий")

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


@pytest.fixture(scope="module")
def seed() -> ParsedArticle:
    if not SEED_ARTICLE.is_file():
        pytest.fail(
            f"The seed article {SEED_ARTICLE} is missing; these tests read it in place "
            "from /work/shared/seed beside the clone.",
            pytrace=False,
        )
    return parse_article_file(SEED_ARTICLE)


def article(
    *,
    title="Global Insights: A Title",
    byline="By Richard Weitz, on 11 Feb 2014,",
    body=("First paragraph.", "Second paragraph."),
    bio=(
        "Richard Weitz is a senior fellow at the Hudson Institute. "
        "His weekly WPR column, Global Insights, appears every Tuesday."
    ),
    source="Source: World Politics Review, 11 Feb 2014,",
    footer=("You can comment this article, but links are not allowed.", "Оставить комментарий"),
):
    """Build an article in the seed's layout: title, blank, byline, body straight after."""
    lines = [title, "", byline]
    for index, paragraph in enumerate(body):
        if index:
            lines.append("")
        lines.append(paragraph)
    for part in (bio, source, *footer):
        if part is not None:
            lines += ["", part]
    return "\n".join(lines)


def parse_error(text: str) -> str:
    with pytest.raises(ArticleParseError) as caught:
        parse_article(text)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- the seed article ---------------------------------------------------------------------


def test_seed_column_prefix_is_split_from_title(seed):
    assert seed.column_name == "Global Insights"
    assert seed.title == "In Sochi, Xi and Putin Put China-Russia Ties on Display"


def test_seed_byline_gives_single_author_and_date(seed):
    assert seed.author_names == ("Richard Weitz",)
    assert seed.published_on == datetime.date(2014, 2, 11)


def test_seed_body_has_thirteen_paragraphs_between_byline_and_tagline(seed):
    # Lines 4, 6, ..., 28 of the file; line 30 is the tagline, line 32 the source.
    assert len(seed.paragraphs) == 13
    assert seed.paragraphs[0] == SEED_FIRST_PARAGRAPH
    assert seed.paragraphs[-1] == SEED_LAST_PARAGRAPH


def test_seed_paragraph_text_is_kept_as_written(seed):
    assert seed.paragraphs[1].startswith(
        "The Chinese government is underscoring the foreign policy significance of Xi’s decision"
    )
    assert "less than $100 billion in 2013" in seed.paragraphs[8]
    assert all(paragraph == paragraph.strip() for paragraph in seed.paragraphs)


def test_seed_byline_is_not_part_of_first_paragraph(seed):
    assert not any(paragraph.startswith("By ") for paragraph in seed.paragraphs)
    assert "11 Feb 2014" not in seed.paragraphs[0]


def test_seed_tagline_is_the_first_sentence_without_name_and_full_stop(seed):
    assert seed.author_tagline == (
        "a senior fellow at the Hudson Institute and a World Politics Review senior editor"
    )


def test_seed_schedule_is_read_from_the_tagline_paragraph(seed):
    assert seed.schedule == ParsedSchedule(
        pronoun="he",
        cadence="weekly",
        publication_short_name="WPR",
        column_name="Global Insights",
        weekday=1,
    )
    assert seed.schedule.weekday == datetime.date(2014, 2, 11).weekday()


def test_seed_source_gives_publication_and_date(seed):
    assert seed.source_name == "World Politics Review"
    assert seed.source_published_on == datetime.date(2014, 2, 11)


def test_seed_footer_tagline_and_source_are_not_in_the_body(seed):
    for paragraph in seed.paragraphs:
        for text in (*FOOTER_TEXT, "Richard Weitz is", "appears every Tuesday", "Source:"):
            assert text not in paragraph


def test_parsed_article_is_frozen(seed):
    with pytest.raises(dataclasses.FrozenInstanceError):
        seed.title = "Changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        seed.schedule.weekday = 2


# --- the fixtures kept for the import command tests ------------------------------------------


def test_eurasia_watch_fixture_is_a_valid_fortnightly_column():
    parsed = parse_article_file(FIXTURES / "eurasia-watch-2014-03-06.txt")

    assert parsed.column_name == "Eurasia Watch"
    assert parsed.title == "Kazakhstan's Balancing Act: Between Moscow and Beijing"
    assert parsed.author_names == ("Anna Petrova",)
    assert parsed.published_on == datetime.date(2014, 3, 6)
    assert len(parsed.paragraphs) == 4
    assert parsed.author_tagline == (
        "a senior analyst at the Caspian Policy Institute in Almaty and a contributing "
        "editor at Eurasia Review"
    )
    assert parsed.schedule == ParsedSchedule(
        pronoun="she",
        cadence="fortnightly",
        publication_short_name="",
        column_name="Eurasia Watch",
        weekday=3,
    )
    assert parsed.source_name == "Eurasia Review"
    assert parsed.source_published_on == datetime.date(2014, 3, 6)


def test_broken_byline_fixture_error_names_path_and_line():
    path = FIXTURES / "broken-byline.txt"
    with pytest.raises(ArticleParseError) as caught:
        parse_article_file(path)

    assert str(caught.value) == (
        f'{path}: line 3: expected a byline "By NAME, on DD Mon YYYY," '
        'but found "Bye Anna Petrova, 6 Mar 2014"'
    )
    assert caught.value.line == 3
    assert caught.value.path == str(path)


# --- titles and column prefixes -------------------------------------------------------------


def test_title_with_colon_but_no_schedule_is_kept_whole():
    parsed = parse_article(
        article(title="Analysis: Why Sochi Matters", bio="Richard Weitz is a senior fellow.")
    )

    assert parsed.title == "Analysis: Why Sochi Matters"
    assert parsed.column_name == ""
    assert parsed.schedule is None


def test_title_prefix_that_is_not_the_scheduled_column_stays_in_title():
    parsed = parse_article(article(title="Analysis: Why Sochi Matters"))

    assert parsed.title == "Analysis: Why Sochi Matters"
    assert parsed.column_name == ""
    assert parsed.schedule.column_name == "Global Insights"


def test_column_prefix_keeps_later_colons_in_title():
    parsed = parse_article(article(title="Global Insights: Sochi: The Morning After"))

    assert parsed.column_name == "Global Insights"
    assert parsed.title == "Sochi: The Morning After"


def test_title_without_prefix_has_empty_column_name_even_with_schedule():
    parsed = parse_article(article(title="Why Sochi Matters"))

    assert parsed.title == "Why Sochi Matters"
    assert parsed.column_name == ""


# --- bylines --------------------------------------------------------------------------------


def test_two_author_byline():
    parsed = parse_article(
        article(
            byline="By Richard Weitz and Anna Petrova, on 11 Feb 2014,",
            bio=(
                "Anna Petrova is an analyst in Almaty. "
                "Their monthly column, Global Insights, appears every Friday."
            ),
        )
    )

    assert parsed.author_names == ("Richard Weitz", "Anna Petrova")
    assert parsed.author_tagline == "an analyst in Almaty"
    assert parsed.schedule.pronoun == "they"
    assert parsed.schedule.cadence == "monthly"
    assert parsed.schedule.weekday == 4


def test_three_author_byline_with_full_month_name_and_no_trailing_comma():
    parsed = parse_article(
        article(byline="By Ann Lee, Bo Chen and Cy Diaz, on 3 February 2014", bio=None)
    )

    assert parsed.author_names == ("Ann Lee", "Bo Chen", "Cy Diaz")
    assert parsed.published_on == datetime.date(2014, 2, 3)
    assert parsed.author_tagline == ""


def test_joint_tagline_introducing_all_authors():
    parsed = parse_article(
        article(
            byline="By Ann Lee and Bo Chen, on 11 Feb 2014,",
            bio="Ann Lee and Bo Chen are fellows at the Hudson Institute.",
        )
    )

    assert parsed.author_tagline == "fellows at the Hudson Institute"
    assert parsed.paragraphs == ("First paragraph.", "Second paragraph.")


def test_missing_byline_is_reported_at_the_line_found_instead():
    text = "Global Insights: A Title\n\nFirst paragraph.\n\nSecond paragraph.\n"

    assert parse_error(text) == (
        'line 3: expected a byline "By NAME, on DD Mon YYYY," but found "First paragraph."'
    )


def test_garbled_byline_is_reported_with_its_text():
    message = parse_error(article(byline="Bye Richard Weitz, on 11 Feb 2014,"))

    assert message == (
        'line 3: expected a byline "By NAME, on DD Mon YYYY," '
        'but found "Bye Richard Weitz, on 11 Feb 2014,"'
    )


def test_byline_without_date_is_an_error():
    assert parse_error(article(byline="By Richard Weitz")).startswith(
        'line 3: expected a byline "By NAME, on DD Mon YYYY,"'
    )


def test_byline_with_empty_author_name_is_an_error():
    message = parse_error(article(byline="By Richard Weitz, , on 11 Feb 2014,"))

    assert message.startswith("line 3: the byline has an empty author name")


def test_file_ending_after_the_title_has_no_byline():
    assert parse_error("Global Insights: A Title\n\n") == (
        'line 3: expected a byline "By NAME, on DD Mon YYYY," after the title but the file ends'
    )


def test_byline_in_place_of_the_title_is_an_error():
    assert parse_error("\nBy Richard Weitz, on 11 Feb 2014,\nBody.\n") == (
        'line 2: expected a title but found a byline "By Richard Weitz, on 11 Feb 2014,"'
    )


# --- dates ----------------------------------------------------------------------------------


def test_impossible_byline_date_is_an_error():
    message = parse_error(article(byline="By Richard Weitz, on 31 Feb 2014,"))

    assert message == (
        'line 3: the byline date "31 Feb 2014" is not a real date (day is out of range for month)'
    )


def test_unknown_month_in_byline_is_an_error():
    message = parse_error(article(byline="By Richard Weitz, on 11 Fbr 2014,"))

    assert message.startswith('line 3: the byline date "11 Fbr 2014" has an unknown month "Fbr"')


def test_month_names_are_english_and_case_insensitive():
    parsed = parse_article(article(byline="By Richard Weitz, on 1 SEPT 2014,"))

    assert parsed.published_on == datetime.date(2014, 9, 1)


# --- body, tagline and schedule -------------------------------------------------------------


def test_no_body_paragraphs_before_the_tagline_is_an_error():
    message = parse_error(article(body=()))

    assert message == (
        "line 5: expected body paragraphs after the byline on line 3 "
        'but found "Richard Weitz is a senior fellow at the Hudson Institute...."'
    )


def test_no_body_paragraphs_before_the_source_is_an_error():
    message = parse_error(article(body=(), bio=None))

    assert message.startswith(
        "line 5: expected body paragraphs after the byline on line 3 but found "
        '"Source: World Politics Review'
    )


def test_file_ending_after_the_byline_is_an_error():
    assert parse_error("Title\n\nBy Richard Weitz, on 11 Feb 2014,\n") == (
        "line 4: expected body paragraphs after the byline on line 3 but the file ends"
    )


def test_tagline_naming_nobody_in_the_byline_stays_in_the_body():
    parsed = parse_article(
        article(
            bio=(
                "John Smith is a senior fellow at the Hudson Institute. "
                "His weekly WPR column, Global Insights, appears every Tuesday."
            )
        )
    )

    assert parsed.author_tagline == ""
    assert parsed.paragraphs[-1] == "John Smith is a senior fellow at the Hudson Institute."
    assert parsed.schedule.column_name == "Global Insights"


def test_tagline_keeps_abbreviations_and_stops_at_the_schedule_sentence():
    parsed = parse_article(
        article(
            bio=(
                "Richard Weitz is a fellow at the U.S. Naval War College in Newport, R.I. "
                "and a former U.N. adviser. "
                "His weekly WPR column, Global Insights, appears every Tuesday."
            )
        )
    )

    assert parsed.author_tagline == (
        "a fellow at the U.S. Naval War College in Newport, R.I. and a former U.N. adviser"
    )
    assert parsed.schedule.publication_short_name == "WPR"


def test_tagline_ending_in_an_abbreviation_keeps_its_dot():
    parsed = parse_article(article(bio="Richard Weitz is a fellow based in Washington, D.C."))

    assert parsed.author_tagline == "a fellow based in Washington, D.C."


def test_earlier_possessive_sentence_in_tagline_is_not_the_schedule():
    parsed = parse_article(
        article(
            bio=(
                "Richard Weitz is a senior fellow. His book, Global Security, came out in 2010. "
                "His weekly WPR column, Global Insights, appears every Tuesday."
            )
        )
    )

    assert parsed.author_tagline == ("a senior fellow. His book, Global Security, came out in 2010")
    assert parsed.schedule.column_name == "Global Insights"


def test_schedule_sentence_may_be_its_own_paragraph():
    parsed = parse_article(
        article(
            bio=(
                "Richard Weitz is a senior fellow at the Hudson Institute.\n\n"
                "His weekly column, Global Insights, appears every Tuesday."
            )
        )
    )

    assert parsed.author_tagline == "a senior fellow at the Hudson Institute"
    assert parsed.schedule.publication_short_name == ""
    assert parsed.paragraphs == ("First paragraph.", "Second paragraph.")


@pytest.mark.parametrize("wording", ["fortnightly", "biweekly", "bi-weekly", "every other week"])
def test_fortnightly_wordings(wording):
    parsed = parse_article(
        article(
            bio=(
                "Richard Weitz is a senior fellow. "
                f"His {wording} WPR column, Global Insights, appears every other Tuesday."
            )
        )
    )

    assert parsed.schedule.cadence == "fortnightly"
    assert parsed.schedule.publication_short_name == "WPR"


def test_schedule_with_unknown_cadence_is_an_error():
    message = parse_error(
        article(
            bio=(
                "Richard Weitz is a senior fellow. "
                "His daily WPR column, Global Insights, appears every Tuesday."
            )
        )
    )

    assert message == (
        'line 8: the column schedule sentence has an unknown cadence "daily"; '
        "expected weekly, fortnightly or monthly"
    )


def test_schedule_with_unknown_weekday_is_an_error():
    message = parse_error(
        article(
            bio=(
                "Richard Weitz is a senior fellow. "
                "His weekly WPR column, Global Insights, appears every Tuseday."
            )
        )
    )

    assert message == (
        'line 8: the column schedule sentence has an unknown weekday "Tuseday"; '
        "expected an English day name such as Tuesday"
    )


def test_unreadable_schedule_sentence_is_an_error():
    message = parse_error(
        article(bio="Richard Weitz is a fellow. His weekly column appears every Tuesday.")
    )

    assert message.startswith(
        'line 8: cannot read the column schedule sentence "His weekly column appears every '
        'Tuesday."; expected "His weekly WPR column, COLUMN NAME, appears every Tuesday."'
    )


def test_weekly_column_appearing_every_other_week_is_an_error():
    message = parse_error(
        article(
            bio=(
                "Richard Weitz is a senior fellow. "
                "His weekly column, Global Insights, appears every other Tuesday."
            )
        )
    )

    assert message == (
        'line 8: the column schedule sentence says "every other Tuesday" for a weekly column'
    )


def test_hard_wrapped_paragraphs_are_joined_and_errors_point_at_the_right_line():
    text = article(
        body=("First line of the first paragraph\ncontinues here.", "Second paragraph."),
        bio=(
            "Richard Weitz is a senior fellow\nat the Hudson Institute.\n"
            "His weekly WPR column, Global Insights, appears every Someday."
        ),
    )

    assert parse_error(text).startswith("line 11: the column schedule sentence")
    fixed = parse_article(text.replace("Someday", "Tuesday"))
    assert fixed.paragraphs[0] == "First line of the first paragraph continues here."
    assert fixed.author_tagline == "a senior fellow at the Hudson Institute"


# --- source line and footer -----------------------------------------------------------------


def test_source_line_without_date_is_an_error():
    message = parse_error(article(source="Source: World Politics Review"))

    assert message == (
        'line 10: expected a source line "Source: PUBLICATION, DD Mon YYYY," '
        'but found "Source: World Politics Review"'
    )


def test_source_line_with_impossible_date_is_an_error():
    message = parse_error(article(source="Source: World Politics Review, 30 Feb 2014,"))

    assert message.startswith('line 10: the source date "30 Feb 2014" is not a real date')


def test_source_name_may_contain_commas_and_trailing_comma_is_optional():
    parsed = parse_article(article(source="Source: Foo, Inc., 12 February 2014"))

    assert parsed.source_name == "Foo, Inc."
    assert parsed.source_published_on == datetime.date(2014, 2, 12)


def test_everything_after_the_source_line_is_ignored():
    parsed = parse_article(article(footer=("Anything at all.", "Even: By Someone, on 1 Jan 2000")))

    assert parsed.paragraphs == ("First paragraph.", "Second paragraph.")
    assert parsed.author_tagline == "a senior fellow at the Hudson Institute"


def test_without_source_line_the_footer_still_ends_the_article():
    parsed = parse_article(
        article(
            source=None,
            footer=("  YOU CAN COMMENT THIS ARTICLE, BUT LINKS ARE NOT ALLOWED.  ", "Comments."),
        )
    )

    assert parsed.source_name == ""
    assert parsed.source_published_on is None
    assert parsed.author_tagline == "a senior fellow at the Hudson Institute"
    assert parsed.schedule.column_name == "Global Insights"
    assert parsed.paragraphs == ("First paragraph.", "Second paragraph.")


def test_footer_without_tagline_or_source_is_not_body_text():
    parsed = parse_article(article(bio=None, source=None, footer=("оставить комментарий",)))

    assert parsed.paragraphs == ("First paragraph.", "Second paragraph.")
    assert parsed.author_tagline == ""
    assert parsed.schedule is None


# --- encodings, line endings and whitespace -------------------------------------------------


def test_crlf_input_parses_like_lf():
    assert parse_article(article().replace("\n", "\r\n")) == parse_article(article())


def test_bom_in_text_is_ignored():
    assert parse_article("\ufeff" + article()) == parse_article(article())


def test_file_with_bom_and_crlf_parses_like_seed(tmp_path, seed):
    path = tmp_path / "seed-windows.txt"
    text = SEED_ARTICLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes("\ufeff".encode() + text.encode())

    assert parse_article_file(path) == seed


def test_extra_whitespace_is_tolerated():
    parsed = parse_article(
        article(
            title="  Global Insights:   A  Title  ",
            byline="\tBy  Richard Weitz ,  on  11  Feb  2014 , ",
        )
    )

    assert parsed.column_name == "Global Insights"
    assert parsed.title == "A Title"
    assert parsed.author_names == ("Richard Weitz",)


def test_empty_text_is_an_error():
    assert parse_error("") == "line 1: the article is empty; expected a title line"
    assert parse_error(" \n\n\t\n").startswith("line 1: the article is empty")


def test_empty_file_error_names_the_path(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"\xef\xbb\xbf")

    with pytest.raises(ArticleParseError) as caught:
        parse_article_file(path)

    assert str(caught.value) == f"{path}: line 1: the article is empty; expected a title line"


def test_file_that_is_not_utf8_is_reported_at_its_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(article(footer=()).replace("First", "Caf\u00e9").encode("latin-1"))

    with pytest.raises(ArticleParseError) as caught:
        parse_article_file(path)

    assert str(caught.value).startswith(f"{path}: line 4: the file is not valid UTF-8")


def test_parse_error_is_a_value_error_that_survives_pickling():
    error = ArticleParseError("something is wrong", line=7, path="a.txt")

    assert isinstance(error, ValueError)
    assert str(error) == "a.txt: line 7: something is wrong"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.reason, copy.line, copy.path, str(copy)) == (
        "something is wrong",
        7,
        "a.txt",
        str(error),
    )
