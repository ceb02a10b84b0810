from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import generic
from django.views.generic.edit import FormMixin

from . import services
from .forms import CommentForm
from .models import Article, Author, Column, Tag, byline_prefetch


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
        return context


class ArticleDetailView(FormMixin, generic.DetailView):
    """An article with its approved comments; POST submits a comment for moderation."""

    template_name = "commentary/article_detail.html"
    context_object_name = "article"
    form_class = CommentForm

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("column__publication", "source_publication")
            .prefetch_related("tags", byline_prefetch())
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comments = list(self.object.comments.approved())
        context["comments"] = comments
        context["authors"] = self.object.ordered_authors
        context["author_notes"] = self.object.author_notes()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if form.is_valid():
            try:
                services.comment_submit(
                    article=self.object,
                    body=form.cleaned_data["body"],
                    author_name=form.cleaned_data["author_name"],
                    author_email=form.cleaned_data["author_email"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your comment is awaiting moderation and will appear once a "
                      "moderator approves it."),
                )
                return HttpResponseRedirect(f"{self.object.get_absolute_url()}#comments")
        return self.render_to_response(self.get_context_data(form=form), status=400)


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


class TagDetailView(FilteredArticleListView):
    template_name = "commentary/tag_detail.html"
    owner_model = Tag
    owner_context_name = "tag"

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
