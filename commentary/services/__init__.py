"""Every change of state in the commentary app goes through one of these functions.

Views, the moderation queue, admin actions and management commands call them; none
re-implements them.  Each one checks permission, validates, changes, records who and when
(and, for comments, writes the moderation log), and returns the object.
"""

from .articles import (
    PUBLISH_PERMISSION,
    article_import,
    article_publish,
    article_unpublish,
    guess_language,
)
from .comments import (
    MODERATE_PERMISSION,
    ModerationConflict,
    comment_approve,
    comment_approve_and_reply,
    comment_mark_spam,
    comment_reject,
    comment_report,
    comment_submit,
    commenter_ban,
    comments_purge_ip_hashes,
)

__all__ = [
    "MODERATE_PERMISSION",
    "PUBLISH_PERMISSION",
    "ModerationConflict",
    "article_import",
    "article_publish",
    "article_unpublish",
    "comment_approve",
    "comment_approve_and_reply",
    "comment_mark_spam",
    "comment_reject",
    "comment_report",
    "comment_submit",
    "commenter_ban",
    "comments_purge_ip_hashes",
    "guess_language",
]
