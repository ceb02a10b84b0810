"""Moderators' search over comments, shared by the moderation queue and the comments admin.

Every word must appear, ignoring case, in the comment's text, the commenter's name or e-mail
address, or the title of the comment's article.

On PostgreSQL, trigram indexes on the upper-cased text, name, e-mail and title (migration
0007) serve these matches, so a rare word (an e-mail address, a name) is found without
reading a million comments.  The titles are looked up first, in one query for every word, and
comments are then matched by article id: an index scan can combine that with the text
matches, where a join to the articles in the same condition would have to read every comment.
At most :data:`TITLE_MATCHES` articles count for a search: a word in more titles than that is
common enough to be found in the comments' own text.
"""

from django.db.models import Q

from ..models import Article

MAX_TERMS = 10
TITLE_MATCHES = 500


def search_terms(text):
    """The words searched for, at most :data:`MAX_TERMS`."""
    return (text or "").split()[:MAX_TERMS]


def search_comments(queryset, text):
    """``queryset`` narrowed to the comments matching every word of ``text``: one query to
    look up the matching article titles when there is a word, none otherwise."""
    terms = search_terms(text)
    if not terms:
        return queryset
    in_title = Q()
    for term in terms:
        in_title |= Q(title__icontains=term)
    titles = list(
        Article.objects.using(queryset.db)
        .filter(in_title)
        .order_by()
        .values_list("pk", "title")[:TITLE_MATCHES]
    )
    for term in terms:
        folded = term.casefold()
        article_ids = [pk for pk, title in titles if folded in title.casefold()]
        matches = (
            Q(body__icontains=term)
            | Q(author_name__icontains=term)
            | Q(author_email__icontains=term)
        )
        if article_ids:
            matches |= Q(article_id__in=article_ids)
        queryset = queryset.filter(matches)
    return queryset
