"""Every change of state in the commentary app goes through one of these functions.

Views, the moderation queue, admin actions and management commands call them; none
re-implements them.  Each one checks permission, validates, changes, records who and when
(and, for comments, writes the moderation log), and returns the object.
"""

from .articles import (
    CHANGE_ANY_PERMISSION,
    PUBLISH_PERMISSION,
    SUBMIT_PERMISSION,
    article_duplicate,
    article_import,
    article_publish,
    article_return_to_draft,
    article_schedule,
    article_submit,
    article_unpublish,
    can_edit_article,
    guess_language,
    is_own_article,
    validate_schedule_time,
)
from .columns import column_skip_clear, column_skip_mark
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
from .privacy import CommenterNotFound, ErasureCounts, commenter_erase, commenter_export
from .tags import TagMergeResult, can_merge_tags, tag_merge
from .wordpress_import import (
    WordpressImportError,
    WordpressImportResult,
    wordpress_import,
)

__all__ = [
    "CHANGE_ANY_PERMISSION",
    "MODERATE_PERMISSION",
    "PUBLISH_PERMISSION",
    "SUBMIT_PERMISSION",
    "CommenterNotFound",
    "ErasureCounts",
    "ModerationConflict",
    "TagMergeResult",
    "WordpressImportError",
    "WordpressImportResult",
    "article_duplicate",
    "article_import",
    "article_publish",
    "article_return_to_draft",
    "article_schedule",
    "article_submit",
    "article_unpublish",
    "can_edit_article",
    "can_merge_tags",
    "column_skip_clear",
    "column_skip_mark",
    "comment_approve",
    "comment_approve_and_reply",
    "comment_mark_spam",
    "comment_reject",
    "comment_report",
    "comment_submit",
    "commenter_ban",
    "commenter_erase",
    "commenter_export",
    "comments_purge_ip_hashes",
    "guess_language",
    "is_own_article",
    "tag_merge",
    "validate_schedule_time",
    "wordpress_import",
]
