from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import spam
from .links import find_links
from .models import Comment, CommentReport
from .validators import validate_no_links

try:
    from .links import check_links
except ImportError:  # pragma: no cover - before ``check_links`` existed
    check_links = None

# The longest text the live link hint reads; a comment is shorter still (COMMENTS_MAX_LENGTH).
LINK_CHECK_MAX_LENGTH = 10_000

# Refusals by ``services.comment_submit`` that are about the text: shown on the comment field.
# Every other code (closed, banned, stale_form, too_fast, rate_limited, parent) is about the
# form as a whole and is shown above it.
_BODY_ERROR_CODES = {"duplicate", "banned_word", "link"}


class FormTokenField(forms.CharField):
    """The hidden, signed ``spam.issue_form_token()`` of one rendering of the form.

    What was sent is read but never echoed: every rendering, an error re-render included,
    carries a new token, so the clock of the "too fast" check restarts and a form shown again
    is a new submission.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, initial=spam.issue_form_token, **kwargs)

    def bound_data(self, data, initial):
        return initial


class CommentForm(forms.ModelForm):
    """A reader's comment: name, e-mail and plain text, plus what protects the form.

    ``form_token`` (signed, new on every rendering) makes a double submission store one
    comment and lets the service refuse forms sent too fast or too late; ``website`` is a
    honeypot that people never see (bots fill it in); ``parent`` is the comment replied to.

    Signed-in readers find their name filled in from their account and may change it. When
    the account has an e-mail address the e-mail field is left out: the account's address is
    used, so notifications reach the address the reader confirmed.
    """

    form_token = FormTokenField()
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("You can only reply to a published comment.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = ["author_name", "author_email", "website", "body"]

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "body"]
        labels = {
            "author_name": _("Name"),
            "author_email": _("E-mail"),
            "body": _("Comment"),
        }
        help_texts = {
            "author_email": _("Never shown publicly."),
            "body": _("Plain text. Links are not allowed."),
        }
        widgets = {
            "author_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "author_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, article, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.article = article
        if self.is_bound:
            # Only a submission looks the reply target up; building the queryset for the
            # form every reader is shown would cost each article page for nothing.
            self.fields["parent"].queryset = Comment.objects.approved().filter(article=article)
        self.account_email = ""
        if user is not None and user.is_authenticated:
            self.fields["author_name"].initial = user.public_name
            if user.email:
                self.account_email = user.email
                del self.fields["author_email"]

    @property
    def top_errors(self):
        """Errors shown above the form: the form's own and those of its hidden fields."""
        errors = list(self.non_field_errors())
        for field in self.hidden_fields():
            errors.extend(field.errors)
        return errors

    def submission(self):
        """The keyword arguments of ``services.comment_submit`` that come from the form."""
        data = self.cleaned_data
        return {
            "body": data["body"],
            "author_name": data["author_name"],
            "author_email": data.get("author_email") or self.account_email,
            "parent": data.get("parent"),
            "form_token": data.get("form_token", ""),
            "honeypot": data.get("website", ""),
        }

    def add_service_error(self, error):
        """Show a ``ValidationError`` of ``services.comment_submit`` where it belongs."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        elif getattr(error, "code", None) in _BODY_ERROR_CODES and "body" in self.fields:
            self.add_error("body", error)
        else:
            self.add_error(None, error)


class ReportForm(forms.Form):
    """Why a reader reports a published comment."""

    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=300,
        validators=[validate_no_links],
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_("Plain text. Links are not allowed."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_error(self, error):
        """Show a ``ValidationError`` of ``services.comment_report`` where it belongs."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        elif getattr(error, "code", None) == "reason":
            self.add_error("reason", error)
        else:
            self.add_error(None, error)


class LinkCheckForm(forms.Form):
    """The text the comment form's script sends for a live hint about links."""

    text = forms.CharField(required=False, strip=False, max_length=LINK_CHECK_MAX_LENGTH)

    def hint(self):
        """What the no-links rule finds in the text, for the script.

        ``message`` is the validator's own, translated, so the live hint says exactly what
        posting the comment would say; it is empty when the rule finds nothing.
        """
        text = self.cleaned_data["text"]
        if check_links is None:  # a links module without missing-space detection
            links, missing_spaces = find_links(text), []
        else:
            found = check_links(text)
            links, missing_spaces = list(found.links), list(found.missing_spaces)
        try:
            validate_no_links(text)
        except ValidationError as error:
            message = " ".join(error.messages)
        else:
            message = ""
        return {"links": links, "missing_spaces": missing_spaces, "message": message}
