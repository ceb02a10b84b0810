"""The columns' calendar: due dates from a column's cadence, what fills each slot, the admin
page editors plan with, planned skips, and each author's private iCalendar feed."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from icalendar import Calendar

from commentary import services
from commentary.calendar import (
    SlotState,
    build_schedule,
    check_slot_date,
    load_schedules,
    slot_dates,
)
from commentary.ical import author_calendar_token, author_calendar_url
from commentary.models import Article, Column, ColumnSkip
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    ContributorFactory,
    DraftArticleFactory,
)

UTC = datetime.UTC
D = datetime.date
CALENDAR = reverse("admin:commentary_column_calendar")
MARK_SKIP = reverse("admin:commentary_column_calendar_skip")
UNDO_SKIP = reverse("admin:commentary_column_calendar_unskip")
# Tuesday 11 February 2014, noon: the day the demo's Global Insights column appeared.
SEED_DAY = datetime.datetime(2014, 2, 11, 12, tzinfo=UTC)
MONDAY = D(2014, 2, 10)
GLOBAL_INSIGHTS_SLOTS = [
    D(2014, 2, 11),
    D(2014, 2, 18),
    D(2014, 2, 25),
    D(2014, 3, 4),
    D(2014, 3, 11),
    D(2014, 3, 18),
    D(2014, 3, 25),
    D(2014, 4, 1),
]
SEED_TITLE = "In Sochi, Xi and Putin Put China-Russia Ties on Display"
# Session, user, the user's and their groups' permissions; active columns, their authors;
# the fortnightly anchors, the window's articles, its skips: for 1 column or 4, 1 article or 40.
CALENDAR_QUERIES = 9
# The author; their active columns; the anchors, the window's articles, its skips.
FEED_QUERIES = 5


def column(cadence="weekly", weekday=Column.Weekday.TUESDAY, name="Global Insights"):
    """An unsaved column: slot arithmetic needs no database."""
    return Column(name=name, slug="global-insights", cadence=cadence, weekday=weekday)


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def article(status=Article.Status.PUBLISHED, published_at=None, planned_for=None, title="A"):
    return Article(title=title, status=status, published_at=published_at, planned_for=planned_for)


def schedule(col, *, articles=(), skips=(), now=SEED_DAY, start=MONDAY, weeks=2, anchor=None):
    built = build_schedule(
        col, start=start, weeks=weeks, articles=articles, skips=skips, anchor=anchor, now=now
    )
    return {slot.date: slot for slot in built.slots}


# --- slot dates -----------------------------------------------------------------------------


def test_weekly_slots_fall_on_the_weekday_across_the_year_end():
    assert slot_dates(column(), D(2013, 12, 23), D(2014, 1, 19)) == [
        D(2013, 12, 24),
        D(2013, 12, 31),
        D(2014, 1, 7),
        D(2014, 1, 14),
    ]


def test_weekly_slots_for_the_seed_column_from_monday_10_february_2014():
    assert slot_dates(column(), MONDAY, D(2014, 4, 6)) == GLOBAL_INSIGHTS_SLOTS


def test_monthly_slots_are_the_first_weekday_of_each_month_across_the_year_end():
    assert slot_dates(column("monthly"), D(2013, 11, 15), D(2014, 4, 30)) == [
        D(2013, 12, 3),
        D(2014, 1, 7),
        D(2014, 2, 4),
        D(2014, 3, 4),
        D(2014, 4, 1),  # the first of the month is itself a Tuesday
    ]


def test_monthly_slot_before_the_start_of_the_window_is_left_out():
    assert slot_dates(column("monthly"), D(2014, 2, 5), D(2014, 3, 31)) == [D(2014, 3, 4)]


def test_fortnightly_slots_alternate_weeks_counted_from_the_anchor():
    thursday = column("fortnightly", Column.Weekday.THURSDAY, "Eurasia Watch")
    end = D(2014, 4, 6)
    assert slot_dates(thursday, MONDAY, end, anchor=D(2014, 2, 6)) == [
        D(2014, 2, 20),
        D(2014, 3, 6),
        D(2014, 3, 20),
        D(2014, 4, 3),
    ]
    assert slot_dates(thursday, MONDAY, end, anchor=D(2014, 2, 13)) == [
        D(2014, 2, 13),
        D(2014, 2, 27),
        D(2014, 3, 13),
        D(2014, 3, 27),
    ]


@pytest.mark.parametrize("anchor", [D(2014, 2, 5), D(2014, 2, 7), D(2014, 2, 9)])
def test_fortnightly_anchor_off_the_weekday_counts_for_the_nearest_one(anchor):
    thursday = column("fortnightly", Column.Weekday.THURSDAY)
    assert slot_dates(thursday, MONDAY, D(2014, 3, 9), anchor=anchor) == [
        D(2014, 2, 20),
        D(2014, 3, 6),
    ]


def test_fortnightly_slots_continue_across_the_year_end():
    thursday = column("fortnightly", Column.Weekday.THURSDAY)
    assert slot_dates(thursday, D(2013, 12, 23), D(2014, 1, 31), anchor=D(2013, 12, 19)) == [
        D(2014, 1, 2),
        D(2014, 1, 16),
        D(2014, 1, 30),
    ]


def test_fortnightly_anchor_after_the_window_counts_backwards():
    fortnightly = column("fortnightly")
    assert slot_dates(fortnightly, MONDAY, D(2014, 3, 9), anchor=D(2014, 6, 3)) == [
        D(2014, 2, 11),
        D(2014, 2, 25),
    ]


def test_fortnightly_column_without_an_anchor_keeps_its_weeks_whatever_the_start():
    fortnightly = column("fortnightly")
    from_monday = slot_dates(fortnightly, MONDAY, D(2014, 4, 6))
    from_next_week = slot_dates(fortnightly, D(2014, 2, 17), D(2014, 4, 6))
    assert from_monday[1:] == from_next_week or from_monday == from_next_week
    assert {(day - from_monday[0]).days % 14 for day in from_next_week} == {0}


def test_a_date_off_the_cadence_is_not_a_slot():
    check_slot_date(column(), D(2014, 2, 18))
    with pytest.raises(ValidationError, match="Global Insights is not due on Wednesday 19 Feb"):
        check_slot_date(column(), D(2014, 2, 19))
    with pytest.raises(ValidationError):
        check_slot_date(column("monthly"), D(2014, 2, 11))
    with pytest.raises(ValidationError):
        check_slot_date(column("fortnightly"), D(2014, 2, 18), anchor=D(2014, 2, 11))


# --- what fills a slot ----------------------------------------------------------------------


def test_published_article_fills_its_slot():
    seed = article(published_at=at(D(2014, 2, 11), 0))
    slots = schedule(column(), articles=[seed])
    assert slots[D(2014, 2, 11)].article is seed
    assert slots[D(2014, 2, 11)].state == SlotState.PUBLISHED
    assert not slots[D(2014, 2, 11)].flagged


def test_article_published_for_a_later_time_is_scheduled():
    upcoming = article(published_at=at(D(2014, 2, 18)))
    slot = schedule(column(), articles=[upcoming])[D(2014, 2, 18)]
    assert (slot.state, slot.article) == (SlotState.SCHEDULED, upcoming)


def test_article_in_review_claims_the_slot_it_is_planned_for():
    reviewed = article(status=Article.Status.IN_REVIEW, planned_for=D(2014, 2, 18))
    slot = schedule(column(), articles=[reviewed])[D(2014, 2, 18)]
    assert (slot.state, slot.article) == (SlotState.IN_REVIEW, reviewed)


def test_draft_without_a_date_claims_the_slot_it_is_planned_for():
    draft = article(status=Article.Status.DRAFT, planned_for=D(2014, 2, 18))
    slots = schedule(column(), articles=[draft])
    assert slots[D(2014, 2, 18)].article is draft
    assert slots[D(2014, 2, 18)].state == SlotState.DRAFT
    assert slots[D(2014, 2, 18)].label == "draft only"


def test_planned_for_outweighs_the_old_publication_date_of_a_draft():
    unpublished = article(
        status=Article.Status.DRAFT, published_at=at(D(2014, 2, 11)), planned_for=D(2014, 2, 18)
    )
    slots = schedule(column(), articles=[unpublished])
    assert slots[D(2014, 2, 11)].article is None
    assert slots[D(2014, 2, 18)].article is unpublished


def test_upcoming_slot_without_anything_is_missing_and_flagged():
    slot = schedule(column())[D(2014, 2, 18)]
    assert slot.state == SlotState.MISSING
    assert slot.flagged
    assert slot.flag == "Global Insights, Tuesday 18 Feb: nothing scheduled"


def test_slot_of_today_is_not_late_yet():
    assert schedule(column())[D(2014, 2, 11)].state == SlotState.MISSING


def test_past_slot_with_nothing_published_is_late():
    now = at(D(2014, 2, 19), 12)
    draft = article(status=Article.Status.DRAFT, planned_for=D(2014, 2, 11))
    slots = schedule(column(), articles=[draft], now=now)
    assert slots[D(2014, 2, 11)].state == SlotState.LATE
    assert slots[D(2014, 2, 11)].article_state == SlotState.DRAFT
    assert slots[D(2014, 2, 18)].state == SlotState.LATE
    assert slots[D(2014, 2, 18)].flag == "Global Insights, Tuesday 18 Feb: late: not published"


def test_past_slot_with_its_article_scheduled_is_not_late():
    now = at(D(2014, 2, 19), 12)
    delayed = article(published_at=at(D(2014, 2, 20)))
    assert schedule(column(), articles=[delayed], now=now)[D(2014, 2, 18)].state == "scheduled"


def test_planned_skip_marks_an_empty_slot_past_or_upcoming():
    now = at(D(2014, 2, 19), 12)
    col = column()
    skips = [
        ColumnSkip(column=col, date=D(2014, 2, 11)),
        ColumnSkip(column=col, date=D(2014, 2, 25)),
    ]
    slots = schedule(col, skips=skips, now=now, weeks=3)
    assert slots[D(2014, 2, 11)].state == SlotState.SKIPPED
    assert slots[D(2014, 2, 18)].state == SlotState.LATE
    assert slots[D(2014, 2, 25)].state == SlotState.SKIPPED
    assert slots[D(2014, 2, 25)].flag == "Global Insights, Tuesday 25 Feb: planned skip"


def test_article_fills_a_slot_even_when_a_skip_was_planned():
    col = column()
    seed = article(published_at=at(D(2014, 2, 11), 0))
    slot = schedule(col, articles=[seed], skips=[ColumnSkip(column=col, date=D(2014, 2, 11))])[
        D(2014, 2, 11)
    ]
    assert (slot.state, slot.article) == (SlotState.PUBLISHED, seed)


def test_most_advanced_article_wins_the_slot():
    now = at(D(2014, 2, 12), 12)
    draft = article(status=Article.Status.DRAFT, planned_for=D(2014, 2, 11), title="draft")
    published = article(published_at=at(D(2014, 2, 12)), title="published a day late")
    reviewed = article(status=Article.Status.IN_REVIEW, planned_for=D(2014, 2, 18), title="r")
    draft_18 = article(status=Article.Status.DRAFT, planned_for=D(2014, 2, 18), title="d")
    slots = schedule(column(), articles=[draft, published, draft_18, reviewed], now=now)
    assert slots[D(2014, 2, 11)].article is published
    assert slots[D(2014, 2, 18)].article is reviewed


def test_article_fills_the_nearest_slot_within_half_the_cadence():
    saturday = article(published_at=at(D(2014, 2, 15)))
    slots = schedule(column(), articles=[saturday], now=at(D(2014, 2, 16)))
    assert slots[D(2014, 2, 11)].article is None
    assert slots[D(2014, 2, 18)].article is saturday


def test_article_a_week_late_belongs_to_its_own_slot_outside_the_window():
    fortnightly = column("fortnightly")
    late = article(published_at=at(D(2014, 2, 11)))  # slots: 4 Feb and 18 Feb
    slots = schedule(
        fortnightly,
        articles=[late],
        now=at(D(2014, 2, 12)),
        start=D(2014, 2, 17),
        anchor=D(2014, 2, 4),
    )
    assert list(slots) == [D(2014, 2, 18)]
    assert slots[D(2014, 2, 18)].state == SlotState.MISSING


# --- loading many columns at once -----------------------------------------------------------


@pytest.fixture
def weitz(db):
    return AuthorFactory(name="Richard Weitz", slug="richard-weitz")


@pytest.fixture
def global_insights(weitz):
    return ColumnFactory(
        name="Global Insights",
        slug="global-insights",
        cadence=Column.Cadence.WEEKLY,
        weekday=Column.Weekday.TUESDAY,
        authors=[weitz],
    )


@pytest.fixture
def seed(global_insights, weitz):
    """The demo's article: published on 11 February 2014 at midnight, as the importer does."""
    return ArticleFactory(
        title=SEED_TITLE,
        column=global_insights,
        published_at=datetime.datetime(2014, 2, 11, tzinfo=UTC),
        authors=[weitz],
    )


