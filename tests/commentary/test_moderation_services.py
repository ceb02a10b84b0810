"""Moderators' decisions, bans, readers' reports and the erasure of IP hashes."""

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from commentary import services, spam
from commentary.management.commands import purge_ip_hashes
from commentary.models import (
    Article,
    Ban,
    Comment,
    CommentReport,
    ModerationEvent,
    RejectionReason,
)
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 5, 7, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def comment():
    return CommentFactory(author_email="troll@example.org", ip_hash=spam.ip_hash("203.0.113.5"))


def _reload(comment):
    return Comment.objects.get(pk=comment.pk)


def _approve(comment, moderator, **kwargs):
    return services.comment_approve(comment=comment, moderator=moderator, **kwargs)


def _reject(comment, moderator, **kwargs):
    kwargs.setdefault("reason", RejectionReason.OFF_TOPIC)
    return services.comment_reject(comment=comment, moderator=moderator, **kwargs)


def _spam(comment, moderator, **kwargs):
    return services.comment_mark_spam(comment=comment, moderator=moderator, **kwargs)


# --- approve, reject, spam ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decide", "status", "action", "reason"),
    [
        (_approve, Comment.Status.APPROVED, ModerationEvent.Action.APPROVED, ""),
        (_reject, Comment.Status.REJECTED, ModerationEvent.Action.REJECTED, "off_topic"),
        (_spam, Comment.Status.SPAM, ModerationEvent.Action.SPAM, ""),
    ],
)
def test_a_decision_sets_the_status_and_logs_one_event(
    comment, moderator, decide, status, action, reason
):
    with time_machine.travel(NOW, tick=False):
        returned = decide(comment, moderator)

    stored = _reload(comment)
    assert returned.status == stored.status == status
    assert stored.moderated_by == moderator
    assert stored.moderated_at == NOW
    assert stored.rejection_reason == reason
    event = ModerationEvent.objects.get()
    assert (event.comment, event.actor, event.action, event.reason) == (
        stored,
        moderator,
        action,
        reason,
    )
    assert event.created_at == NOW


def test_a_rejection_keeps_the_reason_and_the_note(comment, moderator):
    _reject(comment, moderator, reason=RejectionReason.PRIVACY, note="Doxxes the author.")

    assert _reload(comment).rejection_reason == "privacy"
    event = comment.events.get()
    assert (event.reason, event.note) == ("privacy", "Doxxes the author.")


def test_approving_an_approved_comment_again_logs_nothing(comment, moderator):
    _approve(comment, moderator)
    second = ModeratorFactory()

    _approve(comment, second)

    assert comment.events.count() == 1
    assert _reload(comment).moderated_by == moderator


def test_approving_a_rejected_comment_clears_the_reason(comment, moderator):
    _reject(comment, moderator, reason=RejectionReason.ABUSIVE)
    _approve(comment, moderator)

    stored = _reload(comment)
    assert (stored.status, stored.rejection_reason) == (Comment.Status.APPROVED, "")
    assert list(comment.events.values_list("action", flat=True)) == ["rejected", "approved"]


@pytest.mark.parametrize("reason", ["", "rude", "OFF_TOPIC"])
def test_a_rejection_needs_a_valid_reason_code(comment, moderator, reason):
    with pytest.raises(ValidationError) as refused:
        _reject(comment, moderator, reason=reason)

    assert refused.value.code == "reason"
    assert _reload(comment).status == Comment.Status.PENDING
    assert not ModerationEvent.objects.exists()


@pytest.mark.parametrize("who", [None, "reader", "editor"])
def test_only_moderators_decide(request, comment, who):
    user = request.getfixturevalue(who) if who else None

    with pytest.raises(PermissionDenied):
        _approve(comment, user)

    assert _reload(comment).status == Comment.Status.PENDING
    assert not ModerationEvent.objects.exists()


def test_a_decision_on_a_changed_comment_is_a_conflict_naming_the_moderator(comment):
    first = ModeratorFactory(display_name="Anna Petrova")
    second = ModeratorFactory()
    _approve(comment, first, expected_status=Comment.Status.PENDING)

    with pytest.raises(services.ModerationConflict) as conflict:
        _reject(comment, second, expected_status=Comment.Status.PENDING)

    assert conflict.value.code == "conflict"
    assert "Anna Petrova" in conflict.value.messages[0]
    assert "approved" in conflict.value.messages[0]
    stored = _reload(comment)
    assert (stored.status, stored.rejection_reason, stored.moderated_by) == (
        Comment.Status.APPROVED,
        "",
        first,
    )
    assert list(comment.events.values_list("actor", flat=True)) == [first.pk]


