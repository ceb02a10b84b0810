"""The machine-readable side of a ``<time>`` element."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attribute(value):
    """``value`` for a ``datetime`` attribute: ISO 8601 in the current time zone, to the second.

    ``|date:"c"`` writes microseconds, which HTML does not allow there (at most three digits of
    a fraction), and a comment's time has them.
    """
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