@pytest.mark.django_db
def test_fortnightly_column_is_anchored_on_its_most_recent_published_article():
    eurasia = ColumnFactory(cadence=Column.Cadence.FORTNIGHTLY, weekday=Column.Weekday.THURSDAY)
    ArticleFactory(column=eurasia, published_at=datetime.datetime(2014, 1, 9, tzinfo=UTC))
    ArticleFactory(column=eurasia, published_at=datetime.datetime(2014, 2, 6, 10, tzinfo=UTC))
    # Neither a draft nor a scheduled article moves the rhythm.
    DraftArticleFactory(column=eurasia, published_at=datetime.datetime(2014, 2, 10, tzinfo=UTC))
    ArticleFactory(column=eurasia, published_at=datetime.datetime(2014, 2, 27, tzinfo=UTC))
    with time_machine.travel(SEED_DAY, tick=False):
        (built,) = load_schedules([eurasia], start=MONDAY)
    assert [slot.date for slot in built.slots] == [
        D(2014, 2, 20),
        D(2014, 3, 6),
        D(2014, 3, 20),
        D(2014, 4, 3),
    ]


# --- the admin page -------------------------------------------------------------------------


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


def page_schedules(response):
    return {schedule.column.name: schedule for schedule in response.context["schedules"]}


def test_calendar_shows_eight_weeks_of_the_seed_column_from_this_monday(as_editor, seed):
    with time_machine.travel(SEED_DAY, tick=False):
        response = as_editor.get(CALENDAR)
    assert response.status_code == 200
    slots = page_schedules(response)["Global Insights"].slots
    assert [slot.date for slot in slots] == GLOBAL_INSIGHTS_SLOTS
    assert (slots[0].article, slots[0].state) == (seed, SlotState.PUBLISHED)
    assert {slot.state for slot in slots[1:]} == {SlotState.MISSING}
    content = response.content.decode()
    assert "Columns’ calendar" in content
    assert "Global Insights, Tuesday 18 Feb: nothing scheduled" in content
    assert "Global Insights, Tuesday 1 Apr: nothing scheduled" in content
    assert "Global Insights, Tuesday 11 Feb" not in content
    change_url = reverse("admin:commentary_article_change", args=[seed.pk])
    assert f'<a href="{change_url}">{SEED_TITLE}</a>' in content
    assert "(published)" in content


