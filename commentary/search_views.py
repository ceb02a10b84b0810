"""``/search/``: the readers' search page. The searching itself is in :mod:`commentary.search`."""

import html

from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import generic

from . import search
from .models import Article, Author, Column, Tag

# The parameters a search page link carries (the page number aside).
SEARCH_PARAMETERS = ("q", "column", "author", "tag", "language", "year")


class PlainSelect(forms.Widget):
    """A select of plain ``(value, label)`` choices, written in Python with the markup of
    Django's ``Select``: for hundreds of authors, a template per option (and Django's
    normalisation of the choices at each copy of the form) costs more than the search."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs)
        self.choices = list(choices)

    def format_value(self, value):
        return "" if value is None else str(value)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        options = "\n  ".join(
            f'<option value="{html.escape(str(option))}"'
            f"{' selected' if str(option) == chosen else ''}>{html.escape(str(label))}</option>"
            for option, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html(
            '<select name="{}"{}>\n  {}\n</select>',
            name,
            attributes,
            mark_safe(options),  # noqa: S308 - escaped above
        )


class SearchForm(forms.Form):
    """The query and its filters. A filter whose value is not one of the choices is ignored,
    not reported: the page searches without it.

    ``columns`` and ``authors`` are ``(id, slug, name)`` rows (see
    :func:`commentary.search.filter_options`); the chosen ones become instances."""

    q = forms.CharField(label=_("Search for"), required=False)
    # Checked against the rows in filters(), not by the field: the choices are hundreds.
    column = forms.CharField(label=_("Column"), required=False, widget=PlainSelect)
    author = forms.CharField(label=_("Author"), required=False, widget=PlainSelect)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Article.Language.choices],
        widget=PlainSelect,
    )
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    tag = forms.SlugField(required=False, allow_unicode=True, widget=forms.HiddenInput)

    def __init__(self, data, *, columns, authors, years):
        super().__init__(data)
        self.columns = {slug: (pk, name) for pk, slug, name in columns}
        self.authors = {slug: (pk, name) for pk, slug, name in authors}
        self.fields["column"].widget.choices = [("", _("All columns"))] + [
            (slug, name) for _pk, slug, name in columns
        ]
        self.fields["author"].widget.choices = [("", _("All authors"))] + [
            (slug, name) for _pk, slug, name in authors
        ]
        self.fields["year"].choices = [("", _("Any year"))] + [(year, year) for year in years]
        self.fields["q"].widget.attrs.update(type="search", maxlength=search.MAX_QUERY_LENGTH)

    @staticmethod
    def _chosen(model, rows, slug):
        if slug not in rows:
            return None
        pk, name = rows[slug]
        return model(pk=pk, slug=slug, name=name)

    def filters(self):
        """The valid filters, the tag looked up by its slug (one query when one is given)."""
        self.is_valid()  # invalid values are simply left out of cleaned_data
        data = self.cleaned_data
        tag = None
        if data.get("tag"):
            tag = Tag.objects.filter(slug=data["tag"]).first()
        return search.SearchFilters(
            column=self._chosen(Column, self.columns, data.get("column")),
            author=self._chosen(Author, self.authors, data.get("author")),
            tag=tag,
            language=data.get("language") or "",
            year=data.get("year"),
        )


class SearchView(generic.ListView):
    """Search results, ten a page, best first, each with a highlighted snippet.

    An empty query shows a prompt and runs no query at all. Whatever else is typed, however
    long or strange, is cleaned and searched; what matches nothing gives "Nothing found".
    Search pages are kept out of search engines' indexes.
    """

    template_name = "commentary/search.html"
    context_object_name = "results"
    paginate_by = search.RESULTS_PER_PAGE
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        asked = self.request.GET.get("q", "")
        self.query = search.clean_query(asked)
        # Something typed that cleans away to nothing (control characters) finds nothing;
        # only a blank box is greeted with the prompt.
        self.asked = bool(asked.strip())
        self.form = self.filters = None
        if not self.query:
            return []
        data = self.request.GET.copy()
        data["q"] = self.query
        self.form = SearchForm(data, **search.filter_options())
        self.filters = self.form.filters()
        return search.ArticleSearch(self.query, filters=self.filters)

    def paginate_queryset(self, queryset, page_size):
        page = search.results_page(queryset, self.request.GET.get(self.page_kwarg))
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query=self.query,
            asked=self.asked,
            form=self.form,
            filters=self.filters,
            fuzzy=getattr(self.object_list, "fuzzy", False),
            page_query=self.link_query(),
            query_without_tag=self.link_query(without="tag"),
        )
        return context

    def link_query(self, without=None):
        """This search's parameters, valid ones only and without the page number, for links
        to other pages of it (and, ``without`` one filter, for links that change that one)."""
        params = QueryDict(mutable=True)
        if not self.query:
            return ""
        params["q"] = self.query
        filters = self.filters
        values = {
            "column": filters.column.slug if filters.column else "",
            "author": filters.author.slug if filters.author else "",
            "tag": filters.tag.slug if filters.tag else "",
            "language": filters.language,
            "year": filters.year or "",
        }
        for name in SEARCH_PARAMETERS[1:]:
            if values[name] and name != without:
                params[name] = values[name]
        return params.urlencode()
