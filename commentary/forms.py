from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Comment


class CommentForm(forms.ModelForm):
    """A reader's comment: name, e-mail and plain text."""

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

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            self.fields["author_name"].initial = user.public_name
            self.fields["author_email"].initial = user.email
