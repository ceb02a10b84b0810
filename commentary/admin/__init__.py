"""The admin: the editors' and moderators' console. Each module registers its models."""

from . import articles, comments, content

__all__ = ["articles", "comments", "content"]
