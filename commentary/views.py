import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View, generic
from django.views.decorators.cache import never_cache
from django.views.generic.edit import FormMixin

from accounts.lockout import client_ip_address

from . import related, services, spam
from .forms import CommentForm, LinkCheckForm, ReportForm
from .models import (
    Article,
    Author,
    Column,
    Comment,
    Correction,
    Tag,
    TagRedirect,
)
from .prepared import prepared_query
from .services import previews


def public_articles():
    return Article.objects.published().for_listing()


class HomeView(generic.ListView):
    template_name = "commentary/home.html"
    context_object_name = "articles"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return public_articles()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = Column.objects.filter(is_active=True).select_related("publication")
        context["most_discussed"] = related.most_discussed()
        return context


# The ids of the comments this browser session posted that still wait for a moderator: the
# article page shows them in place, to this session only.
MY_COMMENTS_SESSION_KEY = "my_comment_ids"
MY_COMMENTS_KEPT = 20


def _as_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def own_comment_ids(request):
    """The ids of the comments this browser session posted (the latest 20)."""
    return [pk for pk in request.session.get(MY_COMMENTS_SESSION_KEY, []) if isinstance(pk, int)]


def remember_own_comment(request, comment):
    ids = [pk for pk in own_comment_ids(request) if pk != comment.pk] + [comment.pk]
    request.session[MY_COMMENTS_SESSION_KEY] = ids[-MY_COMMENTS_KEPT:]


# What a comment thread shows of each comment (and what nests it and tells own pending ones).
COMMENT_THREAD_FIELDS = ("pk", "article", "parent", "status", "author_name", "body", "created_at")


@dataclass
class CommentThread:
    """Comments nested for display: ``roots`` in creation order, each with ``thread_replies``.

    ``approved`` maps the id of every approved comment shown to the comment. A comment whose
    parent is not shown (rejected since, say) is left out with its replies: a reply without
    the comment it answers would read as a comment of its own.
    """

    roots: list
    approved: dict

    @classmethod
    def build(cls, comments):
        """Nest ``comments``, already in creation order, in Python: no query per comment."""
        by_id = {}
        for comment in comments:
            comment.thread_replies = []
            comment.is_own_pending = comment.status == Comment.Status.PENDING
            by_id[comment.pk] = comment
        roots = []
        for comment in comments:
            if comment.parent_id is None:
                roots.append(comment)
            elif comment.parent_id in by_id:
                by_id[comment.parent_id].thread_replies.append(comment)
        approved, shown = {}, list(roots)
        while shown:
            comment = shown.pop()
            if comment.status == Comment.Status.APPROVED:
                approved[comment.pk] = comment
            shown.extend(comment.thread_replies)
        return cls(roots=roots, approved=approved)


_BYLINE_JOINERS = {"", "and", "&", "и"}


def _byline_words(text):
    """A byline's names as words, whatever the case, commas and "and"s between them."""
    return [word for word in re.split(r"[\s,]+", text.casefold()) if word not in _BYLINE_JOINERS]


def original_byline(article):
    """The source's byline, when the source credits the piece differently from ours."""
    credited = " ".join(article.original_author.split())
    if not (article.is_republished and credited):
        return ""
    ours = " ".join(author.name for author in article.ordered_authors)
    return "" if _byline_words(credited) == _byline_words(ours) else credited


class ArticlePageMixin:
    """What the article page shows, to readers and in previews alike: the article with its
    column, byline, tags, source and corrections (newest first), loaded in one query."""

    template_name = "commentary/article_detail.html"
    context_object_name = "article"

    @staticmethod
    def load_for_page(articles):
        return articles.for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["authors"] = article.ordered_authors
        context["author_notes"] = article.author_notes()
        context["original_byline"] = original_byline(article)
        # Newest first (Correction's ordering); the latest one dates the "Updated" line.
        context["corrections"] = list(article.corrections.all())
        return context