def test_summary_lists_every_flagged_slot_in_date_order(as_editor, seed, global_insights):
    eurasia = ColumnFactory(
        name="Eurasia Watch", cadence=Column.Cadence.MONTHLY, weekday=Column.Weekday.THURSDAY
    )
    ColumnSkip.objects.create(column=global_insights, date=D(2014, 2, 25), note="Holiday")
    with time_machine.travel(SEED_DAY, tick=False):
        response = as_editor.get(CALENDAR)
    flags = [slot.flag for slot in response.context["flagged"]]
    assert flags[:4] == [
        "Global Insights, Tuesday 18 Feb: nothing scheduled",
        "Global Insights, Tuesday 25 Feb: planned skip",
        "Global Insights, Tuesday 4 Mar: nothing scheduled",
        "Eurasia Watch, Thursday 6 Mar: nothing scheduled",
    ]
    assert len(flags) == 7 + 2  # every Tuesday but the seed's, and two first Thursdays
    assert eurasia.name in response.content.decode()


def test_seed_published_at_midnight_is_scheduled_on_the_monday_before(as_editor, seed):
    with time_machine.travel(datetime.datetime(2014, 2, 10, 12, tzinfo=UTC), tick=False):
        response = as_editor.get(CALENDAR)
    slot = page_schedules(response)["Global Insights"].slots[0]
    assert (slot.article, slot.state) == (seed, SlotState.SCHEDULED)
    assert "(scheduled Tue 11 Feb, 00:00)" in " ".join(response.content.decode().split())


def test_past_slot_with_nothing_published_is_flagged_late(as_editor, seed):
    draft = DraftArticleFactory(
        title="Draft for the 18th", column=seed.column, planned_for=D(2014, 2, 18)
    )
    with time_machine.travel(datetime.datetime(2014, 2, 19, 9, tzinfo=UTC), tick=False):
        response = as_editor.get(CALENDAR, {"start": "2014-02-10"})
    slots = page_schedules(response)["Global Insights"].slots
    assert (slots[0].state, slots[1].state, slots[1].article) == ("published", "late", draft)
    content = response.content.decode()
    assert "Global Insights, Tuesday 18 Feb: late: not published" in content
    assert "Draft for the 18th</a>\n            (draft)" in content


def test_start_parameter_moves_the_window_to_that_week(as_editor, global_insights):
    with time_machine.travel(SEED_DAY, tick=False):
        response = as_editor.get(CALENDAR, {"start": "2014-05-01"})  # a Thursday
        default = as_editor.get(CALENDAR, {"start": "not a date"})
    assert response.context["start"] == D(2014, 4, 28)
    assert page_schedules(response)["Global Insights"].slots[0].date == D(2014, 4, 29)
    assert response.context["previous_url"] == f"{CALENDAR}?start=2014-03-03"
    assert response.context["next_url"] == f"{CALENDAR}?start=2014-06-23"
    assert default.context["start"] == MONDAY


