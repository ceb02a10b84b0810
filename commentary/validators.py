"""Content rules attached to model fields, so every entry point enforces them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .links import check_links


def _quoted(fragments):
    return ", ".join(f"“{fragment}”" for fragment in fragments)


def validate_no_links(value):
    """Refuse text that contains a link, naming every offending fragment.

    A full stop followed by a capitalised word with no space ("war.So") can
    read as a web address; it is refused with its own, friendlier message
    (code ``missing_space``) that asks for the space instead.
    """
    result = check_links(value)
    errors = []
    if result.links:
        errors.append(
            ValidationError(
                _("Links are not allowed in comments. Please remove: %(fragments)s."),
                code="link",
                params={"fragments": _quoted(result.links)},
            )
        )
    if result.missing_spaces:
        errors.append(
            ValidationError(
                ngettext_lazy(
                    "Please add a space after the full stop in %(fragments)s"
                    " — it reads like a web address.",
                    "Please add a space after the full stop in %(fragments)s"
                    " — they read like web addresses.",
                    "count",
                ),
                code="missing_space",
                params={
                    "fragments": _quoted(result.missing_spaces),
                    "count": len(result.missing_spaces),
                },
            )
        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationError(errors)