@prepared_query(Article)
def public_article_page(*, slug, now):
    """The public article at ``slug`` with what its page shows, as a list of one or none."""
    return Article.objects.published(now=now).for_page().filter(slug=slug).order_by()[:1]


@prepared_query(Comment)
def thread_comments(*, article_id, own_pending_ids):
    """The comments of a thread (see ``ArticleDetailView.visible_comments``)."""
    visible = Q(status=Comment.Status.APPROVED)
    if own_pending_ids:
        visible |= Q(status=Comment.Status.PENDING, pk__in=own_pending_ids)
    return Comment.objects.filter(Q(article=article_id), visible).only(*COMMENT_THREAD_FIELDS)


class ArticleDetailView(ArticlePageMixin, FormMixin, generic.DetailView):
    """An article with its comment threads; POST submits a comment for moderation.

    Approved comments are shown to everyone, and the comments this browser session posted
    that still wait for a moderator are shown, marked as such, to this session only.
    ``?reply_to=<id>`` sets the form up as a reply to an approved comment, without script.
    """

    form_class = CommentForm
    replying_to = None

    def get_queryset(self):
        return self.load_for_page(Article.objects.published())

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        found = public_article_page(slug=self.kwargs["slug"], now=timezone.now())
        if not found:
            raise Http404(
                _("No %(verbose_name)s found matching the query")
                % {"verbose_name": Article._meta.verbose_name}
            )
        return found[0]

    def get_initial(self):
        initial = super().get_initial()
        if self.replying_to is not None:
            initial["parent"] = self.replying_to.pk
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "article": self.object, "user": self.request.user}

    def visible_comments(self):
        """Approved comments and this session's own pending ones, in one query, with what
        the thread shows of them."""
        article = self.object
        comments = thread_comments(
            article_id=article.pk, own_pending_ids=own_comment_ids(self.request)
        )
        remember_article = Comment.article.field.set_cached_value
        for comment in comments:
            remember_article(comment, article)
        return comments

    def get_context_data(self, **kwargs):
        thread = CommentThread.build(list(self.visible_comments()))
        form = kwargs.get("form")  # a form re-rendered with errors keeps its reply target
        wanted = self.request.GET.get("reply_to") if form is None else form["parent"].value()
        self.replying_to = thread.approved.get(_as_id(wanted))
        context = super().get_context_data(**kwargs)
        context["comments"] = thread.roots
        context["comment_count"] = len(thread.approved)
        context["replying_to"] = self.replying_to
        # Further reading: the column's previous and next installments, articles that share
        # tags with this one (not repeating those two) and its translations; one query.
        reading = related.further_reading(self.object)
        context["column_neighbours"] = reading.neighbours
        context["related_articles"] = reading.related
        # Search engines index the original when the syndication policy says so, else our page
        # under the prefix of the article's own language (the one hreflang names).
        with translation.override(self.object.language):
            own_url = self.object.get_absolute_url()
        context["canonical_url"] = self.object.canonical_url or self.request.build_absolute_uri(
            own_url
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if form.is_valid():
            try:
                comment = services.comment_submit(
                    article=self.object,
                    user=request.user,
                    # The reader's address: behind TRUSTED_PROXY_COUNT proxies the one the
                    # outermost proxy saw, else the connection's (X-Forwarded-For ignored).
                    ip_address=client_ip_address(request) or "",
                    language=request.LANGUAGE_CODE,
                    **form.submission(),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                return self.submitted(comment)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def submitted(self, comment):
        """Post/Redirect/Get. A comment filed as spam gets the same answer as any other."""
        if comment.status == Comment.Status.APPROVED:
            messages.success(self.request, _("Thank you. Your comment is published."))
        else:
            if comment.status == Comment.Status.PENDING:
                remember_own_comment(self.request, comment)
            messages.success(
                self.request,
                _(
                    "Thank you. Your comment is awaiting moderation and will appear once a "
                    "moderator approves it."
                ),
            )
        return HttpResponseRedirect(f"{self.object.get_absolute_url()}#comment-{comment.pk}")


@method_decorator(never_cache, name="dispatch")
class PreviewMixin(ArticlePageMixin):
    """An article as readers will see it, whatever its status, for the people preparing it.

    The page says it is a preview, has no comment form, and is kept out of search engines
    and out of every cache (``Cache-Control: no-store, private``).
    """

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class ArticlePreviewView(LoginRequiredMixin, PreviewMixin, generic.DetailView):
    """``/preview/<pk>/``: for editors and the article's own people; 404 for anyone else, so
    that a draft's existence is not given away."""

    def get_queryset(self):
        return self.load_for_page(previews.previewable_articles(self.request.user))


class SharedPreviewView(PreviewMixin, generic.DetailView):
    """``/preview/shared/<token>/``: a preview for whoever holds a signed share link.

    A link that is too old (or whose maker may no longer preview the article) answers 410
    with a page that says so; one that is not ours answers 404.
    """

    def get(self, request, *args, **kwargs):
        token = kwargs["token"]
        try:
            self.object = previews.preview_article_for_token(
                token, queryset=self.load_for_page(Article.objects.all())
            )
        except previews.PreviewLinkInvalid as error:
            raise Http404("Not a preview link") from error
        except (previews.PreviewLinkExpired, previews.PreviewLinkRevoked) as error:
            return self.response_class(
                request=request,
                template="commentary/preview_expired.html",
                context={"expired": isinstance(error, previews.PreviewLinkExpired)},
                status=410,
            )
        link_expires_at = previews.read_preview_link(token).expires_at
        context = self.get_context_data(object=self.object, link_expires_at=link_expires_at)
        return self.render_to_response(context)


class PreviewShareView(LoginRequiredMixin, generic.DetailView):
    """``/preview/<pk>/share/``: GET offers to make a share link; POST makes one and shows it,
    ready to copy. For those who may preview the article; 404 for anyone else."""

    template_name = "commentary/preview_share.html"
    context_object_name = "article"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return previews.previewable_articles(self.request.user).select_related("column")

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        token = previews.preview_link_token(article=self.object, user=request.user)
        share_url = request.build_absolute_uri(
            reverse("commentary:preview_shared", kwargs={"token": token})
        )
        context = self.get_context_data(
            object=self.object,
            share_url=share_url,
            link_expires_at=previews.read_preview_link(token).expires_at,
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_age_days=previews.preview_link_max_age().days, **kwargs)


def public_corrections():
    """Corrections of public articles, newest first, with what their list shows."""
    return (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article__column")
        .order_by("-published_at", "-id")
    )


class CorrectionListView(generic.ListView):
    """``/corrections/``: every correction to a public article, newest first."""

    template_name = "commentary/corrections.html"
    context_object_name = "corrections"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return public_corrections()


def reportable_comments():
    """Approved comments of public articles: the only ones readers may report."""
    return (
        Comment.objects.approved()
        .filter(article__in=Article.objects.published())
        .select_related("article__column")
    )


class ReportCommentView(generic.FormView):
    """A reader reports a published comment; enough reports send it back to the moderators."""

    template_name = "commentary/report_comment.html"
    form_class = ReportForm

    def dispatch(self, request, *args, **kwargs):
        self.comment = get_object_or_404(reportable_comments(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            comment=self.comment, article=self.comment.article, **kwargs
        )

    def reporter_key(self):
        session = self.request.session
        if session.session_key is None:
            session.save()  # an anonymous reader is told apart by session (and address)
        return spam.reader_key(
            user=self.request.user,
            session_key=session.session_key,
            ip_address=client_ip_address(self.request) or "",
        )

    def form_valid(self, form):
        try:
            services.comment_report(
                comment=self.comment,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                user=self.request.user,
                reporter_key=self.reporter_key(),
            )
        except ValidationError as error:
            if getattr(error, "code", None) != "already_reported":
                form.add_service_error(error)
                return self.form_invalid(form)
            messages.info(self.request, error.messages[0])
        else:
            messages.success(self.request, _("Thank you. A moderator will look at this comment."))
        return HttpResponseRedirect(self.comment.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CheckLinksView(View):
    """The live hint under the comment field: what the no-links rule finds in ``text``.

    Answers JSON ``{"links": [...], "missing_spaces": [...], "message": "..."}``, where
    ``message`` is what posting would say (empty when nothing is found); a text over
    10,000 characters answers 400.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = LinkCheckForm(request.POST)
        if not form.is_valid():
            message = " ".join(error for errors in form.errors.values() for error in errors)
            data = {"links": [], "missing_spaces": [], "message": message}
            return JsonResponse(data, status=400, json_dumps_params={"ensure_ascii": False})
        return JsonResponse(form.hint(), json_dumps_params={"ensure_ascii": False})


class FilteredArticleListView(generic.ListView):
    """A paginated list of public articles that belong to one object (column, author, tag)."""

    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"
    owner_model = None
    owner_context_name = None

    def get_owner(self):
        return get_object_or_404(self.owner_model, slug=self.kwargs["slug"])

    def filter_articles(self, queryset):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        return self.filter_articles(public_articles())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.owner_context_name: self.owner, **kwargs})


class ColumnDetailView(FilteredArticleListView):
    template_name = "commentary/column_detail.html"
    owner_model = Column
    owner_context_name = "column"

    def get_owner(self):
        return get_object_or_404(
            Column.objects.select_related("publication").prefetch_related("authors"),
            slug=self.kwargs["slug"],
        )

    def filter_articles(self, queryset):
        return queryset.filter(column=self.owner)


class AuthorDetailView(FilteredArticleListView):
    template_name = "commentary/author_detail.html"
    owner_model = Author
    owner_context_name = "author"

    def filter_articles(self, queryset):
        return queryset.filter(authors=self.owner)


class TagMerged(Exception):
    """The tag asked for was merged into ``tag``."""

    def __init__(self, tag):
        super().__init__(tag.slug)
        self.tag = tag


class TagDetailView(FilteredArticleListView):
    """A tag's articles. The address of a tag merged into another answers a permanent
    redirect (301) to that tag's page, keeping the page number."""

    template_name = "commentary/tag_detail.html"
    owner_model = Tag
    owner_context_name = "tag"

    def get_owner(self):
        slug = self.kwargs["slug"]
        try:
            return Tag.objects.get(slug=slug)
        except Tag.DoesNotExist:
            merged = get_object_or_404(TagRedirect.objects.select_related("tag"), old_slug=slug)
            raise TagMerged(merged.tag) from None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except TagMerged as merged:
            url = merged.tag.get_absolute_url()
            page = request.GET.get("page")
            if page:
                url = f"{url}?{urlencode({'page': page})}"
            return HttpResponsePermanentRedirect(url)

    def filter_articles(self, queryset):
        return queryset.filter(tags=self.owner)


class ArchiveMixin:
    date_field = "published_at"
    make_object_list = True
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"
    allow_empty = False

    def get_queryset(self):
        # Lean on purpose: the date views also read it for the date list and for the
        # previous/next links (one article each), which must not load bylines and tags.
        return Article.objects.published()

    def get_dated_items(self):
        date_list, articles, extra_context = super().get_dated_items()
        return date_list, articles.for_listing(), extra_context


class YearArchiveView(ArchiveMixin, generic.YearArchiveView):
    template_name = "commentary/archive_year.html"


class MonthArchiveView(ArchiveMixin, generic.MonthArchiveView):
    template_name = "commentary/archive_month.html"
    month_format = "%m"
