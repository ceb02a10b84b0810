"""Editing safety for the article admin: history, concurrent editors and unsaved text.

``ArticleAdmin`` gets all of it from one base class::

    class ArticleAdmin(ArticleEditingMixin, admin.ModelAdmin):
        ...

* **History** (django-reversion, django-reversion-compare): every save keeps a revision with its
  user and the admin's change message; the history page lists them and compares any two in a
  readable diff; any revision can be restored.  Restoring brings back the text, byline, tags
  and other fields but leaves the publication state (status, dates) and the corrections as they
  are: publishing stays with the publish services, and a correction note is a public record.
* **Concurrent editors**: opening the change form records the editor for 15 minutes, and each
  editor is warned about the others.  A save is refused when the article was saved by someone
  else after the form was opened; the posted text stays in the form.
* **Unsaved text**: ``js/article-autosave.js`` keeps the form's text in the browser until it is
  saved (see that file).

A custom ``form`` for the article admin must subclass :class:`ArticleEditingForm`.
"""

import datetime
import difflib
import html
import re

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from reversion_compare.admin import CompareVersionAdmin

from .. import revisions
from ..models import Correction

EDITING_WINDOW = datetime.timedelta(minutes=15)
CHANGE_ANY_ARTICLE = "commentary.change_any_article"
OPENED_VERSION_FIELD = "opened_version"

# What a restored revision does not change: publication belongs to the publish services.
KEPT_ON_RESTORE = ("status", "published_at", "expires_at", "updated_at")

BODY_HELP_TEXT = _(
    "Pasted text from Word or Google Docs is cleaned on save: headings, paragraphs, lists, "
    "quotations, links, bold, italic, strike-through, sub- and superscript are kept. "
    "Footnotes: write the note's number in superscript where it belongs (1 or [1]) and end "
    "the article with a heading “Notes” followed by a numbered list, one item per note, in "
    "order. Readers get links from each number to its note and back."
)


# --- who has the article open ---------------------------------------------------------------


def _presence_key(article_pk):
    return f"article-editors:{article_pk}"


def _editor_name(user):
    return getattr(user, "public_name", "") or user.get_full_name() or user.get_username()


def _fresh_editors(article_pk, now):
    """The editors who opened the article in the last 15 minutes: ``{user id: (name, ts)}``."""
    editors = cache.get(_presence_key(article_pk)) or {}
    oldest = (now - EDITING_WINDOW).timestamp()
    return {
        user_id: (name, opened) for user_id, (name, opened) in editors.items() if opened > oldest
    }


def editor_opened(article_pk, user):
    """Record that ``user`` opened the article now; return the others who have it open, as
    ``[(name, opened_at)]``, earliest first."""
    now = timezone.now()
    editors = _fresh_editors(article_pk, now)
    others = sorted(
        (
            (name, datetime.datetime.fromtimestamp(opened, tz=datetime.UTC))
            for user_id, (name, opened) in editors.items()
            if user_id != user.pk
        ),
        key=lambda other: other[1],
    )
    editors[user.pk] = (_editor_name(user), now.timestamp())
    cache.set(_presence_key(article_pk), editors, int(EDITING_WINDOW.total_seconds()))
    return others


def editor_left(article_pk, user):
    """Forget that ``user`` has the article open (after a successful save)."""
    editors = _fresh_editors(article_pk, timezone.now())
    if editors.pop(user.pk, None) is not None:
        cache.set(_presence_key(article_pk), editors, int(EDITING_WINDOW.total_seconds()))


