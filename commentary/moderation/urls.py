from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("bulk/", views.BulkView.as_view(), name="bulk"),
    path("comments/<int:pk>/", views.CommentDetailView.as_view(), name="comment"),
    path("comments/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
]
