from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User


class SignUpForm(auth_forms.UserCreationForm):
    """A reader's new account: username, e-mail address, optional display name, password twice.

    Only shapes and checks the input (the password against the site's validators); the view
    hands the cleaned data to ``services.user_sign_up``.
    """

    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")
        labels = {"email": _("E-mail address"), "display_name": _("Display name")}
        help_texts = {
            "email": _("We send a link to this address to confirm it. Never shown publicly."),
            "display_name": _(
                "Optional. The name shown beside your comments; without one, your username is "
                "shown."
            ),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if services.users_with_email(email).exists():
            raise ValidationError(services.EMAIL_TAKEN_MESSAGE, code="unique")
        return email

    def save(self, commit=True):
        raise NotImplementedError("Create accounts with accounts.services.user_sign_up.")


class LogInForm(auth_forms.AuthenticationForm):
    """Django's log-in form, which also tells the owner of an unconfirmed account why they
    cannot log in yet (only when the password is right, so nobody else learns of it)."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "unconfirmed": _("Please confirm your e-mail address first."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self._is_unconfirmed_owner():
                raise ValidationError(
                    self.error_messages["unconfirmed"], code="unconfirmed"
                ) from error
            raise

    def _is_unconfirmed_owner(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            return False
        return services.is_awaiting_confirmation(user) and user.check_password(password)

    @property
    def needs_confirmation(self):
        return self.has_error(NON_FIELD_ERRORS, "unconfirmed")


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text=_("The name shown beside your comments. Leave it empty to show your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TwoFactorCodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a backup code. Checking it is
    ``accounts.two_factor``'s business; the view hands the cleaned code over."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six-digit code your authenticator app shows now, or a backup code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TwoFactorSetupForm(TwoFactorCodeForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six-digit code your authenticator app shows after adding the account."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
