from django.urls import path

from . import ical, views

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
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("preview/<int:pk>/share/", views.PreviewShareView.as_view(), name="preview_share"),
    path("preview/shared/<str:token>/", views.SharedPreviewView.as_view(), name="preview_shared"),
    path("archive/<int:year>/", views.YearArchiveView.as_view(), name="archive_year"),
    path(
        "archive/<int:year>/<int:month>/",
        views.MonthArchiveView.as_view(),
        name="archive_month",
    ),
]
