"""The columns' calendar: which installment is due when, and what fills each slot.

A column's cadence and weekday give its *slots* (the dates an installment is due):

* weekly: every week on the column's weekday;
* monthly: the first such weekday of each month (the first Tuesday, say);
* fortnightly: every other week on the weekday. Which weeks is decided by an *anchor*, the
  local date of the column's most recent published article (``column_anchors``): the rhythm
  follows the last installment actually published, so a column that moved by a week moves
  its calendar with it. An anchor that fell off the weekday (published a day late) counts
  for the nearest weekday. A fortnightly column that has never published counts its weeks
  from a fixed Monday (``FORTNIGHT_EPOCH``), so its calendar does not depend on the week the
  page starts.

An article of the column fills the slot nearest its day, when it lies within half the
cadence: a published (or scheduled) article by its publication date, a draft or an article
in review by ``planned_for`` (or by its publication date when it has none). When several
articles are near one slot the most advanced wins: published, then scheduled, in review,
draft; then the nearest. An editor can mark a slot as a planned skip (``ColumnSkip``).

Nothing here writes: ``build_schedule`` lays given articles and skips onto slots, and
``load_schedules`` reads them for many columns in a fixed number of queries.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Article, ColumnSkip

CALENDAR_WEEKS = 8
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}
# An article fills a slot at most this many days away from its day: half the cadence.
TOLERANCE_DAYS = {cadence: days // 2 for cadence, days in CADENCE_DAYS.items()}
# Slots are computed this far beyond the window as well, so that an article nearer to a slot
# just outside the window is not taken for an installment of a slot inside it.
_MARGIN_DAYS = 35
# Fortnightly columns without a published article count their weeks from this Monday.
FORTNIGHT_EPOCH = datetime.date(2001, 1, 1)
# "Tuesday 18 Feb": how a slot's date reads on the calendar (Django date format).
SLOT_DATE_FORMAT = pgettext_lazy("calendar slot date format", "l j M")
# Who may read the calendar: those who read columns and run articles (editors).
VIEW_PERMISSION = "commentary.view_column"
EDITOR_PERMISSIONS = ("commentary.change_any_article", "commentary.publish_article")


def can_view_calendar(user):
    """Editors: they read columns and may edit everyone's articles or publish them."""
    return user.has_perm(VIEW_PERMISSION) and any(
        user.has_perm(permission) for permission in EDITOR_PERMISSIONS
    )


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
    # The states the calendar's summary lists, one line per slot.
    FLAGGED = {MISSING, LATE, SKIPPED}
    # The states an article can give a slot, most advanced first.
    ARTICLE_RANK = [PUBLISHED, SCHEDULED, IN_REVIEW, DRAFT]


ARTICLE_STATE_LABELS = {
    SlotState.PUBLISHED: _("published"),
    SlotState.SCHEDULED: _("scheduled"),
    SlotState.IN_REVIEW: _("in review"),
    SlotState.DRAFT: _("draft"),
}


@dataclass
class Slot:
    column: object
    date: datetime.date
    article: object = None
    # Where the article stands (``SlotState.ARTICLE_RANK``); the slot's own state may differ:
    # a draft on a past slot leaves the slot late.
    article_state: str = ""
    skip: object = None
    state: str = SlotState.MISSING

    @property
    def label(self):
        return SlotState.LABELS[self.state]

    @property
    def article_label(self):
        return ARTICLE_STATE_LABELS.get(self.article_state, "")

    @property
    def flagged(self):
        return self.state in SlotState.FLAGGED

    @property
    def can_skip(self):
        """Whether the slot may be marked as a planned skip: nothing fills it, no skip yet."""
        return self.article is None and self.skip is None

    @property
    def date_display(self):
        return dateformat.format(self.date, str(SLOT_DATE_FORMAT))

    @property
    def flag(self):
        """“Global Insights, Tuesday 18 Feb: nothing scheduled”."""
        return _("%(column)s, %(date)s: %(state)s") % {
            "column": self.column.name,
            "date": self.date_display,
            "state": self.label,
        }


@dataclass
class ColumnSchedule:
    column: object
    slots: list = field(default_factory=list)

    @property
    def flagged_slots(self):
        return [slot for slot in self.slots if slot.flagged]


def week_start(day):
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def _nearest_weekday(day, weekday):
    """The date on ``weekday`` nearest to ``day`` (at most three days away)."""
    delta = (weekday - day.weekday()) % 7
    if delta > 3:
        delta -= 7
    return day + datetime.timedelta(days=delta)


def _first_weekday_of_month(year, month, weekday):
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7)


def slot_dates(column, start, end, anchor=None):
    """The dates from ``start`` to ``end`` (inclusive) on which ``column`` is due.

    ``anchor`` only matters to fortnightly columns: the local date of the column's most recent
    published installment (see the module's docstring); ``None`` counts from
    ``FORTNIGHT_EPOCH``.
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
    if step == 14:
        anchor_day = _nearest_weekday(anchor or FORTNIGHT_EPOCH, column.weekday)
        if (first - anchor_day).days % 14:
            first += datetime.timedelta(days=7)
    dates = []
    day = first
    while day <= end:
        dates.append(day)
        day += datetime.timedelta(days=step)
    return dates


def check_slot_date(column, day, anchor=None):
    """Raise ``ValidationError`` unless ``column`` is due on ``day``."""
    if slot_dates(column, day, day, anchor) != [day]:
        raise ValidationError(
            {
                "date": _("%(column)s is not due on %(date)s.")
                % {"column": column.name, "date": dateformat.format(day, str(SLOT_DATE_FORMAT))}
            },
            code="not_a_slot",
        )


def _article_state(article, now):
    if article.status == article.Status.PUBLISHED and article.published_at is not None:
        return SlotState.PUBLISHED if article.published_at <= now else SlotState.SCHEDULED
    if article.status == article.Status.IN_REVIEW:
        return SlotState.IN_REVIEW
    return SlotState.DRAFT


def _article_day(article):
    """The date an article is meant for: its publication date once published, otherwise the
    slot it is planned for, otherwise the publication date it may already carry."""
    published = article.status == article.Status.PUBLISHED
    if article.planned_for is not None and not published:
        return article.planned_for
    if article.published_at is not None:
        return timezone.localtime(article.published_at).date()
    return article.planned_for


def build_schedule(column, *, start, weeks, articles, skips, anchor=None, now=None):
    """Lay ``articles`` and ``skips`` of one column onto its slots for ``weeks`` weeks.

    A past slot nothing published fills is late (a scheduled article counts: it is on its
    way); a past or future slot with neither article nor skip is missing until its day.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    end = start + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
    margin = datetime.timedelta(days=_MARGIN_DAYS)
    candidates = [
        Slot(column=column, date=day)
        for day in slot_dates(column, start - margin, end + margin, anchor)
    ]
    tolerance = TOLERANCE_DAYS[column.cadence]
    rank = SlotState.ARTICLE_RANK
    claims = {}
    for article in articles:
        day = _article_day(article)
        if day is None or not candidates:
            continue
        # Ties go to the earlier slot: an installment a week late belongs to its own slot.
        nearest = min(candidates, key=lambda slot: abs((slot.date - day).days))
        distance = abs((nearest.date - day).days)
        if distance > tolerance:
            continue
        key = (rank.index(_article_state(article, now)), distance)
        if nearest.date not in claims or key < claims[nearest.date][0]:
            claims[nearest.date] = (key, article)
    slots = [slot for slot in candidates if start <= slot.date <= end]
    skips_by_date = {skip.date: skip for skip in skips}
    for slot in slots:
        slot.skip = skips_by_date.get(slot.date)
        if slot.date in claims:
            slot.article = claims[slot.date][1]
            slot.article_state = slot.state = _article_state(slot.article, now)
            if slot.date < today and slot.state not in (
                SlotState.PUBLISHED,
                SlotState.SCHEDULED,
            ):
                slot.state = SlotState.LATE
        elif slot.skip is not None:
            slot.state = SlotState.SKIPPED
        else:
            slot.state = SlotState.LATE if slot.date < today else SlotState.MISSING
    return ColumnSchedule(column=column, slots=slots)


def column_anchors(column_ids, *, now=None):
    """``{column id: local date of its most recent published article}``, in one query.

    Expired articles count (they were published); scheduled ones do not (yet).
    """
    if not column_ids:
        return {}
    rows = (
        Article.objects.filter(
            column_id__in=column_ids,
            status=Article.Status.PUBLISHED,
            published_at__lte=now or timezone.now(),
        )
        .order_by()
        .values("column_id")
        .annotate(latest=Max("published_at"))
    )
    return {row["column_id"]: timezone.localtime(row["latest"]).date() for row in rows}


def column_anchor(column, *, now=None):
    return column_anchors([column.pk], now=now).get(column.pk) if column.pk else None


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def load_schedules(columns, *, start, weeks=CALENDAR_WEEKS, now=None):
    """The schedules of ``columns`` (evaluated once, in their order) from ``start``.

    Three queries whatever the number of columns, articles and skips: the anchors, the
    articles of the window (widened by the largest tolerance) and its skips.
    """
    now = now or timezone.now()
    columns = list(columns)
    ids = [column.pk for column in columns]
    end = start + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
    margin = datetime.timedelta(days=max(TOLERANCE_DAYS.values()))
    low, high = start - margin, end + margin
    anchors = column_anchors(ids, now=now)
    articles = (
        Article.objects.filter(column_id__in=ids)
        .filter(
            Q(
                published_at__gte=_local_midnight(low),
                published_at__lt=_local_midnight(high + datetime.timedelta(days=1)),
            )
            | Q(planned_for__range=(low, high))
        )
        .defer("body", "summary", "licence_note")
        .order_by("published_at", "pk")
    )
    skips = ColumnSkip.objects.filter(column_id__in=ids, date__range=(start, end))
    articles_by_column, skips_by_column = {}, {}
    for article in articles:
        articles_by_column.setdefault(article.column_id, []).append(article)
    for skip in skips:
        skips_by_column.setdefault(skip.column_id, []).append(skip)
    return [
        build_schedule(
            column,
            start=start,
            weeks=weeks,
            articles=articles_by_column.get(column.pk, []),
            skips=skips_by_column.get(column.pk, []),
            anchor=anchors.get(column.pk),
            now=now,
        )
        for column in columns
    ]
