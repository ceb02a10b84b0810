"""Changes of state for tags: merging one tag into another."""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import page_cache
from ..models import Article, Tag, TaggedArticle, TagRedirect
from ..search import update_search_vectors

TAG_CHANGE_PERMISSION = "commentary.change_tag"
TAG_DELETE_PERMISSION = "commentary.delete_tag"


@dataclass(frozen=True)
class TagMergeResult:
    """What ``tag_merge`` did: ``moved`` articles now carry ``tag`` instead of the merged
    tag; ``already_tagged`` articles carried both and keep ``tag`` once."""

    tag: Tag
    merged_name: str
    merged_slug: str
    moved: int
    already_tagged: int


def can_merge_tags(user):
    """Merging changes one tag and deletes another: it takes both permissions."""
    return user.has_perm(TAG_CHANGE_PERMISSION) and user.has_perm(TAG_DELETE_PERMISSION)


@transaction.atomic
def tag_merge(*, source, target, user):
    """Merge the tag ``source`` into ``target`` and delete ``source``; return what was done.

    Every article tagged ``source`` is tagged ``target`` instead (an article that had both
    keeps ``target`` once). ``source``'s address keeps working: a ``TagRedirect`` from its
    slug points to ``target``, and so do the redirects that pointed to ``source``, so a chain
    of merges answers with one redirect. ``target`` keeps its description, or takes
    ``source``'s when it has none. Nothing else is rebuilt here.

    Needs the permissions to change and to delete tags.
    """
    if not can_merge_tags(user):
        raise PermissionDenied(_("Only editors may merge tags."))
    if source.pk == target.pk:
        raise ValidationError(_("A tag cannot be merged into itself."), code="same_tag")
    # Lock both rows (in a fixed order), so two editors merging at once wait for each other
    # and the second sees what the first did.
    locked = {
        tag.pk: tag
        for tag in Tag.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if source.pk not in locked or target.pk not in locked:
        raise ValidationError(
            _("The tag “%(name)s” no longer exists; perhaps it was merged already.")
            % {"name": source.name if source.pk not in locked else target.name},
            code="tag_gone",
        )
    source, target = locked[source.pk], locked[target.pk]

    already_tagged_articles = TaggedArticle.objects.filter(tag=target).values("content_object_id")
    from_source = TaggedArticle.objects.filter(tag=source)
    already_tagged = from_source.filter(content_object_id__in=already_tagged_articles).count()
    moved = from_source.exclude(content_object_id__in=already_tagged_articles).update(tag=target)
    # The bulk moves below send no signals: the cached pages that list these tags go now.
    page_cache.invalidate(page_cache.CONTENT)

    # The live tag answers its own address: a redirect from it would never be read.
    TagRedirect.objects.filter(old_slug=target.slug).delete()
    TagRedirect.objects.filter(tag=source).update(tag=target)
    TagRedirect.objects.update_or_create(
        old_slug=source.slug, defaults={"tag": target, "created_at": timezone.now()}
    )

    if not target.description.strip() and source.description.strip():
        target.description = source.description
        target.save(update_fields=["description"])

    message = _("Merged the tag “%(name)s” (%(slug)s) into this one.") % {
        "name": source.name,
        "slug": source.slug,
    }
    _log(user, target, CHANGE, message)
    _log(user, source, DELETION, _("Merged into “%(name)s”.") % {"name": target.name})
    result = TagMergeResult(
        tag=target,
        merged_name=source.name,
        merged_slug=source.slug,
        moved=moved,
        already_tagged=already_tagged,
    )
    source.delete()  # its remaining links (articles that had both tags) go with it
    # The bulk move sent no signals: the moved articles' search index still names the old tag.
    update_search_vectors(Article.objects.filter(tagged_items__tag=target))
    return result


def _log(user, tag, action_flag, message):
    """Record the merge in the admin's log ("Recent actions" and each tag's history)."""
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[tag],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )
