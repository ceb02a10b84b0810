"""The columns' calendar: which installment is due when, and what fills each slot.

A column's cadence and weekday give its slots; an article in the column fills the slot whose
date is nearest its publication date (within half the cadence); an editor can mark a slot as a
planned skip. Nothing here writes: it reads articles and skips and reports.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}


class SlotState:
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    IN_REVIEW = "review"
    DRAFT = "draft"
    SKIPPED = "skipped"
    MISSING = "missing"
    LATE = "late"

    LABELS = {
        PUBLISHED: _("published"),
        SCHEDULED: _("scheduled"),
        IN_REVIEW: _("in review"),
        DRAFT: _("draft only"),
        SKIPPED: _("planned skip"),
        MISSING: _("nothing scheduled"),
        LATE: _("late: not published"),
    }
    NEEDS_ATTENTION = {DRAFT, IN_REVIEW, MISSING, LATE}


@dataclass
class Slot:
    column: object
    date: datetime.date
    article: object = None
    skip: object = None
    state: str = SlotState.MISSING

    @property
    def label(self):
        return SlotState.LABELS[self.state]

    @property
    def needs_attention(self):
        return self.state in SlotState.NEEDS_ATTENTION


@dataclass
class ColumnSchedule:
    column: object
    slots: list = field(default_factory=list)

    @property
    def warnings(self):
        return [slot for slot in self.slots if slot.needs_attention]


def _first_weekday_of_month(year, month, weekday):
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7)


def slot_dates(column, start, end, anchor=None):
    """The dates from ``start`` to ``end`` (inclusive) on which ``column`` is due.

    Fortnightly columns alternate weeks counted from ``anchor`` (the column's first or latest
    installment); without one, from the first due weekday on or after ``start``.
    """
    if column.cadence == "monthly":
        dates = []
        year, month = start.year, start.month
        while True:
            day = _first_weekday_of_month(year, month, column.weekday)
            if day > end:
                return dates
            if day >= start:
                dates.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    first = start + datetime.timedelta(days=(column.weekday - start.weekday()) % 7)
    step = CADENCE_DAYS[column.cadence]
    if step == 14 and anchor is not None:
        anchor_day = anchor + datetime.timedelta(days=(column.weekday - anchor.weekday()) % 7)
        if (first - anchor_day).days % 14:
            first += datetime.timedelta(days=7)
    dates = []
    day = first
    while day <= end:
        dates.append(day)
        day += datetime.timedelta(days=step)
    return dates


def _article_state(article, now):
    if article.status == article.Status.PUBLISHED and article.published_at is not None:
        return SlotState.PUBLISHED if article.published_at <= now else SlotState.SCHEDULED
    if article.status == article.Status.IN_REVIEW:
        return SlotState.IN_REVIEW
    return SlotState.DRAFT


def _article_day(article):
    moment = article.published_at or article.planned_for
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date()
    return moment


def build_schedule(column, *, start, weeks, articles, skips, anchor=None, now=None):
    """Lay ``articles`` and ``skips`` of one column onto its slots for ``weeks`` weeks."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    end = start + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
    slots = [Slot(column=column, date=day) for day in slot_dates(column, start, end, anchor)]
    by_date = {slot.date: slot for slot in slots}
    for skip in skips:
        if skip.date in by_date:
            by_date[skip.date].skip = skip
    tolerance = CADENCE_DAYS[column.cadence] // 2
    # The most advanced article wins a slot: published over scheduled over review over draft.
    rank = [SlotState.PUBLISHED, SlotState.SCHEDULED, SlotState.IN_REVIEW, SlotState.DRAFT]
    for article in articles:
        day = _article_day(article)
        if day is None or not slots:
            continue
        nearest = min(slots, key=lambda slot: abs((slot.date - day).days))
        if abs((nearest.date - day).days) > tolerance:
            continue
        state = _article_state(article, now)
        if nearest.article is None or rank.index(state) < rank.index(nearest.state):
            nearest.article, nearest.state = article, state
    for slot in slots:
        if slot.article is not None:
            if slot.state == SlotState.SCHEDULED or slot.date >= today:
                continue
            if slot.state != SlotState.PUBLISHED:
                slot.state = SlotState.LATE
        elif slot.skip is not None:
            slot.state = SlotState.SKIPPED
        else:
            slot.state = SlotState.LATE if slot.date < today else SlotState.MISSING
    return ColumnSchedule(column=column, slots=slots)
