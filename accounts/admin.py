from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services, two_factor
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Public profile"), {"fields": ("display_name",)}),
    )
    list_display = (
        "username",
        "email",
        "display_name",
        "is_staff",
        "has_two_factor",
        "is_active",
        "last_login",
    )
    list_filter = ("groups", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "display_name", "first_name", "last_name")
    actions = ["unlock", "reset_two_factor"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            )
        )

    @admin.display(description=_("two-factor"), boolean=True, ordering="two_factor")
    def has_two_factor(self, user):
        return user.two_factor

    @admin.action(
        description=_("Unlock: clear failed log-in attempts of the selected users"),
        permissions=["change"],
    )
    def unlock(self, request, queryset):
        for user in queryset:
            cleared = services.user_unlock(user=user)
            if cleared:
                self.log_change(request, user, "Unlocked: failed log-in attempts cleared.")
        self.message_user(
            request,
            ngettext(
                "%(count)d user may log in again at once.",
                "%(count)d users may log in again at once.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reset two-factor authentication of the selected users"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            if two_factor.two_factor_reset(user=user):
                self.log_change(request, user, "Two-factor authentication reset.")
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user: they set up their "
                "authenticator app again at their next log-in.",
                "Two-factor authentication reset for %(count)d users: they set up their "
                "authenticator app again at their next log-in.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )
