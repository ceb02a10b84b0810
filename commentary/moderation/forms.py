"""The input of the moderation queue's forms: one decision on one comment, or a bulk decision.

The queue's templates write these forms' HTML by hand (fifty cards, each with several small
forms, need unique ids and the keyboard shortcuts' hooks); these classes check what comes back.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Comment, RejectionReason

MAX_BULK = 100


class DecisionForm(forms.Form):
    """What every decision carries: the status the moderator saw, to detect conflicts."""

    expected_status = forms.ChoiceField(choices=Comment.Status.choices, widget=forms.HiddenInput)


class ApproveForm(DecisionForm):
    pass


class SpamForm(DecisionForm):
    pass


class RejectForm(DecisionForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=RejectionReason.choices,
        error_messages={"required": _("Choose a reason for the rejection.")},
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False)


class ReplyForm(DecisionForm):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea,
        error_messages={"required": _("Write the reply to publish.")},
    )


class BanForm(DecisionForm):
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        error_messages={"required": _("Say why the commenter is banned.")},
    )
    ends_on = forms.DateField(
        label=_("Ends on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reject_pending = forms.BooleanField(
        label=_("Reject all their pending comments"), required=False
    )

    def clean_ends_on(self):
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is not None and ends_on <= timezone.localdate():
            raise forms.ValidationError(
                _("The end of the ban must be a date after today."), code="expires"
            )
        return ends_on

    @property
    def expires_at(self):
        """The ban ends at the start of the chosen day, in the site's time zone."""
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(ends_on, datetime.time.min))


DECISION_FORMS = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "reply": ReplyForm,
    "spam": SpamForm,
    "ban": BanForm,
}


class BulkDecisionForm(DecisionForm):
    ACTIONS = [
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("spam", _("Spam")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    comments = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.all(),
        error_messages={"required": _("Select at least one comment.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *RejectionReason.choices], required=False
    )

    def clean_comments(self):
        comments = self.cleaned_data["comments"]
        if len(comments) > MAX_BULK:
            raise forms.ValidationError(
                _("Select at most %(max)d comments at a time."),
                code="too_many",
                params={"max": MAX_BULK},
            )
        return comments

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", _("Choose a reason for the rejection."))
        return cleaned
