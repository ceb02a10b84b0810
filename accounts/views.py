from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import generic
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import lockout, services, two_factor
from .forms import (
    LogInForm,
    PasswordResetForm,
    ProfileForm,
    ResendConfirmationForm,
    SignUpForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)

# Confirming an address logs its owner in with the model backend.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def site_root(request):
    """The site's absolute root URL, for links in e-mails."""
    return request.build_absolute_uri("/")


def add_service_errors(form, error):
    """Show a service's ``ValidationError`` on the form, on the field it names if the form
    has that field (the service's ``password`` is the form's second password field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        field = "password2" if field == "password" and "password2" in form.fields else field
        form.add_error(field if field in form.fields else None, errors)


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignUpView(generic.FormView):
    template_name = "accounts/sign_up.html"
    form_class = SignUpForm
    success_url = reverse_lazy("accounts:sign-up-done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return HttpResponseRedirect(reverse("accounts:profile"))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = services.user_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        services.user_send_confirmation(user=user, base_url=site_root(self.request))
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SignUpDoneView(generic.TemplateView):
    template_name = "accounts/sign_up_done.html"
    extra_context = {"valid_days": services.EMAIL_CONFIRMATION_MAX_AGE.days}


@method_decorator(never_cache, name="dispatch")
class ConfirmEmailView(generic.View):
    """The link in the confirmation e-mail: activates the account and logs its owner in.

    A link that is tampered with, expired or already used shows why, with a way to get a new
    one; a used link never logs anyone in again.
    """

    failure_template_name = "accounts/confirm_email_failed.html"

    def get(self, request, token):
        try:
            user = services.user_confirm_email(token=token)
        except ValidationError as error:
            return TemplateResponse(
                request,
                self.failure_template_name,
                {"reason": error.code, "message": error.messages[0]},
                status=200 if error.code == "confirmed" else 400,
            )
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, _("Thank you: your e-mail address is confirmed. Welcome!"))
        return HttpResponseRedirect(reverse("accounts:profile"))


class ResendConfirmationView(generic.FormView):
    """Asks for an address and sends a new link if an account there awaits confirmation.

    Every valid address gets the same answer, so the page never tells whether it has an
    account.
    """

    template_name = "accounts/resend_confirmation.html"
    form_class = ResendConfirmationForm
    success_url = reverse_lazy("accounts:resend-confirmation-done")

    def form_valid(self, form):
        services.user_resend_confirmation(
            email=form.cleaned_data["email"], base_url=site_root(self.request)
        )
        return super().form_valid(form)


class ResendConfirmationDoneView(generic.TemplateView):
    template_name = "accounts/resend_confirmation_done.html"
    extra_context = {"valid_days": services.EMAIL_CONFIRMATION_MAX_AGE.days}


class LogInView(auth_views.LoginView):
    form_class = LogInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # LoginView names the site after the request's host; the header wants the real name.
        context["site_name"] = settings.SITE_NAME
        return context

    def get_success_url(self):
        url = super().get_success_url()
        # Staff go on to the second factor first, and then where they were going.
        if two_factor.is_pending(self.request.user):
            return two_factor.second_step_url(url)
        return url


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, generic.FormView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:profile")
    success_message = gettext_lazy("Your profile has been saved.")

    def get_initial(self):
        return {"display_name": self.request.user.display_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if two_factor.is_required(user) or two_factor.is_verified(user):
            context["two_factor"] = {
                "verified": two_factor.is_verified(user),
                "backup_codes_left": two_factor.unused_backup_code_count(user),
            }
        return context

    def form_valid(self, form):
        try:
            services.user_update_profile(
                user=self.request.user, display_name=form.cleaned_data["display_name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return super().form_valid(form)


class NoLabelSuffixMixin:
    """Django's own forms, with labels as plain as the site's other forms."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}


class PasswordChangeView(NoLabelSuffixMixin, SuccessMessageMixin, auth_views.PasswordChangeView):
    # Not Django's default template name: the admin's own password change page uses that.
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = gettext_lazy("Your password has been changed.")


