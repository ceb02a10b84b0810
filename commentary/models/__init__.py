from .comments import (
    Ban,
    BannedWord,
    Comment,
    CommentQuerySet,
    CommentReport,
    ModerationEvent,
    RejectionReason,
)
from .content import (
    Article,
    ArticleAuthor,
    ArticleQuerySet,
    Author,
    Column,
    Publication,
    Tag,
    TaggedArticle,
    byline_prefetch,
)

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "Author",
    "Ban",
    "BannedWord",
    "Column",
    "Comment",
    "CommentQuerySet",
    "CommentReport",
    "ModerationEvent",
    "Publication",
    "RejectionReason",
    "Tag",
    "TaggedArticle",
    "byline_prefetch",
]
