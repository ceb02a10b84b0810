"""The moderators' queue at /moderation/: who may use it, what it shows, what each action does."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import messages as django_messages
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commentary import services
from commentary.models import (
    Ban,
    BannedWord,
    Comment,
    CommentReport,
    ModerationEvent,
    RejectionReason,
)
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ModeratorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("moderation:queue")
BULK = reverse("moderation:bulk")
# Session, user, the user's and their groups' permissions, the five tab counts (one
# aggregate), the page's count, the page (comments + article, account, moderator, parent,
# commenter history as subqueries), and the reports of the page's comments.
QUEUE_QUERIES = 8
NOW = timezone.now()


def ago(**delta):
    return NOW - datetime.timedelta(**delta)


def decide_url(comment):
    return reverse("moderation:decide", args=[comment.pk])


def detail_url(comment):
    return reverse("moderation:comment", args=[comment.pk])


def listed(response):
    return list(response.context["comments"])


def tab_counts(response):
    return {tab["key"]: tab["count"] for tab in response.context["tabs"]}


def tab_link_queries(response):
    nav = re.search(r'<nav class="mod-tabs".*?</nav>', response.text, re.S).group(0)
    return [
        parse_qs(urlsplit(html.unescape(href)).query) for href in re.findall(r'href="([^"]*)"', nav)
    ]


def shown_messages(response):
    return [(message.level, str(message)) for message in response.context["messages"]]


def report(comment, n=1, reason=CommentReport.Reason.ABUSIVE, note=""):
    for _ in range(n):
        CommentReport.objects.create(
            comment=comment,
            reason=reason,
            reporter_key=f"key-{CommentReport.objects.count()}",
            note=note,
        )


def reported_comment(n_reports=3, **kwargs):
    comment = CommentFactory(approved=True, flagged_at=NOW, **kwargs)
    report(comment, n_reports)
    return comment


def decide(client, comment, action, *, expected_status=None, next_url=QUEUE, **data):
    return client.post(
        decide_url(comment),
        {
            "action": action,
            "expected_status": expected_status or comment.status,
            "next": next_url,
            **data,
        },
    )


def bulk(client, comments, action, *, expected_status=Comment.Status.PENDING, **data):
    return client.post(
        BULK,
        {
            "action": action,
            "comments": [comment.pk for comment in comments],
            "expected_status": expected_status,
            "next": QUEUE,
            **data,
        },
    )


def decision_events(comment):
    return list(
        ModerationEvent.objects.filter(comment=comment).exclude(
            action=ModerationEvent.Action.FLAGGED
        )
    )


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def other_moderator(db):
    return ModeratorFactory(display_name="Olga Second")


# --- who may use it -------------------------------------------------------------------------

ACTIONS = {
    "approve": {},
    "reject": {"reason": RejectionReason.OFF_TOPIC},
    "reply": {"body": "Thank you for the careful point."},
    "spam": {},
    "ban": {"reason": "Repeated abuse", "reject_pending": "on"},
}


def _requests(comment):
    """Every page and every action of the queue, as (method, url, data)."""
    gets = [
        ("get", QUEUE, {}),
        *[("get", QUEUE, {"tab": tab}) for tab in ("reported", "approved", "rejected", "spam")],
        ("get", detail_url(comment), {}),
    ]
    posts = [
        (
            "post",
            decide_url(comment),
            {"action": action, "expected_status": "pending", "next": QUEUE, **data},
        )
        for action, data in ACTIONS.items()
    ]
    posts += [
        (
            "post",
            BULK,
            {"action": action, "comments": [comment.pk], "expected_status": "pending", **data},
        )
        for action, data in [
            ("approve", {}),
            ("reject", {"reason": RejectionReason.OTHER}),
            ("spam", {}),
        ]
    ]
    return gets + posts


def assert_untouched(comment):
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None
    assert not ModerationEvent.objects.exists()
    assert not Ban.objects.exists()
    assert Comment.objects.count() == 1


def test_anonymous_visitor_is_sent_to_log_in_from_every_page_and_action(client):
    comment = CommentFactory()
    log_in = reverse("accounts:log-in")

    for method, url, data in _requests(comment):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url, data)
        assert response["Location"].startswith(f"{log_in}?next="), (method, url)

    assert_untouched(comment)


@pytest.mark.parametrize("role", ["reader", "editor"])
def test_signed_in_people_without_the_permission_are_refused(client, request, role):
    comment = CommentFactory()
    client.force_login(request.getfixturevalue(role))

    for method, url, data in _requests(comment):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (role, method, url, data)

    assert_untouched(comment)


def test_moderator_opens_every_page_and_may_run_every_action(client, moderator):
    comment = CommentFactory()
    client.force_login(moderator)

    for method, url, data in _requests(comment):
        response = getattr(client, method)(url, data)
        assert response.status_code == (200 if method == "get" else 302), (method, url, data)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_is_allowed_to_a_moderator(as_moderator, moderator, action):
    comment = CommentFactory()

    response = decide(as_moderator, comment, action, **ACTIONS[action])

    assert response.status_code == 302
    assert ModerationEvent.objects.filter(comment=comment, actor=moderator).exists()


def test_a_superuser_may_use_the_queue(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(QUEUE).status_code == 200


def test_the_queue_only_accepts_posts_for_decisions(as_moderator):
    comment = CommentFactory()

    assert as_moderator.get(decide_url(comment)).status_code == 405
    assert as_moderator.get(BULK).status_code == 405


def test_site_nav_links_to_the_queue_only_for_moderators(client, moderator, editor, reader):
    home = reverse("commentary:home")
    link = f'href="{QUEUE}"'
    ArticleFactory()

    assert link not in client.get(home).text
    for person in (reader, editor):
        client.force_login(person)
        assert link not in client.get(home).text
    client.force_login(moderator)
    assert link in client.get(home).text


# --- tabs, order, search, pages -------------------------------------------------------------


def test_pending_tab_is_the_default_and_lists_oldest_first(as_moderator):
    newer = CommentFactory(created_at=ago(hours=1))
    oldest = CommentFactory(created_at=ago(days=2))
    middle = CommentFactory(created_at=ago(days=1))
    CommentFactory(approved=True, created_at=ago(days=3))
    CommentFactory(rejected=True, created_at=ago(days=3))

    response = as_moderator.get(QUEUE)

    assert response.status_code == 200
    assert response.context["tab"].key == "pending"
    assert listed(response) == [oldest, middle, newer]


def test_reported_tab_lists_flagged_comments_most_reports_first(as_moderator):
    two = reported_comment(2)
    five = reported_comment(5)
    three = reported_comment(3)
    approved_with_a_report = CommentFactory(approved=True)
    report(approved_with_a_report)

    response = as_moderator.get(QUEUE, {"tab": "reported"})

    assert listed(response) == [five, three, two]


@pytest.mark.parametrize(
    ("tab", "trait"),
    [("approved", "approved"), ("rejected", "rejected"), ("spam", None)],
)
def test_decided_tabs_list_newest_first(as_moderator, tab, trait):
    def make(**kwargs):
        if trait is None:
            return CommentFactory(status=Comment.Status.SPAM, moderated_at=NOW, **kwargs)
        return CommentFactory(**{trait: True}, **kwargs)

    old = make(created_at=ago(days=3))
    new = make(created_at=ago(hours=2))
    middle = make(created_at=ago(days=1))
    CommentFactory(created_at=ago(days=2))

    response = as_moderator.get(QUEUE, {"tab": tab})

    assert listed(response) == [new, middle, old]


def test_an_unknown_tab_shows_the_pending_tab(as_moderator):
    pending = CommentFactory()

    response = as_moderator.get(QUEUE, {"tab": "nonsense"})

    assert response.context["tab"].key == "pending"
    assert listed(response) == [pending]


def test_tab_labels_show_how_many_comments_each_holds(as_moderator):
    CommentFactory.create_batch(3)
    CommentFactory.create_batch(2, approved=True)
    reported_comment()
    CommentFactory(rejected=True)
    CommentFactory(status=Comment.Status.SPAM, moderated_at=NOW)

    response = as_moderator.get(QUEUE)

    assert tab_counts(response) == {
        "pending": 3,
        "reported": 1,
        "approved": 3,
        "rejected": 1,
        "spam": 1,
    }
    text = re.sub(r"\s+", " ", response.text)
    for label, count in [("Pending", 3), ("Reported", 1), ("Approved", 3), ("Spam", 1)]:
        assert re.search(rf">{label} <span class=\"mod-tabs__count\">\({count}\)</span>", text)
    assert 'aria-current="page">Pending' in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kurile", ["islands"]),
        ("kurile ISLANDS", ["islands"]),
        ("Anna Petrova", ["petrova"]),
        ("troll@example", ["troll"]),
        ("Sochi", ["sochi"]),
        ("Sochi Kurile", []),
        ("nothing-matches-this", []),
    ],
)
def test_search_covers_text_name_email_and_article_title(as_moderator, query, expected):
    comments = {
        "islands": CommentFactory(body="The Kurile Islands dispute matters most."),
        "petrova": CommentFactory(author_name="Anna Petrova"),
        "troll": CommentFactory(author_email="troll@example.net"),
        "sochi": CommentFactory(article=ArticleFactory(title="In Sochi, Xi and Putin meet")),
    }

    response = as_moderator.get(QUEUE, {"q": query})

    assert listed(response) == [comments[key] for key in expected]
    assert tab_counts(response)["pending"] == len(expected)


def test_search_stays_within_the_tab_and_counts_the_matches_per_tab(as_moderator):
    pending = CommentFactory(body="About Crimea and the fleet.")
    rejected = CommentFactory(body="Crimea again, rudely.", rejected=True)
    CommentFactory(body="Something else entirely.")

    response = as_moderator.get(QUEUE, {"q": "crimea", "tab": "rejected"})

    assert listed(response) == [rejected]
    assert tab_counts(response) == {
        "pending": 1,
        "reported": 0,
        "approved": 0,
        "rejected": 1,
        "spam": 0,
    }
    assert pending not in listed(response)
    # The tab links keep the search; the search form keeps the tab.
    assert {"tab": ["pending"], "q": ["crimea"]} in tab_link_queries(response)
    assert '<input type="hidden" name="tab" value="rejected">' in response.text


def test_fifty_comments_a_page_and_the_page_links_keep_tab_and_search(as_moderator):
    article = ArticleFactory(title="Busy thread")
    comments = [CommentFactory(article=article, created_at=ago(minutes=100 - i)) for i in range(51)]

    first = as_moderator.get(QUEUE, {"tab": "pending", "q": "Busy"})
    second = as_moderator.get(QUEUE, {"tab": "pending", "q": "Busy", "page": 2})

    assert listed(first) == comments[:50]
    assert listed(second) == comments[50:]
    assert 'href="?tab=pending&amp;q=Busy&amp;page=2"' in first.text
    assert "Page 1 of 2" in first.text


def test_a_page_past_the_end_shows_the_last_page(as_moderator):
    comments = CommentFactory.create_batch(2)

    response = as_moderator.get(QUEUE, {"page": 7})

    assert response.status_code == 200
    assert listed(response) == comments


# --- what a card shows ----------------------------------------------------------------------


def test_card_shows_what_a_moderator_needs_to_decide(as_moderator, other_moderator):
    article = ArticleFactory(title="Kazakhstan's Balancing Act")
    commenter = UserFactory(username="steppe_watcher")
    parent = CommentFactory(
        article=article, approved=True, author_name="First Reader", body="The original point."
    )
    comment = CommentFactory(
        article=article,
        parent=parent,
        depth=1,
        user=commenter,
        author_name="Ivan Reader",
        author_email="ivan@example.org",
        body="Line one <b>not bold</b>\nLine two",
        hold_reasons=[
            {"code": "first_comment", "detail": ""},
            {"code": "banned_word", "detail": "idiot"},
            {"code": "duplicate_text", "detail": ""},
        ],
    )
    CommentFactory.create_batch(2, author_email="ivan@example.org", approved=True)
    CommentFactory(author_email="ivan@example.org", rejected=True)

    response = as_moderator.get(QUEUE)
    text = response.text

    assert f'href="{article.get_absolute_url()}#comment-{comment.pk}"' in text
    assert "Kazakhstan&#x27;s Balancing Act" in text
    assert "Ivan Reader" in text
    assert "ivan@example.org" in text
    assert "steppe_watcher" in text
    assert "Line one &lt;b&gt;not bold&lt;/b&gt;<br>Line two" in text
    assert "In reply to First Reader:" in text
    assert "The original point." in text
    assert "2 approved · 1 rejected" in text
    assert "First comment from this commenter" in text
    assert "Contains a held word: idiot" in text
    assert "Same text posted by someone else" in text
    assert f'data-comment-id="{comment.pk}"' in text
    assert 'tabindex="-1"' in text


def test_card_shows_reports_by_reason_and_the_last_decision(as_moderator, other_moderator):
    comment = CommentFactory(approved=True, moderated_by=other_moderator, flagged_at=NOW)
    report(comment, 2, CommentReport.Reason.ABUSIVE)
    report(comment, 1, CommentReport.Reason.SPAM)
    rejected = CommentFactory(
        rejected=True, moderated_by=other_moderator, rejection_reason=RejectionReason.HATE
    )

    reported = as_moderator.get(QUEUE, {"tab": "reported"}).text
    rejected_tab = as_moderator.get(QUEUE, {"tab": "rejected"}).text

    assert "3 reports" in reported
    assert re.search(r"Abusive or a personal attack <span[^>]*>× 2</span>", reported)
    assert re.search(r"Spam or advertising <span[^>]*>× 1</span>", reported)
    assert "Last decision: approved by Olga Second" in reported
    assert "Last decision: rejected by Olga Second" in rejected_tab
    assert "Hateful or discriminatory" in rejected_tab
    assert rejected.pk in [c.pk for c in listed(as_moderator.get(QUEUE, {"tab": "rejected"}))]


def test_honeypot_spam_says_why_and_that_the_site_decided(as_moderator):
    CommentFactory(
        status=Comment.Status.SPAM,
        moderated_at=NOW,
        hold_reasons=[{"code": "honeypot", "detail": ""}],
    )

    text = as_moderator.get(QUEUE, {"tab": "spam"}).text

    assert "Filled in the hidden anti-bot field" in text
    assert "Last decision: spam by the site" in text


def test_each_card_carries_its_actions_with_the_status_the_moderator_saw(as_moderator):
    comment = CommentFactory()

    text = as_moderator.get(QUEUE).text

    for action in ACTIONS:
        assert f'name="action" value="{action}"' in text
    assert text.count(f'action="{decide_url(comment)}"') == len(ACTIONS)
    assert text.count('name="expected_status" value="pending"') == len(ACTIONS) + 1  # + bulk
    assert 'data-shortcut="reject-reason"' in text
    for value, label in RejectionReason.choices:
        assert f'<option value="{value}">{escape(label)}</option>' in text
    assert re.search(r'name="reject_pending" value="on" checked', text)
    assert f'name="comments" value="{comment.pk}" form="bulk-form"' in text


def test_queue_page_is_built_for_a_strict_csp_and_works_without_javascript(as_moderator):
    CommentFactory()

    text = as_moderator.get(QUEUE).text

    assert re.search(r'<script src="[^"]*js/moderation\.js" defer></script>', text)
    assert not re.search(r"<script(?![^>]*\ssrc=)", text), "inline script"
    assert " style=" not in text and "<style" not in text, "inline style"
    assert " on" + "click=" not in text
    assert re.search(r'<section id="shortcut-help"[^>]*hidden>', text)
    assert finders.find("js/moderation.js")


# --- the actions ----------------------------------------------------------------------------


def test_approve_publishes_the_comment_and_logs_who(as_moderator, moderator):
    comment = CommentFactory()
    back = f"{QUEUE}?tab=pending&q=remark&page=1"

    response = decide(as_moderator, comment, "approve", next_url=back)

    assert response.status_code == 302
    assert response["Location"] == back
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator
    [event] = decision_events(comment)
    assert (event.actor, event.action) == (moderator, ModerationEvent.Action.APPROVED)
    followed = as_moderator.get(back)
    assert (django_messages.SUCCESS, f"Comment by {comment.author_name} approved.") in (
        shown_messages(followed)
    )


def test_reject_records_the_reason_and_the_note(as_moderator, moderator):
    comment = CommentFactory()

    decide(
        as_moderator,
        comment,
        "reject",
        reason=RejectionReason.ABUSIVE,
        note="Personal attack on another reader",
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason == RejectionReason.ABUSIVE
    [event] = decision_events(comment)
    assert event.actor == moderator
    assert event.action == ModerationEvent.Action.REJECTED
    assert event.reason == RejectionReason.ABUSIVE
    assert event.note == "Personal attack on another reader"


@pytest.mark.parametrize("reason", ["", "not-a-reason"])
def test_reject_without_a_valid_reason_changes_nothing(as_moderator, reason):
    comment = CommentFactory()

    response = decide(as_moderator, comment, "reject", reason=reason)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not ModerationEvent.objects.exists()
    followed = as_moderator.get(QUEUE)
    assert [level for level, _text in shown_messages(followed)] == [django_messages.ERROR]


def test_spam_files_the_comment_under_spam(as_moderator, moderator):
    comment = CommentFactory()

    decide(as_moderator, comment, "spam")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    [event] = decision_events(comment)
    assert (event.actor, event.action) == (moderator, ModerationEvent.Action.SPAM)
    assert listed(as_moderator.get(QUEUE, {"tab": "spam"})) == [comment]


def test_approve_and_reply_publishes_the_moderators_reply(as_moderator, moderator):
    comment = CommentFactory()

    decide(as_moderator, comment, "reply", body="Good point; see the second paragraph.")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    reply = Comment.objects.get(parent=comment)
    assert reply.status == Comment.Status.APPROVED
    assert reply.user == moderator
    assert reply.moderated_by == moderator
    assert reply.body == "Good point; see the second paragraph."
    assert ModerationEvent.objects.filter(comment=reply, actor=moderator).exists()
    assert ModerationEvent.objects.filter(
        comment=comment, actor=moderator, action=ModerationEvent.Action.APPROVED
    ).exists()


def test_a_reply_with_a_link_is_refused_and_the_comment_stays_pending(as_moderator):
    comment = CommentFactory()

    decide(as_moderator, comment, "reply", body="Read https://example.com for more.")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not Comment.objects.filter(parent=comment).exists()
    followed = as_moderator.get(QUEUE)
    assert [level for level, _text in shown_messages(followed)] == [django_messages.ERROR]


def test_ban_bans_the_commenter_and_rejects_their_pending_comments(as_moderator, moderator):
    commenter = UserFactory()
    comment = CommentFactory(user=commenter, author_email="angry@example.org")
    other_pending = CommentFactory(author_email="angry@example.org")
    published = CommentFactory(author_email="angry@example.org", approved=True)
    someone_else = CommentFactory()
    ends_on = timezone.localdate() + datetime.timedelta(days=30)

    decide(
        as_moderator,
        comment,
        "ban",
        reason="Threats against other readers",
        ends_on=ends_on.isoformat(),
        reject_pending="on",
    )

    ban = Ban.objects.get()
    assert ban.user == commenter
    assert ban.email == "angry@example.org"
    assert ban.created_by == moderator
    assert ban.reason == "Threats against other readers"
    assert timezone.localtime(ban.expires_at).date() == ends_on
    for rejected in (comment, other_pending):
        rejected.refresh_from_db()
        assert rejected.status == Comment.Status.REJECTED
        assert rejected.moderated_by == moderator
    published.refresh_from_db()
    someone_else.refresh_from_db()
    assert published.status == Comment.Status.APPROVED
    assert someone_else.status == Comment.Status.PENDING
    assert ModerationEvent.objects.filter(
        comment=comment, actor=moderator, action=ModerationEvent.Action.BANNED
    ).exists()
    followed = as_moderator.get(QUEUE)
    assert (
        django_messages.SUCCESS,
        f"{comment.author_name} is banned. 2 pending comments rejected.",
    ) in shown_messages(followed)


def test_ban_without_rejecting_keeps_their_comments_waiting(as_moderator):
    comment = CommentFactory()

    decide(as_moderator, comment, "ban", reason="Spammer")  # the box left unticked

    assert Ban.objects.filter(email=comment.author_email, expires_at__isnull=True).exists()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "data", [{"reason": ""}, {"reason": "Abuse", "ends_on": "2001-01-01"}], ids=str
)
def test_a_ban_needs_a_reason_and_a_future_end(as_moderator, data):
    comment = CommentFactory()

    decide(as_moderator, comment, "ban", reject_pending="on", **data)

    assert not Ban.objects.exists()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_reported_comment_approved_again_dismisses_the_reports(as_moderator, moderator):
    comment = reported_comment()

    decide(as_moderator, comment, "approve")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.flagged_at is None
    assert ModerationEvent.objects.filter(
        comment=comment, actor=moderator, action=ModerationEvent.Action.REPORTS_DISMISSED
    ).exists()
    assert listed(as_moderator.get(QUEUE, {"tab": "reported"})) == []


def test_reported_comment_can_be_taken_down(as_moderator):
    comment = reported_comment()

    decide(as_moderator, comment, "reject", reason=RejectionReason.ABUSIVE)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.flagged_at is None


def test_an_outside_next_address_is_not_followed(as_moderator):
    comment = CommentFactory()

    response = decide(as_moderator, comment, "approve", next_url="https://evil.example/")

    assert response["Location"] == QUEUE


def test_an_unknown_action_changes_nothing(as_moderator):
    comment = CommentFactory()

    response = decide(as_moderator, comment, "delete")

    assert response.status_code == 302
    assert_untouched(comment)


def test_deciding_a_comment_that_does_not_exist_is_a_404(as_moderator):
    response = as_moderator.post(
        reverse("moderation:decide", args=[999999]),
        {"action": "approve", "expected_status": "pending"},
    )

    assert response.status_code == 404


# --- two moderators at once -----------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject", "spam", "reply"])
def test_a_decision_on_a_comment_someone_else_decided_changes_nothing(
    as_moderator, other_moderator, action
):
    comment = CommentFactory()
    services.comment_approve(comment=comment, moderator=other_moderator)

    response = decide(as_moderator, comment, action, expected_status="pending", **ACTIONS[action])

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == other_moderator
    assert len(decision_events(comment)) == 1
    assert not Comment.objects.filter(parent=comment).exists()
    followed = as_moderator.get(QUEUE)
    [(level, text)] = shown_messages(followed)
    assert level == django_messages.WARNING
    assert "Olga Second already decided this comment" in text
    assert 'class="message message--warning"' in followed.text


# --- bulk decisions -------------------------------------------------------------------------


def test_bulk_approve_applies_the_service_to_each_selected_comment(as_moderator, moderator):
    chosen = CommentFactory.create_batch(3)
    untouched = CommentFactory()

    response = bulk(as_moderator, chosen, "approve")

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderated_by == moderator
        [event] = decision_events(comment)
        assert event.actor == moderator
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.PENDING
    assert shown_messages(as_moderator.get(QUEUE)) == [(django_messages.SUCCESS, "3 approved.")]


def test_bulk_reject_records_the_reason_for_each(as_moderator, moderator):
    chosen = CommentFactory.create_batch(2)

    bulk(as_moderator, chosen, "reject", reason=RejectionReason.OFF_TOPIC)

    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == Comment.Status.REJECTED
        assert comment.rejection_reason == RejectionReason.OFF_TOPIC
        [event] = decision_events(comment)
        assert (event.actor, event.reason) == (moderator, RejectionReason.OFF_TOPIC)


def test_bulk_reject_needs_a_reason(as_moderator):
    chosen = CommentFactory.create_batch(2)

    bulk(as_moderator, chosen, "reject")

    assert not ModerationEvent.objects.exists()
    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}
    assert [level for level, _ in shown_messages(as_moderator.get(QUEUE))] == [
        django_messages.ERROR
    ]


def test_bulk_spam(as_moderator):
    chosen = CommentFactory.create_batch(2)

    bulk(as_moderator, chosen, "spam")

    assert set(Comment.objects.values_list("status", flat=True)) == {"spam"}


def test_bulk_with_nothing_selected_says_so(as_moderator):
    CommentFactory()

    bulk(as_moderator, [], "approve")

    assert shown_messages(as_moderator.get(QUEUE)) == [
        (django_messages.ERROR, "Select at least one comment.")
    ]


def test_bulk_skips_comments_someone_else_decided_and_says_how_many(as_moderator, other_moderator):
    chosen = CommentFactory.create_batch(5)
    services.comment_reject(comment=chosen[1], moderator=other_moderator)
    services.comment_mark_spam(comment=chosen[3], moderator=other_moderator)

    bulk(as_moderator, chosen, "approve")

    statuses = [Comment.objects.get(pk=comment.pk).status for comment in chosen]
    assert statuses == ["approved", "rejected", "approved", "spam", "approved"]
    assert shown_messages(as_moderator.get(QUEUE)) == [
        (
            django_messages.WARNING,
            "3 approved, 2 skipped because someone else decided them.",
        )
    ]


# --- the counts stay right ------------------------------------------------------------------


def public_comment_count(client, article):
    heading = re.search(
        r'<h2 id="comments-heading">([^<]*)</h2>', client.get(article.get_absolute_url()).text
    )
    return heading.group(1).strip()


@pytest.mark.parametrize(
    ("action", "data", "expected_pending", "expected_approved", "public"),
    [
        ("approve", {}, 2, 2, "2 comments"),
        ("reject", {"reason": RejectionReason.OTHER}, 2, 1, "1 comment"),
        ("spam", {}, 2, 1, "1 comment"),
        ("reply", {"body": "A reply from the desk."}, 2, 3, "3 comments"),
        ("ban", {"reason": "Abuse", "reject_pending": "on"}, 1, 1, "1 comment"),
    ],
)
def test_counts_stay_right_after_each_action(
    as_moderator, action, data, expected_pending, expected_approved, public
):
    article = ArticleFactory()
    target = CommentFactory(article=article, author_email="target@example.org")
    CommentFactory(article=article, author_email="target@example.org", created_at=ago(hours=1))
    CommentFactory(article=article)
    CommentFactory(article=article, approved=True)
    assert public_comment_count(as_moderator, article) == "1 comment"
    assert tab_counts(as_moderator.get(QUEUE))["pending"] == 3

    decide(as_moderator, target, action, **data)

    counts = tab_counts(as_moderator.get(QUEUE))
    assert counts["pending"] == expected_pending == Comment.objects.pending().count()
    assert counts["approved"] == expected_approved == Comment.objects.approved().count()
    assert public_comment_count(as_moderator, article) == public


def test_counts_stay_right_after_a_bulk_decision(as_moderator):
    article = ArticleFactory()
    chosen = CommentFactory.create_batch(3, article=article)
    CommentFactory(article=article)

    bulk(as_moderator, chosen[:2], "approve")
    bulk(as_moderator, chosen[2:], "reject", reason=RejectionReason.OTHER)

    counts = tab_counts(as_moderator.get(QUEUE))
    assert (counts["pending"], counts["approved"], counts["rejected"]) == (1, 2, 1)
    assert public_comment_count(as_moderator, article) == "2 comments"


# --- a fixed number of queries --------------------------------------------------------------


def _varied_comments(n, tab):
    """Comments that use everything a card can show: accounts, replies, reports, decisions."""
    moderator = ModeratorFactory()
    for i in range(n):
        article = ArticleFactory()
        parent = CommentFactory(article=article, approved=True, moderated_by=moderator)
        kwargs = {
            "article": article,
            "parent": parent if i % 2 else None,
            "depth": 1 if i % 2 else 0,
            "user": UserFactory() if i % 3 == 0 else None,
            "hold_reasons": [{"code": "banned_word", "detail": "idiot"}],
        }
        if tab == "pending":
            CommentFactory(**kwargs)
        elif tab == "reported":
            comment = CommentFactory(
                approved=True, moderated_by=moderator, flagged_at=NOW, **kwargs
            )
            report(comment, 1 + i % 3, note="Rude")
        else:
            CommentFactory(
                rejected=True,
                moderated_by=moderator,
                rejection_reason=RejectionReason.ABUSIVE,
                **kwargs,
            )


@pytest.mark.parametrize("tab", ["pending", "reported", "rejected"])
@pytest.mark.parametrize("n", [1, 50])
def test_queue_runs_a_fixed_number_of_queries(
    as_moderator, moderator, django_assert_num_queries, tab, n
):
    _varied_comments(n, tab)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = as_moderator.get(QUEUE, {"tab": tab, "q": "a"})

    assert response.status_code == 200
    assert len(listed(response)) == n


# --- one comment's page ---------------------------------------------------------------------


def test_comment_page_shows_the_full_log_and_the_reports(as_moderator, moderator, other_moderator):
    comment = CommentFactory(approved=True, created_at=ago(days=1))
    report(comment, 1, CommentReport.Reason.MISLEADING, note="The figures are invented")
    report(comment, 2, CommentReport.Reason.ABUSIVE)
    ModerationEvent.objects.create(
        comment=comment, action=ModerationEvent.Action.FLAGGED, created_at=ago(hours=5)
    )
    services.comment_reject(
        comment=comment,
        moderator=other_moderator,
        reason=RejectionReason.MISLEADING,
        note="Checked the source",
    )

    response = as_moderator.get(detail_url(comment))

    assert response.status_code == 200
    text = response.text
    assert [event.action for event in response.context["events"]] == ["flagged", "rejected"]
    assert "reported by readers" in text
    assert "the site" in text
    assert "Olga Second" in text
    assert "Misleading or unsupported claims" in text
    assert "Checked the source" in text
    assert "The figures are invented" in text
    assert len(response.context["reports"]) == 3
    for action in ACTIONS:
        assert f'name="action" value="{action}"' in text
    assert f'name="next" value="{detail_url(comment)}"' in text


def test_a_decision_on_the_comment_page_comes_back_to_it(as_moderator):
    comment = CommentFactory()

    response = decide(as_moderator, comment, "approve", next_url=detail_url(comment))

    assert response["Location"] == detail_url(comment)
    followed = as_moderator.get(detail_url(comment))
    assert "approved" in [event.action for event in followed.context["events"]]


def test_comment_page_of_a_missing_comment_is_a_404(as_moderator):
    assert as_moderator.get(reverse("moderation:comment", args=[999999])).status_code == 404


# --- the admin's moderation tools -----------------------------------------------------------

COMMENTS_ADMIN = reverse("admin:commentary_comment_changelist")


def run_admin_action(client, action, objects):
    return client.post(
        COMMENTS_ADMIN,
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0},
    )


def test_admin_reject_action_uses_reason_other_and_logs_it(as_moderator, moderator):
    comment = CommentFactory()

    run_admin_action(as_moderator, "reject_selected", [comment])

    comment.refresh_from_db()
    assert comment.rejection_reason == RejectionReason.OTHER
    [event] = decision_events(comment)
    assert (event.actor, event.reason) == (moderator, RejectionReason.OTHER)


def test_admin_marks_comments_as_spam(as_moderator, moderator):
    chosen = CommentFactory.create_batch(2)

    response = run_admin_action(as_moderator, "mark_spam_selected", chosen)

    assert response.status_code == 302
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == Comment.Status.SPAM
        assert comment.moderated_by == moderator


def test_editor_has_no_spam_action_in_the_admin(client, editor):
    comment = CommentFactory()
    client.force_login(editor)

    assert "mark_spam_selected" not in client.get(COMMENTS_ADMIN).text
    run_admin_action(client, "mark_spam_selected", [comment])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_admin_filters_reported_comments(as_moderator):
    flagged = reported_comment()
    CommentFactory(approved=True)

    response = as_moderator.get(COMMENTS_ADMIN, {"reported": "yes"})

    assert list(response.context["cl"].result_list) == [flagged]


def test_admin_comment_page_shows_holds_reason_and_the_log(as_moderator, other_moderator):
    comment = CommentFactory(hold_reasons=[{"code": "banned_word", "detail": "idiot"}])
    services.comment_reject(
        comment=comment, moderator=other_moderator, reason=RejectionReason.HATE, note="Slur"
    )

    response = as_moderator.get(reverse("admin:commentary_comment_change", args=[comment.pk]))

    assert response.status_code == 200
    text = response.text
    assert "Contains a held word: idiot" in text
    assert "Hateful or discriminatory" in text
    assert "Olga Second" in text
    assert "Slur" in text


def test_admin_ban_banned_word_and_report_pages(as_moderator, moderator):
    comment = reported_comment(1)
    services.commenter_ban(comment=comment, moderator=moderator, reason="Abuse")

    for model in ("ban", "bannedword", "commentreport"):
        response = as_moderator.get(reverse(f"admin:commentary_{model}_changelist"))
        assert response.status_code == 200, model
    assert (
        comment.author_email
        in as_moderator.get(
            reverse("admin:commentary_ban_changelist"), {"q": comment.author_email}
        ).text
    )
    report_id = CommentReport.objects.get().pk
    report_page = as_moderator.get(
        reverse("admin:commentary_commentreport_change", args=[report_id])
    )
    assert report_page.status_code == 200
    assert 'name="_save"' not in report_page.text


def test_admin_banned_word_records_who_added_it(as_moderator, moderator):
    response = as_moderator.post(
        reverse("admin:commentary_bannedword_add"), {"word": "Idiot", "action": "hold"}
    )

    assert response.status_code == 302
    word = BannedWord.objects.get()
    assert (word.word, word.created_by) == ("idiot", moderator)


def test_admin_ban_added_by_hand_records_who_and_shows_if_active(as_moderator, moderator):
    response = as_moderator.post(
        reverse("admin:commentary_ban_add"),
        {"email": "Spammer@Example.org", "reason": "Advertising", "ip_hash": ""},
    )

    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.email, ban.created_by) == ("spammer@example.org", moderator)
    changelist = as_moderator.get(reverse("admin:commentary_ban_changelist"))
    assert "spammer@example.org" in changelist.text
    assert 'alt="True"' in changelist.text  # active: no end date
