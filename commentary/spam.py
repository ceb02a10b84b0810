"""Abuse checks for reader comments: keyed IP hashes, form tokens, rate limits, banned words.

Each check is a small function with no knowledge of views; ``services.comment_submit`` runs
them in order.
"""

import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from .models import BannedWord

_FORM_TOKEN_SALT = "commentary.comment-form"  # noqa: S105 - a signing salt, not a secret
# A form older than this is refused as stale, with the reader's text kept.
FORM_TOKEN_MAX_AGE = 24 * 60 * 60


def ip_hash(ip_address):
    """A keyed hash of an IP address: comparable for bans and limits, useless if leaked."""
    if not ip_address:
        return ""
    key = hashlib.sha256(f"ip-hash:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, ip_address.encode(), hashlib.sha256).hexdigest()


def reader_key(*, user=None, session_key="", ip_address=""):
    """A keyed hash naming one reader: their account, else their browser session and IP."""
    if user is not None and user.is_authenticated:
        identity = f"user:{user.pk}"
    else:
        identity = f"session:{session_key}:{ip_address}"
    key = hashlib.sha256(f"reader-key:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class FormToken:
    submission_key: uuid.UUID
    issued_at: float


class FormTokenError(Exception):
    """The form's token is missing, forged or too old."""


def issue_form_token(now=None):
    """A signed token for one rendering of the comment form: when it was shown, and a key
    that makes a double submission of the same form store one comment."""
    issued_at = time.time() if now is None else now
    value = {"k": uuid.uuid4().hex, "t": round(issued_at, 3)}
    return signing.dumps(value, salt=_FORM_TOKEN_SALT, compress=False)


def read_form_token(token, now=None):
    try:
        value = signing.loads(token, salt=_FORM_TOKEN_SALT)
        token_data = FormToken(submission_key=uuid.UUID(value["k"]), issued_at=float(value["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise FormTokenError("invalid") from error
    current = time.time() if now is None else now
    if current - token_data.issued_at > FORM_TOKEN_MAX_AGE:
        raise FormTokenError("expired")
    return token_data


def filled_too_fast(token_data, now=None):
    current = time.time() if now is None else now
    return current - token_data.issued_at < settings.COMMENTS_MIN_FILL_SECONDS


def rate_limit_exceeded(scope, identity):
    """Count one attempt for ``identity``; True once it passes the limit for the window.

    The count lives in the cache (Redis in production) so that every app server shares it.
    If the cache is down the check lets the comment through: moderation still sees it.
    """
    if not identity:
        return False
    window = settings.COMMENTS_RATE_LIMIT_WINDOW
    bucket = int(time.time() // window)
    key = f"comment-rate:{scope}:{identity}:{bucket}"
    try:
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure must not block readers
        return False
    return count > settings.COMMENTS_RATE_LIMIT_COUNT


def banned_words_in(text):
    """The banned words that stand in ``text`` as whole words, as ``(word, action)`` pairs.

    Python's ``\\w`` is Unicode-aware, so the boundaries hold for Cyrillic as for Latin.
    """
    words = list(BannedWord.objects.values_list("word", "action"))
    if not words:
        return []
    folded = " ".join(text.split()).casefold()
    return [
        (word, action)
        for word, action in words
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded)
    ]


def normalised_text(text):
    """The text as duplicate detection compares it: case, spacing and punctuation folded."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
