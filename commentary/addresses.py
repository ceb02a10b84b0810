"""Addresses reversed once per process.

``reverse`` matches the route's pattern and converters and adds the language prefix on every
call: an article page asks for some thirty addresses (its own, its authors', its tags', the
further reading's, the site's navigation), of a handful of routes. An address depends only
on the route, its arguments, the active language, the script prefix and the URLconf, so
:func:`cached_reverse` remembers it under those; it forgets everything when a setting
changes (``override_settings`` of ``ROOT_URLCONF`` or ``LANGUAGES`` in tests).
"""

import functools

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Enough for the navigation in every language and the articles a busy day reads.
CACHED_ADDRESSES = 20000


@functools.lru_cache(maxsize=CACHED_ADDRESSES)
def _reversed(viewname, args, kwargs, language, script_prefix, urlconf):
    # language and script_prefix key the cache: reverse() reads them itself.
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def cached_reverse(viewname, *, args=(), kwargs=None):
    """``reverse(viewname, args=args, kwargs=kwargs)``, remembered (see the module's
    docstring). Arguments must be hashable: strings and numbers, as routes take them."""
    return _reversed(
        viewname,
        tuple(args),
        tuple(sorted(kwargs.items())) if kwargs else (),
        get_language(),
        get_script_prefix(),
        get_urlconf(),
    )


def forget_cached_addresses(**kwargs):
    _reversed.cache_clear()


setting_changed.connect(forget_cached_addresses, dispatch_uid="commentary.addresses")
