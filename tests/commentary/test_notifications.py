"""The e-mails the comment system sends once a decision is committed."""

import datetime
import smtplib
import uuid
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import translation

from commentary import notifications, services
from commentary.models import Comment, ModerationEvent, RejectionReason
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 5, 7, 9, 30, tzinfo=datetime.UTC)
SITE = "https://commentary.example"


@pytest.fixture(autouse=True)
def known_settings(settings):
    settings.SITE_URL = SITE
    settings.COMMENTS_NOTIFY_REJECTED_ACCOUNTS = True
    settings.COMMENTS_NOTIFY_REJECTED_GUESTS = False
    settings.COMMENTS_NOTIFY_REPLIES = True
    settings.COMMENTS_TRUSTED_AFTER = 0
    settings.MODERATION_QUEUE_ALERT = 0


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks registered inside the block as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def rendered_in(monkeypatch):
    """The language active while each e-mail template is rendered, by template name."""
    languages = {}
    render = notifications.render_to_string

    def recording_render(template_name, context=None, *args, **kwargs):
        languages[template_name.rsplit("/", 1)[-1]] = translation.get_language()
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(notifications, "render_to_string", recording_render)
    return languages


@pytest.fixture
def article():
    return ArticleFactory(title="Why Sochi Matters", published_at=NOW - datetime.timedelta(days=30))


def _reject(comment, moderator, reason=RejectionReason.ABUSIVE):
    return services.comment_reject(comment=comment, moderator=moderator, reason=reason)


# --- rejection notices ----------------------------------------------------------------------


def test_an_account_holder_is_told_of_a_rejection_in_their_language(
    article, reader, moderator, mailoutbox, on_commit, rendered_in
):
    comment = CommentFactory(
        article=article,
        user=reader,
        author_name="Ivan",
        author_email="alias@example.org",
        language="ru",
        body="Саммит в Сочи ничего не изменил.",
    )

    with on_commit():
        _reject(comment, moderator)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [reader.email]  # the account's address, not the one typed in the form
    assert rendered_in == {"comment_rejected_subject.txt": "ru", "comment_rejected.txt": "ru"}
    assert translation.get_language() != "ru"
    assert "Why Sochi Matters" in mail.subject
    assert "\n" not in mail.subject
    with translation.override("ru"):
        reason = str(RejectionReason.ABUSIVE.label)
    assert reason in mail.body
    assert "Саммит в Сочи ничего не изменил." in mail.body
    assert f"{SITE}{article.get_absolute_url()}" in mail.body
    assert "Ivan" in mail.body


def test_the_rejection_reason_is_worded_in_the_commenters_language(
    article, reader, moderator, mailoutbox, on_commit, monkeypatch
):
    # No Russian catalogue yet: record which language the reason label is looked up in.
    monkeypatch.setattr(
        Comment,
        "get_rejection_reason_display",
        lambda comment: f"reason worded in {translation.get_language()}",
    )
    comment = CommentFactory(article=article, user=reader, language="ru")

    with translation.override("en"), on_commit():
        _reject(comment, moderator)

    assert "reason worded in ru" in mailoutbox[0].body


def test_an_english_rejection_names_the_reason(article, reader, moderator, mailoutbox, on_commit):
    comment = CommentFactory(article=article, user=reader, language="en")

    with on_commit():
        _reject(comment, moderator, reason=RejectionReason.OFF_TOPIC)

    mail = mailoutbox[0]
    assert mail.subject == "Your comment on “Why Sochi Matters” was not published"
    assert "Reason: Off topic" in mail.body


def test_account_holders_are_not_told_when_the_setting_is_off(
    settings, reader, moderator, mailoutbox, on_commit
):
    settings.COMMENTS_NOTIFY_REJECTED_ACCOUNTS = False
    comment = CommentFactory(user=reader)

    with on_commit():
        _reject(comment, moderator)

    assert mailoutbox == []
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REJECTED


def test_guests_are_not_told_by_default(moderator, mailoutbox, on_commit):
    comment = CommentFactory(author_email="guest@example.org")

    with on_commit():
        _reject(comment, moderator)

    assert mailoutbox == []


def test_guests_are_told_when_the_setting_is_on(settings, moderator, mailoutbox, on_commit):
    settings.COMMENTS_NOTIFY_REJECTED_GUESTS = True
    comment = CommentFactory(author_email="guest@example.org", body="A guest's view.")

    with on_commit():
        _reject(comment, moderator)

    assert [mail.to for mail in mailoutbox] == [["guest@example.org"]]
    assert "A guest's view." in mailoutbox[0].body


def test_no_notice_before_the_decision_is_committed(reader, moderator, mailoutbox, on_commit):
    comment = CommentFactory(user=reader)

    with on_commit() as callbacks:
        _reject(comment, moderator)
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1


def test_approving_a_comment_sends_no_rejection_notice(reader, moderator, mailoutbox, on_commit):
    with on_commit():
        services.comment_approve(comment=CommentFactory(user=reader), moderator=moderator)

    assert mailoutbox == []


