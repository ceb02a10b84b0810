import datetime

from django.template import Context, Template
from django.utils import timezone, translation


def render(value, zone="UTC"):
    template = Template("{% load time_tags %}{{ value|datetime_attribute }}")
    with timezone.override(zone):
        return template.render(Context({"value": value}))


def test_datetime_attribute_drops_microseconds_that_html_does_not_allow():
    value = datetime.datetime(2014, 2, 11, 9, 30, 5, 123456, tzinfo=datetime.UTC)

    assert render(value) == "2014-02-11T09:30:05+00:00"


def test_datetime_attribute_is_in_the_current_time_zone():
    value = datetime.datetime(2014, 2, 11, 9, 30, tzinfo=datetime.UTC)

    assert render(value, "Europe/Moscow") == "2014-02-11T13:30:00+04:00"


def test_datetime_attribute_is_the_same_in_every_language():
    value = datetime.datetime(2014, 2, 11, 9, 30, tzinfo=datetime.UTC)

    with translation.override("ru"):
        assert render(value) == "2014-02-11T09:30:00+00:00"


def test_datetime_attribute_of_anything_but_a_datetime_is_empty():
    assert render(None) == ""
    assert render("yesterday") == ""
