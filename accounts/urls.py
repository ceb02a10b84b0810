from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-up/", views.SignUpView.as_view(), name="sign-up"),
    path("sign-up/done/", views.SignUpDoneView.as_view(), name="sign-up-done"),
    path("confirm/resend/", views.ResendConfirmationView.as_view(), name="resend-confirmation"),
    path(
        "confirm/resend/done/",
        views.ResendConfirmationDoneView.as_view(),
        name="resend-confirmation-done",
    ),
    path("confirm/<str:token>/", views.ConfirmEmailView.as_view(), name="confirm-email"),
    path("log-in/", views.LogInView.as_view(), name="log-in"),
    path("two-factor/", views.TwoFactorVerifyView.as_view(), name="two-factor"),
    path("two-factor/set-up/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path(
        "two-factor/backup-codes/",
        views.TwoFactorBackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("log-out/", auth_views.LogoutView.as_view(), name="log-out"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("password-change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
]