# --- reply notices --------------------------------------------------------------------------


@pytest.fixture
def parent(article):
    return CommentFactory(
        article=article,
        approved=True,
        author_name="Anna",
        author_email="anna@example.org",
        language="ru",
    )


def _reply(parent, **kwargs):
    kwargs.setdefault("author_name", "Boris")
    kwargs.setdefault("author_email", "boris@example.org")
    kwargs.setdefault("body", "I disagree: the summit changed little.")
    return CommentFactory(article=parent.article, parent=parent, depth=parent.depth + 1, **kwargs)


def test_an_approved_reply_is_sent_to_the_parents_author(
    parent, moderator, mailoutbox, on_commit, rendered_in
):
    reply = _reply(parent)

    with on_commit():
        services.comment_approve(comment=reply, moderator=moderator)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["anna@example.org"]
    assert "Why Sochi Matters" in mail.subject
    assert "Anna" in mail.body
    assert "Boris" in mail.body
    assert "I disagree: the summit changed little." in mail.body
    assert f"{SITE}{reply.get_absolute_url()}" in mail.body
    assert rendered_in == {"reply_approved_subject.txt": "ru", "reply_approved.txt": "ru"}


def test_approving_the_reply_again_sends_nothing_more(parent, moderator, mailoutbox, on_commit):
    reply = _reply(parent)

    with on_commit():
        services.comment_approve(comment=reply, moderator=moderator)
    with on_commit():
        services.comment_approve(comment=reply, moderator=moderator)

    assert len(mailoutbox) == 1


@pytest.mark.parametrize("same", ["email", "account"])
def test_no_notice_for_a_reply_to_oneself(parent, moderator, mailoutbox, on_commit, same):
    if same == "email":
        reply = _reply(parent, author_email="anna@example.org")
    else:
        user = UserFactory()
        Comment.objects.filter(pk=parent.pk).update(user=user)
        parent.refresh_from_db()
        reply = _reply(parent, user=user, author_email="anna.work@example.org")

    with on_commit():
        services.comment_approve(comment=reply, moderator=moderator)

    assert mailoutbox == []
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.APPROVED


def test_no_reply_notice_when_the_setting_is_off(
    settings, parent, moderator, mailoutbox, on_commit
):
    settings.COMMENTS_NOTIFY_REPLIES = False

    with on_commit():
        services.comment_approve(comment=_reply(parent), moderator=moderator)

    assert mailoutbox == []


def test_no_reply_notice_for_a_top_level_comment(article, moderator, mailoutbox, on_commit):
    with on_commit():
        services.comment_approve(comment=CommentFactory(article=article), moderator=moderator)

    assert mailoutbox == []


def test_a_rejected_reply_sends_no_reply_notice(parent, moderator, mailoutbox, on_commit):
    with on_commit():
        _reject(_reply(parent), moderator)

    assert mailoutbox == []  # nor a rejection notice: Boris is a guest


def test_a_trusted_commenters_reply_is_notified_when_approved_automatically(
    settings, parent, mailoutbox, on_commit
):
    settings.COMMENTS_TRUSTED_AFTER = 1
    boris = UserFactory(email="boris@example.org")
    CommentFactory(approved=True, author_email="boris@example.org")

    with on_commit():
        reply = services.comment_submit(
            article=parent.article,
            parent=parent,
            body="A trusted reader's reply.",
            author_name="Boris",
            author_email="boris@example.org",
            user=boris,
        )

    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.APPROVED
    assert [mail.to for mail in mailoutbox] == [["anna@example.org"]]
    assert "A trusted reader's reply." in mailoutbox[0].body


def test_a_moderators_reply_is_notified(parent, mailoutbox, on_commit):
    moderator = ModeratorFactory(display_name="The Moderator")
    question = _reply(parent, status=Comment.Status.PENDING)

    with on_commit():
        services.comment_approve_and_reply(
            comment=question, moderator=moderator, body="Thank you, we corrected it."
        )

    # Boris hears of the moderator's reply; Anna of Boris's newly approved comment.
    assert sorted(mail.to[0] for mail in mailoutbox) == ["anna@example.org", "boris@example.org"]
    to_boris = next(mail for mail in mailoutbox if mail.to == ["boris@example.org"])
    assert "Thank you, we corrected it." in to_boris.body


# --- the queue alert ------------------------------------------------------------------------


