"""Content rules attached to model fields, so every entry point enforces them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .links import find_links


def validate_no_links(value):
    """Refuse text that contains a link, naming every offending fragment."""
    fragments = find_links(value)
    if fragments:
        raise ValidationError(
            _("Links are not allowed in comments. Please remove: %(fragments)s."),
            code="link",
            params={"fragments": ", ".join(f"“{fragment}”" for fragment in fragments)},
        )
