"""Synthetic content at scale, for load tests and query plans: see :mod:`.content`."""

from .content import MIN_COMMENTS, ContentGenerator, GenerationError, GenerationResult

__all__ = ["MIN_COMMENTS", "ContentGenerator", "GenerationError", "GenerationResult"]