def also_editing_message(name, opened_at, now=None):
    minutes = int(((now or timezone.now()) - opened_at).total_seconds() // 60)
    if minutes < 1:
        return _(
            "%(name)s is also editing this article (opened less than a minute ago). "
            "Save carefully: the last save wins."
        ) % {"name": name}
    return ngettext(
        "%(name)s is also editing this article (opened %(minutes)d minute ago). "
        "Save carefully: the last save wins.",
        "%(name)s is also editing this article (opened %(minutes)d minutes ago). "
        "Save carefully: the last save wins.",
        minutes,
    ) % {"name": name, "minutes": minutes}


# --- the form -------------------------------------------------------------------------------


class ArticleEditingForm(forms.ModelForm):
    """The article change form, carrying the version it was opened at.

    ``opened_version`` holds the article's ``updated_at`` when the form was rendered; a save
    from a form opened before the article's last save is refused.  The same hidden input tells
    the autosave script which article and which version the text belongs to.
    """

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved_at = self.instance.updated_at if self.instance.pk else None
        if saved_at is not None:
            self.initial[OPENED_VERSION_FIELD] = saved_at.isoformat()
        self.fields[OPENED_VERSION_FIELD].widget.attrs.update(
            {
                "data-autosave-article": str(self.instance.pk) if self.instance.pk else "new",
                "data-autosave-updated-at": saved_at.isoformat() if saved_at else "",
                "data-autosave-message": _(
                    "This browser kept text you had not saved (last kept %(time)s)."
                ),
                "data-autosave-restore": _("Restore unsaved text"),
                "data-autosave-discard": _("Discard"),
                "data-autosave-restored": _(
                    "Unsaved text restored. Check it, then save the article."
                ),
            }
        )
        if "body" in self.fields:
            self.fields["body"].help_text = BODY_HELP_TEXT

    def clean(self):
        cleaned_data = super().clean()
        opened = parse_datetime(self.data.get(self.add_prefix(OPENED_VERSION_FIELD)) or "")
        saved_at = self.instance.updated_at if self.instance.pk else None
        if opened is not None and saved_at is not None and saved_at > opened:
            local = timezone.localtime(saved_at)
            if local.date() == timezone.localdate():
                when = date_format(local, "H:i")
            else:
                when = date_format(local, "j E Y, H:i")
            raise ValidationError(
                _(
                    "Someone saved this article at %(time)s after you opened it. Your text is "
                    "kept below; copy what you need, reload, and re-apply."
                ),
                code="stale",
                params={"time": when},
            )
        return cleaned_data


# --- readable diffs -------------------------------------------------------------------------

_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def body_as_text(body):
    """The body's words, one block (paragraph, heading, list item) per line."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", body or ""))
    lines = (" ".join(html.unescape(line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def body_as_blocks(body):
    """The body's HTML, one block per line, for changes of formatting only."""
    return _BLOCK_END.sub(lambda match: match.group(0) + "\n", body or "").strip()


_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def word_diff(old, new):
    """An HTML diff of two texts, word by word: removed words in ``<del>``, added ones in
    ``<ins>``, everything escaped.  Line breaks (one per paragraph) are kept."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed = escape("".join(old_tokens[old_start:old_end]))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        added = escape("".join(new_tokens[new_start:new_end]))
        if added:
            parts.append(f"<ins>{added}</ins>")
    return mark_safe(f'<pre class="highlight article-diff">{"".join(parts)}</pre>')  # noqa: S308


# --- the admin ------------------------------------------------------------------------------


class ArticleEditingMixin(CompareVersionAdmin):
    """History, restore, concurrent-editing warnings and autosave for the article admin."""

    form = ArticleEditingForm
    object_history_template = "admin/commentary/article/revision_history.html"
    compare_template = "admin/commentary/article/revision_compare.html"
    history_latest_first = True

    @property
    def media(self):
        return super().media + forms.Media(
            js=["js/article-autosave.js"], css={"all": ["css/admin-editor.css"]}
        )

    # The form -------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form, ArticleEditingForm):
            raise ImproperlyConfigured(
                "The article admin's form must subclass commentary.admin.editing."
                "ArticleEditingForm."
            )
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": tuple(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if fieldsets and OPENED_VERSION_FIELD not in fieldsets[0][1]["fields"]:
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": (*options["fields"], OPENED_VERSION_FIELD)})
        return fieldsets

    # Concurrent editors ---------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        article_pk = unquote(object_id)
        may_change = getattr(response, "context_data", {}).get("has_change_permission")
        if request.method == "GET" and response.status_code == 200 and may_change:
            # Only those who may change the article count as editing it; readers do not.
            now = timezone.now()
            for name, opened_at in editor_opened(article_pk, request.user):
                messages.warning(request, also_editing_message(name, opened_at, now))
        elif request.method == "POST" and response.status_code == 302:
            editor_left(article_pk, request.user)
        return response

    # History --------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # Skips VersionAdmin's version, which wraps the changelist in one revision: an action
        # on twenty articles would make one revision of all twenty, and restoring any of them
        # would restore all.  The services record a revision per article instead.
        # ``has_change_permission`` is what django-reversion's changelist template checks
        # before linking to the deleted articles; only those who may recover them get the link.
        context = {"has_change_permission": self._may_recover(request)}
        context.update(extra_context or {})
        return super(VersionAdmin, self).changelist_view(request, context)

    def _visible_article(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self._visible_article(request, object_id)
        context = {"may_restore": self.has_change_permission(request, article)}
        context.update(extra_context or {})
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id, extra_context=None):
        self._visible_article(request, object_id)
        return super().compare_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self._visible_article(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        request.article_kept_on_restore = {
            "fields": {name: getattr(article, name) for name in KEPT_ON_RESTORE},
            "corrections": list(Correction.objects.filter(article=article)),
        }
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        kept = getattr(request, "article_kept_on_restore", None)
        if article is not None and kept is not None:
            # Restoring: django-reversion has just reverted the revision inside its
            # transaction (rolled back when the form is only shown).  Put back what a restore
            # keeps, so that the form shows it and the save writes it.
            for name, value in kept["fields"].items():
                setattr(article, name, value)
            corrections = kept["corrections"]
            Correction.objects.filter(article=article).exclude(
                pk__in=[correction.pk for correction in corrections]
            ).delete()
            for correction in corrections:
                correction.save()
        return article

    def _may_recover(self, request):
        return self.has_add_permission(request) and request.user.has_perm(CHANGE_ANY_ARTICLE)

    def recoverlist_view(self, request, extra_context=None):
        if not self._may_recover(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self._may_recover(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    # Readable comparison --------------------------------------------------------------------

    compared_fields = (
        "title",
        "slug",
        "column",
        "summary",
        "body",
        "article_type",
        "language",
        "status",
        "published_at",
        "expires_at",
        "planned_for",
        "comments_enabled",
        "source_publication",
        "original_published_on",
        "original_url",
        "original_author",
        "licence_note",
        "syndication_policy",
        "lead_image",
        "lead_image_alt",
        "lead_image_caption",
        "lead_image_credit",
    )

    def compare(self, obj, version1, version2):
        """The differences between two versions of an article, field by field, as escaped
        HTML diffs; the byline, tags and corrections are compared as readable lists."""
        before = revisions.readable_version(version1, self.compared_fields)
        after = revisions.readable_version(version2, self.compared_fields)
        diffs = []
        for name, label in revisions.readable_labels(self.compared_fields):
            old, new = before.get(name, ""), after.get(name, "")
            if old == new:
                continue
            if name == "body":
                old_text, new_text = body_as_text(old), body_as_text(new)
                if old_text == new_text:
                    old_text, new_text = body_as_blocks(old), body_as_blocks(new)
                diff = word_diff(old_text, new_text)
            else:
                diff = word_diff(old, new)
            diffs.append({"field": {"verbose_name": label}, "follow": True, "diff": diff})
        return diffs, False
