"""Two moderators deciding the same comments at the same moment, on real PostgreSQL row locks.

Each thread has its own database connection; both pass ``expected_status="pending"`` (what
their screens showed), so for every comment exactly one decision wins and the other is told
someone else decided it.
"""

import threading

import pytest
from django.apps import apps
from django.db import connections

from accounts.roles import sync_roles
from commentary import services
from commentary.models import Comment, ModerationEvent, RejectionReason
from tests.factories import CommentFactory, ModeratorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMMENTS = 20
TIMEOUT = 30


def _approve(comment, moderator):
    services.comment_approve(comment=comment, moderator=moderator, expected_status="pending")


def _reject(comment, moderator):
    services.comment_reject(
        comment=comment,
        moderator=moderator,
        reason=RejectionReason.OFF_TOPIC,
        expected_status="pending",
    )


def test_two_moderators_deciding_the_same_comments_never_overwrite_each_other():
    # A transactional test may follow another that flushed the database: make the roles.
    sync_roles(apps)
    approver = ModeratorFactory(username="approver")
    rejecter = ModeratorFactory(username="rejecter")
    comments = CommentFactory.create_batch(COMMENTS)
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    outcomes = {approver.pk: {}, rejecter.pk: {}}
    crashes = []

    def work(moderator, decision):
        try:
            for comment in comments:
                barrier.wait()  # both threads reach each comment at the same moment
                try:
                    decision(comment, moderator)
                except services.ModerationConflict:
                    outcomes[moderator.pk][comment.pk] = "conflict"
                else:
                    outcomes[moderator.pk][comment.pk] = "decided"
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            crashes.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(approver, _approve)),
        threading.Thread(target=work, args=(rejecter, _reject)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)

    assert not any(thread.is_alive() for thread in threads)
    assert crashes == []
    actors = {approver.pk: "approved", rejecter.pk: "rejected"}
    wins = {approver.pk: 0, rejecter.pk: 0}
    for comment in Comment.objects.filter(pk__in=[c.pk for c in comments]):
        [event] = ModerationEvent.objects.filter(comment=comment)
        assert event.action == actors[event.actor_id]
        assert comment.status == event.action
        assert comment.moderated_by_id == event.actor_id
        winner, loser = event.actor_id, ({approver.pk, rejecter.pk} - {event.actor_id}).pop()
        assert outcomes[winner][comment.pk] == "decided"
        assert outcomes[loser][comment.pk] == "conflict"
        wins[winner] += 1
    assert sum(wins.values()) == COMMENTS
    conflicts = [
        outcome for per in outcomes.values() for outcome in per.values() if outcome == "conflict"
    ]
    assert len(conflicts) == COMMENTS
