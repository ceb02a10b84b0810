"""An author's columns' calendar as an iCalendar feed, for their calendar application.

The feed is private planning data (drafts' titles, skipped weeks): its address carries a
token, the author's primary key signed with the site's secret key and a salt of its own, so
it can be neither guessed nor reused for another author. Editors find each author's address
on the columns' calendar in the admin. A feed without a valid token answers 404, as if it did
not exist. Changing ``SECRET_KEY`` revokes every address.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from icalendar import Calendar, Event

from .calendar import SlotState, load_schedules, week_start
from .models import Author

FEED_SIGNING_SALT = "commentary.ical.author-calendar"


def author_calendar_token(author):
    return signing.dumps(author.pk, salt=FEED_SIGNING_SALT)


def author_calendar_url(author, request=None):
    """The feed's address with its token; absolute when ``request`` is given."""
    path = reverse("commentary:author_calendar", kwargs={"slug": author.slug})
    path = f"{path}?{urlencode({'token': author_calendar_token(author)})}"
    return request.build_absolute_uri(path) if request is not None else path


def token_is_valid(token, author):
    try:
        return signing.loads(token, salt=FEED_SIGNING_SALT) == author.pk
    except signing.BadSignature:
        return False


def _summary(slot):
    values = {"column": slot.column.name, "title": slot.article.title if slot.article else ""}
    if slot.state == SlotState.PUBLISHED:
        return _("%(column)s — published: %(title)s") % values
    if slot.state == SlotState.SCHEDULED:
        return _("%(column)s — scheduled: %(title)s") % values
    if slot.state == SlotState.SKIPPED:
        return _("%(column)s — planned skip") % values
    # Missing, late, or only a draft or an article in review: the installment is still due.
    return _("%(column)s — due") % values


def _description(slot):
    lines = []
    if slot.article is None or slot.state == SlotState.LATE:
        lines.append(str(slot.label))
    if slot.article is not None:
        lines.append(f"{slot.article_label}: {slot.article.title}")
    if slot.skip is not None and slot.skip.note:
        lines.append(slot.skip.note)
    return "\n".join(lines)


def build_calendar(author, schedules, request):
    """One all-day event per slot; each event's UID stays the same for a column and date."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Columns' calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("%(author)s: columns") % {"author": author.name})
    stamp = timezone.now().astimezone(datetime.UTC)
    host = request.get_host().split(":")[0]
    for schedule in schedules:
        for slot in schedule.slots:
            event = Event()
            event.add("uid", f"column-{schedule.column.pk}-{slot.date:%Y%m%d}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", slot.date)
            event.add("dtend", slot.date + datetime.timedelta(days=1))
            event.add("summary", _summary(slot))
            event.add("description", _description(slot))
            event.add("transp", "TRANSPARENT")
            if slot.state == SlotState.PUBLISHED:
                event.add("url", request.build_absolute_uri(slot.article.get_absolute_url()))
            calendar.add_component(event)
    return calendar.to_ical()


class AuthorCalendarView(View):
    """``/authors/<slug>/calendar.ics?token=…``: the slots of the author's active columns for
    the weeks the admin calendar shows, from this week's Monday."""

    def get(self, request, slug):
        author = get_object_or_404(Author, slug=slug)
        if not token_is_valid(request.GET.get("token", ""), author):
            raise Http404("No such calendar.")
        schedules = load_schedules(
            author.columns.filter(is_active=True), start=week_start(timezone.localdate())
        )
        response = HttpResponse(
            build_calendar(author, schedules, request), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="{author.slug}.ics"'
        response["X-Robots-Tag"] = "noindex"
        patch_cache_control(response, private=True)
        return response


author_calendar = AuthorCalendarView.as_view()
