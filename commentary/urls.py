from django.urls import path

from . import feeds, ical, views
from .search_views import SearchView

app_name = "commentary"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("comments/check-links/", views.CheckLinksView.as_view(), name="check_links"),
    path("comments/<int:pk>/report/", views.ReportCommentView.as_view(), name="report_comment"),
    path("columns/<slug:slug>/", views.ColumnDetailView.as_view(), name="column"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("authors/<slug:slug>/calendar.ics", ical.author_calendar, name="author_calendar"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("search/", SearchView.as_view(), name="search"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("preview/<int:pk>/share/", views.PreviewShareView.as_view(), name="preview_share"),
    path("preview/shared/<str:token>/", views.SharedPreviewView.as_view(), name="preview_shared"),
    path("archive/<int:year>/", views.YearArchiveView.as_view(), name="archive_year"),
    path(
        "archive/<int:year>/<int:month>/",
        views.MonthArchiveView.as_view(),
        name="archive_month",
    ),
    # Feeds
    path("feeds/rss/", feeds.SiteFeed(), name="feed_site_rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed_site_atom"),
    path("feeds/json/", feeds.SiteJsonFeed(), name="feed_site_json"),
    path("feeds/<str:language>/rss/", feeds.LanguageFeed(), name="feed_language_rss"),
    path("feeds/<str:language>/atom/", feeds.LanguageAtomFeed(), name="feed_language_atom"),
    path("feeds/<str:language>/json/", feeds.LanguageJsonFeed(), name="feed_language_json"),
    path("columns/<slug:slug>/feed/rss/", feeds.ColumnFeed(), name="feed_column_rss"),
    path("columns/<slug:slug>/feed/atom/", feeds.ColumnAtomFeed(), name="feed_column_atom"),
    path("columns/<slug:slug>/feed/json/", feeds.ColumnJsonFeed(), name="feed_column_json"),
    path("authors/<slug:slug>/feed/rss/", feeds.AuthorFeed(), name="feed_author_rss"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="feed_author_atom"),
    path("authors/<slug:slug>/feed/json/", feeds.AuthorJsonFeed(), name="feed_author_json"),
    path("tags/<str:slug>/feed/rss/", feeds.TagFeed(), name="feed_tag_rss"),
    path("tags/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="feed_tag_atom"),
    path("tags/<str:slug>/feed/json/", feeds.TagJsonFeed(), name="feed_tag_json"),
]
