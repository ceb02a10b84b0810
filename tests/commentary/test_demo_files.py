"""The demo articles in ``commentary/demo/`` are ordinary import files and must stay valid."""

import datetime
from pathlib import Path

import pytest

from commentary.importing import parse_article_file
from commentary.links import find_links
from commentary.management.commands.load_demo import DEMO_DIR, DEMO_TAGS

DEMO_FILES = sorted(path.name for path in Path(DEMO_DIR).glob("*.txt"))


def test_demo_folder_has_the_expected_files():
    assert len(DEMO_FILES) == 6
    assert sum(name.startswith("eurasia-watch-") for name in DEMO_FILES) == 5


def test_every_demo_file_has_tags_in_the_command():
    assert sorted(DEMO_TAGS) == DEMO_FILES


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_file_parses_and_is_named_after_its_column_and_date(name):
    parsed = parse_article_file(DEMO_DIR / name)

    column_slug = parsed.column_name.lower().replace(" ", "-")
    assert name == f"{column_slug}-{parsed.published_on.isoformat()}.txt"
    assert parsed.schedule is not None
    # The byline date falls on the weekday the schedule sentence promises.
    assert parsed.published_on.weekday() == parsed.schedule.weekday
    assert parsed.source_published_on == parsed.published_on
    assert parsed.author_tagline
    assert len(parsed.paragraphs) >= 5


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_file_has_no_links(name):
    text = (DEMO_DIR / name).read_text(encoding="utf-8")
    assert find_links(text) == []


def test_eurasia_watch_appears_every_other_thursday():
    dates = sorted(
        parse_article_file(DEMO_DIR / name).published_on
        for name in DEMO_FILES
        if name.startswith("eurasia-watch-")
    )
    assert {date.year for date in dates} == {2014}
    assert all(
        later - earlier == datetime.timedelta(weeks=2)
        for earlier, later in zip(dates, dates[1:], strict=False)
    )