class PasswordResetView(NoLabelSuffixMixin, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        self.extra_email_context = {"site_name": settings.SITE_NAME}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(NoLabelSuffixMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class NextUrlMixin:
    """Where a log-in step goes on to: the ``next`` address when it is on this site, else
    the profile."""

    def get_next_url(self):
        candidate = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        next_url = self.get_next_url()
        return super().get_context_data(next=next_url, **kwargs)


class SecondFactorMixin(LoginRequiredMixin, NextUrlMixin):
    """What the code and set-up pages share: a wrong code counts as a failed log-in (after
    ``AXES_FAILURE_LIMIT`` of them the person is logged out and locked out like after wrong
    passwords), and a right one marks the session as verified."""

    def locked_out(self):
        credentials = lockout.credentials_for(self.request.user)
        # Back to the password after the cool-off, not straight back to guessing codes.
        logout(self.request)
        return lockout.lockout_response(self.request, credentials=credentials)

    def check_code(self, form, service):
        """Call ``service(user=..., code=...)``, a ``two_factor`` function that raises
        ``ValidationError`` for a wrong code, with the lock-out's counting around it.

        Returns ``(result, None)`` when the code passed, else ``(None, response)``.
        """
        user = self.request.user
        if lockout.is_locked_out(self.request, user):
            return None, self.locked_out()
        try:
            result = service(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            if error.code == "invalid" and lockout.record_failure(self.request, user):
                return None, self.locked_out()
            form.add_error("code", error)
            return None, self.form_invalid(form)
        lockout.record_success(self.request, user)
        return result, None


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorVerifyView(SecondFactorMixin, generic.FormView):
    """The log-in's second step for staff: the code from their authenticator app or a
    backup code. Staff without an app are sent to set one up first."""

    template_name = "accounts/two_factor_verify.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not two_factor.is_pending(request.user):
                return HttpResponseRedirect(self.get_next_url())
            if not two_factor.has_device(request.user):
                query = urlencode({"next": self.get_next_url()})
                return HttpResponseRedirect(f"{reverse('accounts:two-factor-setup')}?{query}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        device, refused = self.check_code(form, two_factor.two_factor_verify)
        if refused is not None:
            return refused
        two_factor.mark_verified(self.request, device)
        if two_factor.is_backup_codes(device):
            left = two_factor.unused_backup_code_count(self.request.user)
            messages.warning(
                self.request,
                ngettext(
                    "You used a backup code: %(count)d is left. Make new ones on your profile.",
                    "You used a backup code: %(count)d are left. Make new ones on your profile.",
                    left,
                )
                % {"count": left},
            )
        return HttpResponseRedirect(self.get_next_url())


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorSetupView(SecondFactorMixin, generic.FormView):
    """Staff who have no authenticator app yet add one: a QR code (and the secret, for
    typing), confirmed with the first code. Then their backup codes, shown once.

    Someone who has an app already is sent to the code page: replacing it takes an
    administrator's reset, or a password alone would be enough to take over the account.
    """

    template_name = "accounts/two_factor_setup.html"
    form_class = TwoFactorSetupForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if not two_factor.is_required(user):
                return HttpResponseRedirect(reverse("accounts:profile"))
            if two_factor.has_device(user):
                next_url = self.get_next_url()
                if two_factor.is_pending(user):
                    next_url = two_factor.second_step_url(next_url)
                return HttpResponseRedirect(next_url)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = two_factor.two_factor_setup_start(user=self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code_data_uri(device),
            secret=two_factor.secret_for_typing(device),
            **kwargs,
        )

    def form_valid(self, form):
        confirmed, refused = self.check_code(form, two_factor.two_factor_setup_confirm)
        if refused is not None:
            return refused
        device, codes = confirmed
        two_factor.mark_verified(self.request, device)
        return TemplateResponse(
            self.request,
            "accounts/two_factor_backup_codes.html",
            {"codes": codes, "next": self.get_next_url(), "first_time": True},
        )


@method_decorator(never_cache, name="dispatch")
class TwoFactorBackupCodesView(LoginRequiredMixin, generic.View):
    """New backup codes, the old ones void, shown once. Only in a session that has passed
    the second factor."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not two_factor.is_verified(request.user):
            raise PermissionDenied("New backup codes need a verified session.")
        codes = two_factor.two_factor_new_backup_codes(user=request.user)
        return TemplateResponse(
            request,
            "accounts/two_factor_backup_codes.html",
            {"codes": codes, "next": reverse("accounts:profile"), "first_time": False},
        )
