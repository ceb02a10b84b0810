"""The columns' calendar in the admin: every active column's slots for eight weeks, what
fills each one, and the forms that mark or undo a planned skip.

Only editors see it (``calendar.can_view_calendar``); the skip forms call the column
services, which check their own permissions.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from .. import services
from ..calendar import CALENDAR_WEEKS, Slot, can_view_calendar, load_schedules, week_start
from ..ical import author_calendar_url
from ..models import Column

CALENDAR_TITLE = gettext_lazy("Columns’ calendar")


def calendar_url(start=None, column=None):
    """The calendar's address, starting at ``start`` and scrolled to ``column``."""
    url = reverse("admin:commentary_column_calendar")
    if start is not None:
        url = f"{url}?{urlencode({'start': start.isoformat()})}"
    if column is not None:
        url = f"{url}#column-{column.slug}"
    return url


class ColumnSkipForm(forms.Form):
    column = forms.ModelChoiceField(queryset=Column.objects.all())
    date = forms.DateField()
    note = forms.CharField(max_length=200, required=False)
    # The week the calendar showed, to go back to it.
    start = forms.DateField(required=False)


class CalendarAccessMixin:
    """Editors only; everyone else, contributors and moderators included, gets 403."""

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        if not can_view_calendar(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ColumnCalendarView(CalendarAccessMixin, TemplateView):
    template_name = "admin/commentary/calendar.html"

    def get_start(self):
        """This week's Monday, or the Monday of the week ``?start=YYYY-MM-DD`` names."""
        try:
            day = datetime.date.fromisoformat(self.request.GET.get("start", ""))
        except ValueError:
            day = timezone.localdate()
        return week_start(day)

    def get_context_data(self, **kwargs):
        start = self.get_start()
        columns = Column.objects.filter(is_active=True).prefetch_related("authors")
        schedules = load_schedules(columns, start=start, weeks=CALENDAR_WEEKS)
        flagged = sorted(
            (slot for schedule in schedules for slot in schedule.flagged_slots),
            key=lambda slot: (slot.date, slot.column.name),
        )
        authors = {}
        for schedule in schedules:
            for author in schedule.column.authors.all():
                authors.setdefault(author.pk, author)
        subscriptions = [
            (author, author_calendar_url(author, self.request))
            for author in sorted(authors.values(), key=lambda author: author.name)
        ]
        period = datetime.timedelta(weeks=CALENDAR_WEEKS)
        return super().get_context_data(
            **self.model_admin.admin_site.each_context(self.request),
            opts=Column._meta,
            title=CALENDAR_TITLE,
            start=start,
            end=start + period - datetime.timedelta(days=1),
            previous_url=calendar_url(start - period),
            next_url=calendar_url(start + period),
            this_week_url=calendar_url(),
            is_this_week=start == week_start(timezone.localdate()),
            schedules=schedules,
            flagged=flagged,
            subscriptions=subscriptions,
            **kwargs,
        )


class ColumnSkipView(CalendarAccessMixin, View):
    """Base for the two skip forms: validate, call the service, report, go back."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ColumnSkipForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The skip could not be changed: the form was incomplete."))
            return HttpResponseRedirect(calendar_url())
        data = form.cleaned_data
        slot = Slot(column=data["column"], date=data["date"])
        try:
            self.change(data, slot)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return HttpResponseRedirect(calendar_url(data["start"], data["column"]))

    def change(self, data, slot):
        raise NotImplementedError


class ColumnSkipMarkView(ColumnSkipView):
    def change(self, data, slot):
        services.column_skip_mark(
            column=data["column"], date=data["date"], user=self.request.user, note=data["note"]
        )
        messages.success(
            self.request,
            _("%(column)s, %(date)s: marked as a planned skip.")
            % {"column": slot.column.name, "date": slot.date_display},
        )


class ColumnSkipClearView(ColumnSkipView):
    def change(self, data, slot):
        services.column_skip_clear(column=data["column"], date=data["date"], user=self.request.user)
        messages.success(
            self.request,
            _("%(column)s, %(date)s: no longer a planned skip.")
            % {"column": slot.column.name, "date": slot.date_display},
        )


def calendar_urls(model_admin):
    """The calendar's routes, to go before the column admin's own."""
    site = model_admin.admin_site

    def wrap(view_class):
        return site.admin_view(view_class.as_view(model_admin=model_admin))

    return [
        path("calendar/", wrap(ColumnCalendarView), name="commentary_column_calendar"),
        path("calendar/skip/", wrap(ColumnSkipMarkView), name="commentary_column_calendar_skip"),
        path(
            "calendar/unskip/",
            wrap(ColumnSkipClearView),
            name="commentary_column_calendar_unskip",
        ),
    ]
