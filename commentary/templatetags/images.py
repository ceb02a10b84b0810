"""``{% lead_image article %}``: an article's lead image as a responsive, captioned figure."""

import logging

from django import template

from ..images import responsive_image

logger = logging.getLogger(__name__)
register = template.Library()

# The image fills the article's measure on wide screens and the viewport on narrow ones.
SIZES = "(min-width: 60rem) 42rem, 100vw"


@register.inclusion_tag("commentary/_lead_image.html")
def lead_image(article, above_fold=True):
    """Render ``commentary/_lead_image.html`` for ``article``; nothing without an image.

    On the article page the image is above the fold and is fetched first
    (``fetchpriority="high"``, never lazy). Lists of teasers pass ``above_fold=False``: their
    images load lazily instead.
    """
    image = None
    if article is not None and article.lead_image:
        try:
            image = responsive_image(article.lead_image)
        except Exception:
            # A storage outage must not take the article down with its picture.
            logger.exception("Lead image of article %s could not be shown", article.pk)
    return {"article": article, "image": image, "sizes": SIZES, "above_fold": above_fold}