@pytest.fixture
def local_cache(settings):
    """A process-local cache, whose expiry follows time_machine (Redis keeps its own clock)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"notifications-{uuid.uuid4()}",
        }
    }
    cache.clear()
    return cache


@pytest.fixture
def moderators():
    return [
        ModeratorFactory(email="olga@example.org"),
        ModeratorFactory(email="pavel@example.org"),
    ]


@pytest.fixture
def bystanders(editor, reader):
    """Accounts that must never get the alert."""
    ModeratorFactory(email="")
    ModeratorFactory(email="retired@example.org", is_active=False)
    return [editor, reader]


def _submit(article, number, on_commit):
    with on_commit():
        return services.comment_submit(
            article=article,
            body=f"Comment number {number} about the summit.",
            author_name=f"Reader {number}",
            author_email=f"reader{number}@example.org",
        )


def _alerts(mailoutbox):
    return [mail for mail in mailoutbox if "waiting for moderation" in mail.subject]


def test_the_queue_alert_goes_out_once_an_hour_at_most(
    settings, article, moderators, bystanders, local_cache, mailoutbox, on_commit
):
    settings.MODERATION_QUEUE_ALERT = 3

    with time_machine.travel(NOW, tick=False) as traveller:
        _submit(article, 1, on_commit)
        _submit(article, 2, on_commit)
        assert _alerts(mailoutbox) == []

        _submit(article, 3, on_commit)
        assert len(_alerts(mailoutbox)) == 1

        traveller.shift(datetime.timedelta(minutes=59))
        _submit(article, 4, on_commit)
        assert len(_alerts(mailoutbox)) == 1

        traveller.shift(datetime.timedelta(minutes=2))
        _submit(article, 5, on_commit)

    first, second = _alerts(mailoutbox)
    assert first.subject == "3 comments are waiting for moderation"
    assert second.subject == "5 comments are waiting for moderation"
    for mail in (first, second):
        assert mail.to == ["olga@example.org", "pavel@example.org"]
        assert f"{SITE}{reverse('moderation:queue')}" in mail.body
    assert "3 comments are waiting for a moderator." in first.body
    assert len(mailoutbox) == 2


def test_no_queue_alert_below_the_threshold_or_when_off(
    settings, article, moderators, local_cache, mailoutbox, on_commit
):
    settings.MODERATION_QUEUE_ALERT = 0
    for number in range(5):
        _submit(article, number, on_commit)
    assert mailoutbox == []

    settings.MODERATION_QUEUE_ALERT = 10
    _submit(article, 6, on_commit)
    assert mailoutbox == []


def test_decided_comments_do_not_count_toward_the_alert(
    settings, article, moderators, local_cache, mailoutbox, on_commit
):
    settings.MODERATION_QUEUE_ALERT = 3
    CommentFactory.create_batch(4, approved=True)
    CommentFactory.create_batch(4, rejected=True)
    CommentFactory()

    _submit(article, 1, on_commit)
    assert mailoutbox == []

    _submit(article, 2, on_commit)
    assert [mail.subject for mail in mailoutbox] == ["3 comments are waiting for moderation"]


def test_the_queue_alert_goes_out_without_the_cache(
    settings, article, moderators, mailoutbox, on_commit
):
    settings.MODERATION_QUEUE_ALERT = 1
    backend = type(caches["default"])

    with mock.patch.object(backend, "add", side_effect=ConnectionError("cache down")) as add:
        _submit(article, 1, on_commit)
        _submit(article, 2, on_commit)

    assert add.called
    assert len(_alerts(mailoutbox)) == 2


@pytest.mark.redis
def test_the_queue_alert_throttle_lives_an_hour_in_redis(
    settings, article, moderators, mailoutbox, on_commit
):
    settings.MODERATION_QUEUE_ALERT = 1

    _submit(article, 1, on_commit)
    _submit(article, 2, on_commit)

    assert len(_alerts(mailoutbox)) == 1
    key = cache.make_and_validate_key(notifications.QUEUE_ALERT_KEY)
    ttl = cache._cache.get_client(key).ttl(key)
    assert notifications.QUEUE_ALERT_INTERVAL - 60 < ttl <= notifications.QUEUE_ALERT_INTERVAL


# --- mail server failures -------------------------------------------------------------------


def _broken_mail_server(monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(notifications, "send_mail", refuse)


def test_a_mail_server_failure_does_not_undo_the_decision(
    reader, moderator, mailoutbox, on_commit, monkeypatch, caplog
):
    _broken_mail_server(monkeypatch)
    comment = CommentFactory(user=reader)

    with on_commit() as callbacks:
        _reject(comment, moderator)

    assert len(callbacks) == 1
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.status, stored.rejection_reason, stored.moderated_by) == (
        Comment.Status.REJECTED,
        RejectionReason.ABUSIVE,
        moderator,
    )
    assert stored.events.get().action == ModerationEvent.Action.REJECTED
    assert "could not send the comment_rejected e-mail" in caplog.text
    assert mailoutbox == []


def test_a_mail_server_failure_does_not_lose_a_submitted_comment(
    settings, article, moderators, local_cache, on_commit, monkeypatch, caplog
):
    settings.MODERATION_QUEUE_ALERT = 1
    _broken_mail_server(monkeypatch)

    comment = _submit(article, 1, on_commit)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert "could not send the queue_alert e-mail" in caplog.text