def test_the_expected_status_may_match(comment, moderator):
    _approve(comment, moderator, expected_status=Comment.Status.PENDING)
    _spam(comment, moderator, expected_status=Comment.Status.APPROVED)

    assert _reload(comment).status == Comment.Status.SPAM


def test_approving_a_reported_comment_dismisses_the_reports(moderator):
    reported = CommentFactory(approved=True, flagged_at=NOW)
    assert list(Comment.objects.reported()) == [reported]

    _approve(reported, moderator)

    stored = _reload(reported)
    assert stored.status == Comment.Status.APPROVED
    assert stored.flagged_at is None
    assert stored.moderated_by == moderator
    event = stored.events.get()
    assert (event.action, event.actor) == (ModerationEvent.Action.REPORTS_DISMISSED, moderator)
    assert list(Comment.objects.reported()) == []


def test_rejecting_a_reported_comment_takes_it_down(moderator):
    reported = CommentFactory(approved=True, flagged_at=NOW)

    _reject(reported, moderator, reason=RejectionReason.HATE)

    stored = _reload(reported)
    assert (stored.status, stored.flagged_at) == (Comment.Status.REJECTED, None)
    assert stored.events.get().action == ModerationEvent.Action.REJECTED


def test_comment_counts_stay_right_through_every_decision(moderator):
    article = ArticleFactory()
    comment = CommentFactory(article=article)
    CommentFactory(article=article)  # another, waiting throughout
    CommentFactory(article=article, approved=True)

    def counts():
        annotated = Article.objects.with_comment_counts().get(pk=article.pk)
        return annotated.approved_comment_count, annotated.pending_comment_count

    assert counts() == (1, 2)
    _approve(comment, moderator)
    assert counts() == (2, 1)
    _reject(comment, moderator)
    assert counts() == (1, 1)
    _spam(comment, moderator)
    assert counts() == (1, 1)
    _approve(comment, moderator)
    assert counts() == (2, 1)
    assert comment.events.count() == 4


# --- bans -----------------------------------------------------------------------------------


def test_a_ban_names_the_commenter_and_rejects_their_waiting_comments(moderator, reader):
    comment = CommentFactory(
        user=reader, author_email="troll@example.org", ip_hash=spam.ip_hash("203.0.113.5")
    )
    same_address = CommentFactory(author_email="troll@example.org")  # another article
    same_account = CommentFactory(user=reader, author_email="alias@example.org")
    published = CommentFactory(author_email="troll@example.org", approved=True)
    someone_else = CommentFactory(author_email="else@example.org")

    with time_machine.travel(NOW, tick=False):
        ban, rejected = services.commenter_ban(
            comment=comment,
            moderator=moderator,
            reason="  Personal attacks  ",
            expires_at=NOW + datetime.timedelta(days=30),
        )

    stored = Ban.objects.get()
    assert stored == ban
    assert (stored.email, stored.user, stored.ip_hash) == (
        "troll@example.org",
        reader,
        spam.ip_hash("203.0.113.5"),
    )
    assert (stored.reason, stored.created_by) == ("Personal attacks", moderator)
    assert stored.expires_at == NOW + datetime.timedelta(days=30)
    banned_event = ModerationEvent.objects.get(action=ModerationEvent.Action.BANNED)
    assert (banned_event.comment, banned_event.actor, banned_event.note) == (
        comment,
        moderator,
        "Personal attacks",
    )

    assert {waiting.pk for waiting in rejected} == {comment.pk, same_address.pk, same_account.pk}
    for waiting in (comment, same_address, same_account):
        stored_comment = _reload(waiting)
        assert stored_comment.status == Comment.Status.REJECTED
        assert stored_comment.rejection_reason == RejectionReason.OTHER
        assert stored_comment.moderated_by == moderator
        event = stored_comment.events.get(action=ModerationEvent.Action.REJECTED)
        assert event.note == "Commenter banned: Personal attacks"
    assert _reload(published).status == Comment.Status.APPROVED
    untouched = _reload(someone_else)
    assert (untouched.status, untouched.moderated_by) == (Comment.Status.PENDING, None)
    assert not untouched.events.exists()