def test_inactive_columns_are_left_off_the_calendar(as_editor, global_insights):
    ColumnFactory(name="Retired Column", is_active=False)
    response = as_editor.get(CALENDAR)
    assert list(page_schedules(response)) == ["Global Insights"]
    assert "Retired Column" not in response.content.decode()


def test_calendar_shows_each_authors_private_feed_address(as_editor, global_insights, weitz):
    response = as_editor.get(CALENDAR)
    url = "http://testserver" + author_calendar_url(weitz)
    assert f'Richard Weitz — Subscribe: <a href="{url}">' in response.content.decode()


def test_column_changelist_links_to_the_calendar_for_editors_only(client, editor):
    changelist = reverse("admin:commentary_column_changelist")
    client.force_login(editor)
    assert f'href="{CALENDAR}"' in client.get(changelist).content.decode()
    client.force_login(ContributorFactory())
    response = client.get(changelist)
    assert response.status_code == 200
    assert CALENDAR not in response.content.decode()


def test_calendar_runs_a_fixed_number_of_queries(
    as_editor, editor, django_assert_num_queries, global_insights
):
    with time_machine.travel(SEED_DAY, tick=False):
        ArticleFactory(column=global_insights)
        with django_assert_num_queries(CALENDAR_QUERIES):
            as_editor.get(CALENDAR)
        for cadence in ("weekly", "fortnightly", "monthly"):
            other = ColumnFactory(cadence=cadence, authors=[AuthorFactory(), AuthorFactory()])
            for week in range(10):
                ArticleFactory(
                    column=other,
                    published_at=datetime.datetime(2014, 2, 4, tzinfo=UTC)
                    + datetime.timedelta(weeks=week),
                )
            DraftArticleFactory(column=other, planned_for=D(2014, 3, 18))
            ColumnSkip.objects.create(column=other, date=D(2014, 4, 1))
        with django_assert_num_queries(CALENDAR_QUERIES):
            response = as_editor.get(CALENDAR)
    assert len(response.context["schedules"]) == 4


# --- planned skips --------------------------------------------------------------------------


