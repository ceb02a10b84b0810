"""Abuse checks for reader comments: keyed IP hashes, form tokens, rate limits, banned words.

Each check is a small function with no knowledge of views; ``services.comment_submit`` runs
them in order.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import BannedWord, Comment

logger = logging.getLogger(__name__)

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
    that makes a double submission of the same form store one comment.

    Exactly what ``signing.dumps(value, salt=_FORM_TOKEN_SALT, compress=False)`` gives (and
    ``read_form_token`` reads it so), made with a key derived once rather than per token: every
    cached article page served makes one of these.
    """
    issued_at = time.time() if now is None else now
    value = {"k": os.urandom(16).hex(), "t": round(issued_at, 3)}
    payload = signing.b64_encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    signed = f"{payload}:{signing.b62_encode(int(time.time()))}"
    mac = _form_token_mac()
    mac.update(signed.encode())
    return f"{signed}:{signing.b64_encode(mac.digest()).decode()}"


_form_token_key = (None, None)


def _form_token_mac():
    """A fresh HMAC keyed as ``TimestampSigner(salt=_FORM_TOKEN_SALT)`` keys its signatures."""
    global _form_token_key
    secret, mac = _form_token_key
    if secret != settings.SECRET_KEY:
        secret = settings.SECRET_KEY
        key = hashlib.sha256(f"{_FORM_TOKEN_SALT}signer{secret}".encode()).digest()
        mac = hmac.new(key, digestmod=hashlib.sha256)
        _form_token_key = (secret, mac)
    return mac.copy()


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


# What each rate-limit scope's identity is, as a field of Comment: the database fallback counts
# the comments stored under it.
_RATE_LIMIT_FIELDS = {"ip": "ip_hash", "user": "user_id"}


def rate_limit_exceeded(scope, identity):
    """Count one attempt for ``identity`` (an IP hash for scope ``"ip"``, a user's pk for
    ``"user"``); True once it passes the limit for the window.

    The count lives in the cache (Redis in production) so that every app server shares it.
    If the cache fails, the limit fails safe rather than open: it counts the comments stored
    under that identity in the last window instead, so a flood during a Redis outage is
    still held back.
    """
    if not identity:
        return False
    window = settings.COMMENTS_RATE_LIMIT_WINDOW
    bucket = int(time.time() // window)
    key = f"comment-rate:{scope}:{identity}:{bucket}"
    try:
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    except Exception as error:  # noqa: BLE001 - whatever broke in the cache, the database counts
        logger.warning(
            "Comment rate limit counted in the database: the cache failed (%s)",
            type(error).__name__,
        )
        return _recent_comments(scope, identity, window) >= settings.COMMENTS_RATE_LIMIT_COUNT
    return count > settings.COMMENTS_RATE_LIMIT_COUNT


def _recent_comments(scope, identity, window):
    """How many comments were stored under ``identity`` in the last ``window`` seconds."""
    since = timezone.now() - datetime.timedelta(seconds=window)
    field = _RATE_LIMIT_FIELDS[scope]
    return Comment.objects.filter(created_at__gte=since, **{field: identity}).count()


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
