"""Previews of articles before readers see them, and signed links to share a preview.

Who may preview an article is the rule of ``ArticleQuerySet.editable_by``: editors may preview
every article, anyone else the articles they created or sign.  A share link lets someone
without an account read one article's preview: it is signed, names the article and the person
who made it, and stops working ``PREVIEW_LINK_MAX_AGE_DAYS`` after it was made.  It carries no
trace of the article's content, so it survives edits: a reviewer reloads the same link after
each change.  It also stops working as soon as the person who made it may no longer preview
the article (account closed, taken off the byline, no longer an editor).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ..models import Article
from .articles import is_own_article

logger = logging.getLogger(__name__)

_PREVIEW_LINK_SALT = "commentary.preview-link"


class PreviewLinkError(Exception):
    """A share link that shows nothing; the subclass says why."""


class PreviewLinkInvalid(PreviewLinkError):
    """Not a link we made (tampered with or mistyped), or its article no longer exists."""


class PreviewLinkExpired(PreviewLinkError):
    """A genuine link, older than ``PREVIEW_LINK_MAX_AGE_DAYS``."""


class PreviewLinkRevoked(PreviewLinkError):
    """A genuine link whose maker may no longer preview the article."""


@dataclass(frozen=True)
class PreviewLink:
    """What a share link carries: the article, who made the link and when."""

    article_id: int
    issued_by_id: int
    issued_at: datetime.datetime

    @property
    def expires_at(self):
        return self.issued_at + preview_link_max_age()


def preview_link_max_age():
    return datetime.timedelta(days=settings.PREVIEW_LINK_MAX_AGE_DAYS)


def previewable_articles(user):
    """The articles ``user`` may preview: all of them for editors, else those they created or
    sign; none for anonymous visitors or closed accounts."""
    if not (user.is_authenticated and user.is_active):
        return Article.objects.none()
    return Article.objects.editable_by(user)


def user_may_preview(user, article):
    """Whether ``user`` may preview ``article``: ``is_own_article``, with an open account."""
    return user.is_active and is_own_article(article=article, user=user)


def preview_link_token(*, article, user):
    """A signed token for a link that shows ``article``'s preview to whoever holds it.

    Only someone who may preview the article may make one (``PermissionDenied`` otherwise).
    """
    if not user_may_preview(user, article):
        raise PermissionDenied("Only those who may preview an article may share its preview.")
    payload = {"a": article.pk, "u": user.pk, "t": int(timezone.now().timestamp())}
    token = signing.Signer(salt=_PREVIEW_LINK_SALT).sign_object(payload)
    logger.info("User %s made a preview link for article %s", user.pk, article.pk)
    return token


def read_preview_link(token):
    """What ``token`` carries, checked: ``PreviewLinkInvalid`` when it is not one of ours,
    ``PreviewLinkExpired`` when it is too old. Reads no table."""
    try:
        payload = signing.Signer(salt=_PREVIEW_LINK_SALT).unsign_object(token)
        link = PreviewLink(
            article_id=_whole_number(payload["a"]),
            issued_by_id=_whole_number(payload["u"]),
            issued_at=datetime.datetime.fromtimestamp(_whole_number(payload["t"]), tz=datetime.UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError) as error:
        raise PreviewLinkInvalid("This preview link is not valid.") from error
    if timezone.now() >= link.expires_at:
        raise PreviewLinkExpired("This preview link has expired.")
    return link


def preview_article_for_token(token, *, queryset=None):
    """The article a share link shows, whatever its status.

    ``queryset`` (all articles by default) lets the caller load what the page needs.  Raises
    ``PreviewLinkInvalid`` (tampered with, or the article is gone), ``PreviewLinkExpired`` or
    ``PreviewLinkRevoked`` (its maker may no longer preview the article).
    """
    link = read_preview_link(token)
    articles = Article.objects.all() if queryset is None else queryset
    article = articles.filter(pk=link.article_id).first()
    if article is None:
        raise PreviewLinkInvalid("The article of this preview link no longer exists.")
    issuer = get_user_model().objects.filter(pk=link.issued_by_id).first()
    if issuer is None or not user_may_preview(issuer, article):
        raise PreviewLinkRevoked("The maker of this preview link may no longer preview it.")
    return article


def _whole_number(value):
    """A whole number (0 or more) from a payload; ``ValueError`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value