def test_editor_marks_a_slot_as_a_planned_skip_and_undoes_it(as_editor, editor, global_insights):
    with time_machine.travel(SEED_DAY, tick=False):
        response = as_editor.post(
            MARK_SKIP,
            {
                "column": global_insights.pk,
                "date": "2014-02-25",
                "note": "Winter break",
                "start": "2014-02-10",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"{CALENDAR}?start=2014-02-10#column-global-insights"
        skip = ColumnSkip.objects.get(column=global_insights)
        assert (skip.date, skip.note, skip.created_by) == (D(2014, 2, 25), "Winter break", editor)

        page = as_editor.get(response["Location"]).content.decode()
        assert "Global Insights, Tuesday 25 Feb: marked as a planned skip." in page
        assert "Global Insights, Tuesday 25 Feb: planned skip" in page
        assert "Winter break" in page
        assert "Undo skip" in page
        assert page.count("Mark as planned skip") == 7

        as_editor.post(
            UNDO_SKIP, {"column": global_insights.pk, "date": "2014-02-25", "start": "2014-02-10"}
        )
        assert not ColumnSkip.objects.exists()
        page = as_editor.get(CALENDAR).content.decode()
        assert "Global Insights, Tuesday 25 Feb: no longer a planned skip." in page
        assert "Global Insights, Tuesday 25 Feb: nothing scheduled" in page


def test_skip_on_a_day_the_column_is_not_due_is_refused(as_editor, global_insights):
    response = as_editor.post(
        MARK_SKIP, {"column": global_insights.pk, "date": "2014-02-26"}, follow=True
    )
    assert not ColumnSkip.objects.exists()
    assert "Global Insights is not due on Wednesday 26 Feb." in response.content.decode()


def test_marking_a_skip_twice_keeps_one(editor, global_insights):
    first = services.column_skip_mark(column=global_insights, date=D(2014, 2, 25), user=editor)
    again = services.column_skip_mark(
        column=global_insights, date=D(2014, 2, 25), user=editor, note="later"
    )
    assert again == first
    assert ColumnSkip.objects.count() == 1
    assert services.column_skip_clear(column=global_insights, date=D(2014, 2, 25), user=editor)
    assert (
        services.column_skip_clear(column=global_insights, date=D(2014, 2, 25), user=editor) is None
    )


@pytest.mark.parametrize("role", ["contributor", "moderator"])
def test_contributors_and_moderators_cannot_open_the_calendar_or_plan_skips(
    client, request, role, global_insights
):
    user = ContributorFactory() if role == "contributor" else request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(CALENDAR).status_code == 403
    data = {"column": global_insights.pk, "date": "2014-02-25"}
    assert client.post(MARK_SKIP, data).status_code == 403
    ColumnSkip.objects.create(column=global_insights, date=D(2014, 2, 25))
    assert client.post(UNDO_SKIP, data).status_code == 403
    assert ColumnSkip.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.column_skip_mark(column=global_insights, date=D(2014, 3, 4), user=user)
    with pytest.raises(PermissionDenied):
        services.column_skip_clear(column=global_insights, date=D(2014, 2, 25), user=user)


def test_anonymous_visitor_is_sent_to_the_admin_login(client, global_insights):
    for response in (
        client.get(CALENDAR),
        client.post(MARK_SKIP, {"column": global_insights.pk, "date": "2014-02-25"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not ColumnSkip.objects.exists()


def test_editor_plans_a_skip_on_the_column_form_through_the_service(
    as_editor, editor, global_insights
):
    change = reverse("admin:commentary_column_change", args=[global_insights.pk])
    data = {
        "name": global_insights.name,
        "slug": global_insights.slug,
        "description": "",
        "publication": global_insights.publication_id,
        "authors": [author.pk for author in global_insights.authors.all()],
        "cadence": "weekly",
        "weekday": "1",
        "is_active": "on",
        "skips-TOTAL_FORMS": "1",
        "skips-INITIAL_FORMS": "0",
        "skips-MIN_NUM_FORMS": "0",
        "skips-MAX_NUM_FORMS": "1000",
        "skips-0-date": "2014-02-26",
        "skips-0-note": "Wednesday by mistake",
    }
    response = as_editor.post(change, data)
    assert response.status_code == 200
    assert "Global Insights is not due on Wednesday 26 Feb." in response.content.decode()
    assert not ColumnSkip.objects.exists()

    data["skips-0-date"] = "2014-02-25"
    assert as_editor.post(change, data).status_code == 302
    skip = ColumnSkip.objects.get()
    assert (skip.column, skip.date, skip.created_by) == (global_insights, D(2014, 2, 25), editor)


# --- the authors' iCalendar feed ------------------------------------------------------------


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {event.decoded("dtstart"): event for event in calendar.walk("VEVENT")}


def test_author_feed_lists_the_slots_of_their_columns(client, weitz, seed, global_insights):
    DraftArticleFactory(title="Next week", column=global_insights, planned_for=D(2014, 2, 18))
    ArticleFactory(
        title="Scheduled piece",
        column=global_insights,
        published_at=datetime.datetime(2014, 2, 25, 9, tzinfo=UTC),
    )
    ColumnSkip.objects.create(column=global_insights, date=D(2014, 3, 4), note="Holiday")
    ColumnFactory(name="Someone Else's Column")  # not Weitz's
    with time_machine.travel(SEED_DAY, tick=False):
        response = client.get(author_calendar_url(weitz))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    by_day = events(response)
    assert sorted(by_day) == GLOBAL_INSIGHTS_SLOTS
    summaries = {day: str(event["summary"]) for day, event in by_day.items()}
    assert summaries[D(2014, 2, 11)] == f"Global Insights — published: {SEED_TITLE}"
    assert summaries[D(2014, 2, 18)] == "Global Insights — due"
    assert summaries[D(2014, 2, 25)] == "Global Insights — scheduled: Scheduled piece"
    assert summaries[D(2014, 3, 4)] == "Global Insights — planned skip"
    assert summaries[D(2014, 4, 1)] == "Global Insights — due"
    assert str(by_day[D(2014, 2, 18)]["description"]) == "draft: Next week"
    assert str(by_day[D(2014, 3, 4)]["description"]) == "planned skip\nHoliday"
    assert str(by_day[D(2014, 4, 1)]["description"]) == "nothing scheduled"
    assert str(by_day[D(2014, 2, 11)]["url"]) == "http://testserver" + seed.get_absolute_url()
    first = by_day[D(2014, 2, 11)]
    assert first.decoded("dtend") == D(2014, 2, 12)
    assert first.decoded("dtstamp") == SEED_DAY
    assert str(first["uid"]) == f"column-{global_insights.pk}-20140211@testserver"
    assert len({str(event["uid"]) for event in by_day.values()}) == 8


def test_feed_uids_stay_the_same_when_a_slot_changes(client, weitz, global_insights):
    url = author_calendar_url(weitz)
    with time_machine.travel(SEED_DAY, tick=False):
        before = {day: str(event["uid"]) for day, event in events(client.get(url)).items()}
        ArticleFactory(
            column=global_insights, published_at=datetime.datetime(2014, 2, 18, tzinfo=UTC)
        )
        after = events(client.get(url))
    assert str(after[D(2014, 2, 18)]["summary"]).startswith("Global Insights — scheduled: ")
    assert {day: str(event["uid"]) for day, event in after.items()} == before


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("tampered", id="tampered"),
        pytest.param("other-author", id="other-author"),
        pytest.param("other-salt", id="other-salt"),
    ],
)
def test_feed_without_its_authors_token_does_not_exist(client, weitz, global_insights, token):
    tokens = {
        "tampered": author_calendar_token(weitz)[:-2] + "xx",
        "other-author": author_calendar_token(AuthorFactory()),
        "other-salt": signing.dumps(weitz.pk),
    }
    path = reverse("commentary:author_calendar", kwargs={"slug": weitz.slug})
    data = {} if token is None else {"token": tokens.get(token, token)}
    assert client.get(path, data).status_code == 404


def test_feed_runs_a_fixed_number_of_queries(
    client, weitz, global_insights, django_assert_num_queries
):
    url = author_calendar_url(weitz)
    with time_machine.travel(SEED_DAY, tick=False):
        with django_assert_num_queries(FEED_QUERIES):
            client.get(url)
        for cadence in ("fortnightly", "monthly"):
            other = ColumnFactory(cadence=cadence, authors=[weitz])
            for week in range(6):
                ArticleFactory(
                    column=other,
                    published_at=datetime.datetime(2014, 2, 4, tzinfo=UTC)
                    + datetime.timedelta(weeks=week),
                )
            ColumnSkip.objects.create(column=other, date=D(2014, 4, 1))
        with django_assert_num_queries(FEED_QUERIES):
            response = client.get(url)
    summaries = [str(event["summary"]) for event in Calendar.from_ical(response.content).events]
    assert len(summaries) == 8 + 4 + 2
    assert sum(summary.startswith("Global Insights — ") for summary in summaries) == 8
