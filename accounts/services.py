"""Every change of state in a reader's account goes through one of these functions.

Views call them; none re-implements them.  A new account is inactive until its owner follows
the link e-mailed to them: ``user_sign_up`` creates it, ``user_send_confirmation`` mails the
link, ``user_confirm_email`` checks the link's token and activates the account.

An account is *awaiting confirmation* while it is inactive and nobody has ever logged in to it.
Confirming logs its owner in, so an account that staff deactivate later is never taken for
one awaiting confirmation, and its old links stay dead.
"""

import datetime
import logging
from urllib.parse import urljoin

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import User

logger = logging.getLogger(__name__)

EMAIL_CONFIRMATION_MAX_AGE = datetime.timedelta(days=3)
_CONFIRMATION_SALT = "accounts.email-confirmation"

EMAIL_TAKEN_MESSAGE = _lazy(
    "An account with this e-mail address already exists. If it is yours, log in or reset "
    "your password."
)


def users_with_email(email):
    """Users whose e-mail address is ``email`` in any case, compared as the database's unique
    constraint compares them (so that the constraint's index can serve the lookup)."""
    return User.objects.exclude(email="").filter(Exact(Lower("email"), Lower(Value(email))))


def is_awaiting_confirmation(user):
    return not user.is_active and user.last_login is None


@transaction.atomic
def user_sign_up(*, username, email, password, display_name=""):
    """Create a reader's account, inactive until the e-mail address is confirmed.

    Raises ``ValidationError`` (with field names) when the username or the e-mail address is
    taken or the password is too weak.  Call ``user_send_confirmation`` afterwards.
    """
    user = User(
        username=username,
        email=User.objects.normalize_email(email.strip()),
        display_name=display_name.strip(),
        is_active=False,
    )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    if not user.email:
        raise ValidationError({"email": _("Enter your e-mail address.")})
    if users_with_email(user.email).exists():
        raise ValidationError({"email": EMAIL_TAKEN_MESSAGE})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    user.full_clean()
    try:
        # A savepoint: another sign-up may take the username or address since the checks.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(
            _("That username or e-mail address was taken a moment ago. Please choose another."),
            code="unique",
        ) from error
    return user


def _confirmation_state(user):
    """A digest of everything whose change must kill the user's confirmation links."""
    return salted_hmac(
        _CONFIRMATION_SALT,
        f"{user.pk}:{user.email}:{user.is_active}:{user.last_login}",
        algorithm="sha256",
    ).hexdigest()[:32]


def _signer():
    return signing.TimestampSigner(salt=_CONFIRMATION_SALT)


def make_confirmation_token(user):
    """A signed token that confirms ``user``'s address until it is used or three days pass."""
    return _signer().sign_object({"user": user.pk, "state": _confirmation_state(user)})


def user_send_confirmation(*, user, base_url):
    """E-mail ``user`` a link that confirms their address; ``base_url`` is the site's root,
    such as ``request.build_absolute_uri("/")``.

    A failure to send is logged, not raised: the owner can ask for a new link.
    """
    token = make_confirmation_token(user)
    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "confirm_url": urljoin(base_url, reverse("accounts:confirm-email", args=[token])),
        "resend_url": urljoin(base_url, reverse("accounts:resend-confirmation")),
        "valid_days": EMAIL_CONFIRMATION_MAX_AGE.days,
    }
    subject = "".join(
        render_to_string("accounts/email/confirm_email_subject.txt", context).splitlines()
    )
    body = render_to_string("accounts/email/confirm_email.txt", context)
    try:
        EmailMessage(subject, body, to=[user.email]).send()
    except Exception:
        logger.exception("Failed to send the confirmation e-mail to user %s", user.pk)


def user_resend_confirmation(*, email, base_url):
    """Send a new confirmation link to the account awaiting confirmation at ``email``, if any.

    Returns nothing and behaves the same whether or not such an account exists, so that the
    caller cannot reveal which addresses have accounts.
    """
    for user in users_with_email(email).filter(is_active=False, last_login__isnull=True):
        user_send_confirmation(user=user, base_url=base_url)


@transaction.atomic
def user_confirm_email(*, token):
    """Activate the account that ``token`` was made for and return it; the caller logs it in.

    Raises ``ValidationError`` with code ``expired`` (older than three days), ``confirmed``
    (the account is active already: the link was used) or ``invalid`` (anything else).
    """
    signer = _signer()
    try:
        payload = signer.unsign_object(token, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        payload, expired = signer.unsign_object(token), True
    except signing.BadSignature as error:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid") from error
    else:
        expired = False
    if not isinstance(payload, dict):
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    user = (
        User.objects.select_for_update().filter(pk=payload.get("user")).first()
        if isinstance(payload.get("user"), int)
        else None
    )
    if user is None:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    if user.is_active and user.last_login is not None:
        raise ValidationError(
            _("This address has been confirmed already. Please log in."), code="confirmed"
        )
    if expired:
        raise ValidationError(_("This confirmation link has expired."), code="expired")
    if not is_awaiting_confirmation(user) or payload.get("state") != _confirmation_state(user):
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_update_profile(*, user, display_name):
    """Change the name shown beside the user's comments; empty means the username."""
    user.display_name = display_name.strip()
    user.full_clean(
        exclude=[field.name for field in User._meta.fields if field.name != "display_name"],
        validate_constraints=False,
    )
    user.save(update_fields=["display_name"])
    return user


def user_unlock(*, user):
    """Lift ``user``'s log-in lock-out (django-axes) from every address, as
    ``manage.py axes_reset_username`` does; returns how many records of failures were
    cleared."""
    return axes_reset(username=user.get_username())