def test_a_banned_commenter_can_no_longer_comment(comment, moderator):
    services.commenter_ban(comment=comment, moderator=moderator, reason="Spam")

    with pytest.raises(ValidationError) as refused:
        services.comment_submit(
            article=comment.article,
            body="Let me back in.",
            author_name="Troll",
            author_email="TROLL@example.org",
        )

    assert refused.value.code == "banned"


def test_a_ban_may_leave_the_waiting_comments(comment, moderator):
    _ban, rejected = services.commenter_ban(
        comment=comment, moderator=moderator, reason="Spam", reject_pending=False
    )

    assert rejected == []
    assert _reload(comment).status == Comment.Status.PENDING


@pytest.mark.parametrize("ends", [datetime.timedelta(0), datetime.timedelta(days=-1)])
def test_a_ban_cannot_end_in_the_past(comment, moderator, ends):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        services.commenter_ban(
            comment=comment, moderator=moderator, reason="Spam", expires_at=NOW + ends
        )

    assert refused.value.code == "expires"
    assert not Ban.objects.exists()
    assert _reload(comment).status == Comment.Status.PENDING


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_ban_needs_a_reason(comment, moderator, reason):
    with pytest.raises(ValidationError) as refused:
        services.commenter_ban(comment=comment, moderator=moderator, reason=reason)

    assert refused.value.code == "reason"
    assert not Ban.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_only_moderators_ban(comment, editor):
    with pytest.raises(PermissionDenied):
        services.commenter_ban(comment=comment, moderator=editor, reason="Spam")

    assert not Ban.objects.exists()


# --- readers' reports -----------------------------------------------------------------------


def _report(comment, key, reason=CommentReport.Reason.ABUSIVE, **kwargs):
    return services.comment_report(comment=comment, reason=reason, reporter_key=key, **kwargs)


def test_a_reader_reports_a_comment_once(reader):
    published = CommentFactory(approved=True)
    report = _report(published, "reader-1", user=reader, note="  Insults the author.  ")

    with pytest.raises(ValidationError) as refused:
        _report(published, "reader-1", reason=CommentReport.Reason.SPAM)

    assert refused.value.code == "already_reported"
    stored = CommentReport.objects.get()
    assert stored == report
    assert (stored.reporter, stored.reason, stored.note) == (
        reader,
        "abusive",
        "Insults the author.",
    )


def test_enough_reports_flag_the_comment_once(settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    published = CommentFactory(approved=True)

    with time_machine.travel(NOW, tick=False) as traveller:
        _report(published, "reader-1")
        assert _reload(published).flagged_at is None
        assert list(Comment.objects.reported()) == []
        assert not published.events.exists()

        _report(published, "reader-2")
        traveller.shift(datetime.timedelta(hours=1))
        _report(published, "reader-3")

    stored = _reload(published)
    assert stored.flagged_at == NOW
    assert stored.status == Comment.Status.APPROVED
    assert list(Comment.objects.reported()) == [stored]
    event = stored.events.get()
    assert (event.action, event.actor) == (ModerationEvent.Action.FLAGGED, None)
    assert published.reports.count() == 3


def test_dismissed_reports_do_not_count_towards_a_new_flag(settings, moderator):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    published = CommentFactory(approved=True)
    with time_machine.travel(NOW, tick=False) as traveller:
        _report(published, "reader-1")
        _report(published, "reader-2")
        traveller.shift(datetime.timedelta(minutes=5))
        _approve(published, moderator)
        traveller.shift(datetime.timedelta(minutes=5))

        _report(published, "reader-3")
        assert _reload(published).flagged_at is None

        _report(published, "reader-4")
    assert _reload(published).flagged_at is not None
    assert published.events.filter(action=ModerationEvent.Action.FLAGGED).count() == 2


def test_a_ban_sends_no_rejection_mail_for_the_backlog(moderator, reader, mailoutbox, settings):
    settings.COMMENTS_NOTIFY_REJECTED_ACCOUNTS = True
    waiting = CommentFactory.create_batch(3, user=reader, author_email=reader.email)

    with mock.patch("django.db.transaction.on_commit", lambda callback: callback()):
        services.commenter_ban(comment=waiting[0], moderator=moderator, reason="abuse")

    assert {_reload(comment).status for comment in waiting} == {Comment.Status.REJECTED}
    assert mailoutbox == []


def test_a_prolific_commenters_latest_text_is_still_a_duplicate(reader):
    with time_machine.travel(NOW, tick=False) as traveller:
        article = ArticleFactory()
        for number in range(60):
            CommentFactory(
                article=article,
                user=reader,
                author_email=reader.email,
                body=f"Earlier remark number {number}.",
            )
            traveller.shift(datetime.timedelta(seconds=30))
        with pytest.raises(ValidationError) as refused:
            services.comment_submit(
                article=article,
                body="Earlier remark number 59.",
                author_name="Reader",
                author_email=reader.email,
                user=reader,
            )
    assert refused.value.code == "duplicate"


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.REJECTED, "spam"])
def test_only_published_comments_can_be_reported(status):
    hidden = CommentFactory(
        status=status, moderated_at=None if status == Comment.Status.PENDING else NOW
    )

    with pytest.raises(ValidationError) as refused:
        _report(hidden, "reader-1")

    assert refused.value.code == "not_public"
    assert not CommentReport.objects.exists()


