from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import (
    LogInForm,
    PasswordResetForm,
    ProfileForm,
    ResendConfirmationForm,
    SignUpForm,
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


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, generic.FormView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:profile")
    success_message = gettext_lazy("Your profile has been saved.")

    def get_initial(self):
        return {"display_name": self.request.user.display_name}

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