def test_a_report_needs_a_known_reason():
    with pytest.raises(ValidationError) as refused:
        _report(CommentFactory(approved=True), "reader-1", reason="boring")

    assert refused.value.code == "reason"
    assert not CommentReport.objects.exists()


# --- erasing IP hashes ----------------------------------------------------------------------


@pytest.fixture
def aged_comments(settings):
    """Comments 40, 31 and 29 days old with IP hashes, and a 50-day-old one without."""
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    made = {
        days: CommentFactory(created_at=NOW - datetime.timedelta(days=days), ip_hash=f"hash-{days}")
        for days in (40, 31, 29)
    }
    made[50] = CommentFactory(created_at=NOW - datetime.timedelta(days=50), ip_hash="")
    return made


def _hashes(comments):
    return {days: _reload(comment).ip_hash for days, comment in comments.items()}


def test_purging_erases_only_the_hashes_past_the_retention_period(aged_comments):
    with time_machine.travel(NOW, tick=False):
        erased = services.comments_purge_ip_hashes()

    assert erased == 2
    assert _hashes(aged_comments) == {40: "", 31: "", 29: "hash-29", 50: ""}


def test_purging_with_fewer_days_erases_more(aged_comments):
    with time_machine.travel(NOW, tick=False):
        assert services.comments_purge_ip_hashes(older_than_days=10) == 3
        assert services.comments_purge_ip_hashes(older_than_days=10) == 0

    assert set(_hashes(aged_comments).values()) == {""}


def test_the_command_erases_and_prints_the_count(aged_comments):
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("purge_ip_hashes", stdout=out)

    assert out.getvalue() == "Erased the IP hashes of 2 comments older than 30 days.\n"
    assert _hashes(aged_comments)[29] == "hash-29"


def test_the_command_takes_the_number_of_days(aged_comments):
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("purge_ip_hashes", "--days", "35", stdout=out)

    assert out.getvalue() == "Erased the IP hashes of 1 comments older than 35 days.\n"
    assert _hashes(aged_comments) == {40: "", 31: "hash-31", 29: "hash-29", 50: ""}


def test_the_command_refuses_negative_days_in_one_line(aged_comments, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("purge_ip_hashes", "--days", "-1")
    assert refused.value.returncode != 0
    assert "\n" not in str(refused.value)

    # As from a shell: one line on stderr, a non-zero exit status.
    command = purge_ip_hashes.Command()
    with (
        # run_from_argv closes the connections when done, which would end the test's transaction.
        mock.patch("django.core.management.base.connections"),
        pytest.raises(SystemExit) as exit_status,
    ):
        command.run_from_argv(["manage.py", "purge_ip_hashes", "--days", "-1"])

    assert exit_status.value.code not in (0, None)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "--days" in captured.err
    assert _hashes(aged_comments) == {40: "hash-40", 31: "hash-31", 29: "hash-29", 50: ""}


def test_purging_keeps_everything_but_the_hash(aged_comments):
    user = UserFactory()
    kept = CommentFactory(user=user, created_at=NOW - datetime.timedelta(days=45), ip_hash="h")

    with time_machine.travel(NOW, tick=False):
        services.comments_purge_ip_hashes()

    stored = _reload(kept)
    assert (stored.ip_hash, stored.user, stored.author_email, stored.body) == (
        "",
        user,
        kept.author_email,
        kept.body,
    )
