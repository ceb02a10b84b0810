"""The abuse checks of ``services.comment_submit``: form tokens, the honeypot, rate limits,
duplicates, banned words, bans and trusted commenters."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError

from commentary import services, spam
from commentary.models import Ban, BannedWord, Comment, ModerationEvent
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

# 09:30 UTC starts a rate-limit window of 600 s (and of any divisor of a day).
NOW = datetime.datetime(2024, 5, 7, 9, 30, tzinfo=datetime.UTC)
IN_WINDOW = NOW + datetime.timedelta(minutes=1)
IP = "203.0.113.5"
OTHER_IP = "198.51.100.7"


@pytest.fixture
def article():
    # Published before NOW, so that it takes comments in the tests that travel there.
    return ArticleFactory(published_at=NOW - datetime.timedelta(days=30))


@pytest.fixture(autouse=True)
def known_limits(settings):
    """The suite asserts on these values; an environment variable must not change them."""
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    settings.COMMENTS_RATE_LIMIT_COUNT = 3
    settings.COMMENTS_RATE_LIMIT_WINDOW = 600
    settings.COMMENTS_TRUSTED_AFTER = 0


def submit(article, body="Sochi showed how close the two leaders are.", **kwargs):
    kwargs.setdefault("author_name", "Careful Reader")
    kwargs.setdefault("author_email", "reader@example.org")
    return services.comment_submit(article=article, body=body, **kwargs)


def refusal(article, **kwargs):
    """Submit and return the ``ValidationError`` the submission must raise."""
    with pytest.raises(ValidationError) as refused:
        submit(article, **kwargs)
    return refused.value


def hold_codes(comment):
    return [hold["code"] for hold in Comment.objects.get(pk=comment.pk).hold_reasons]


# --- honeypot -------------------------------------------------------------------------------


def test_filled_honeypot_stores_the_comment_as_spam_with_an_event(article):
    comment = submit(article, honeypot="https://cheap-pills.example")

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.SPAM
    assert stored.hold_reasons == [{"code": "honeypot", "detail": ""}]
    assert stored.moderated_at is not None
    assert stored.moderated_by is None
    event = ModerationEvent.objects.get(comment=stored)
    assert event.action == ModerationEvent.Action.SPAM
    assert event.actor is None
    assert event.reason == "honeypot"
    assert list(article.comments.approved()) == []
    assert list(article.comments.pending()) == []


def test_empty_honeypot_leaves_the_comment_pending(article):
    comment = submit(article, honeypot="")

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert not ModerationEvent.objects.exists()


# --- form tokens ----------------------------------------------------------------------------


def test_form_token_is_what_djangos_signing_makes_of_it():
    key = bytes(range(16))
    with time_machine.travel(NOW, tick=False), mock.patch("os.urandom", return_value=key):
        token = spam.issue_form_token(now=NOW.timestamp() - 12.3456)
        expected = signing.dumps(
            {"k": key.hex(), "t": round(NOW.timestamp() - 12.3456, 3)},
            salt=spam._FORM_TOKEN_SALT,
            compress=False,
        )

    assert token == expected


def test_form_tokens_are_signed_with_the_current_secret_key(settings):
    before = spam.issue_form_token()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    after = spam.issue_form_token()

    assert spam.read_form_token(after).submission_key
    with pytest.raises(spam.FormTokenError):
        spam.read_form_token(before)
    assert (
        spam.read_form_token(after).submission_key
        != spam.read_form_token(spam.issue_form_token()).submission_key
    )


@pytest.mark.parametrize("seconds", [0, 1, 2.9])
def test_form_sent_too_fast_is_refused_and_nothing_stored(article, seconds):
    token = spam.issue_form_token(now=NOW.timestamp() - seconds)

    with time_machine.travel(NOW, tick=False):
        error = refusal(article, form_token=token)

    assert error.code == "too_fast"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("seconds", [3, 60, 23 * 60 * 60])
def test_form_sent_after_the_minimum_fill_time_is_accepted(article, seconds):
    token = spam.issue_form_token(now=NOW.timestamp() - seconds)

    with time_machine.travel(NOW, tick=False):
        comment = submit(article, form_token=token)

    assert Comment.objects.get(pk=comment.pk).submission_key is not None


def test_form_refused_as_too_fast_may_be_sent_again_later(article):
    token = spam.issue_form_token(now=NOW.timestamp())

    with time_machine.travel(NOW, tick=False) as traveller:
        assert refusal(article, form_token=token).code == "too_fast"
        traveller.shift(datetime.timedelta(seconds=10))
        comment = submit(article, form_token=token)

    assert Comment.objects.get().pk == comment.pk


def test_form_older_than_a_day_is_stale(article):
    token = spam.issue_form_token(now=NOW.timestamp() - spam.FORM_TOKEN_MAX_AGE - 1)

    with time_machine.travel(NOW, tick=False):
        error = refusal(article, form_token=token)

    assert error.code == "stale_form"
    assert "Your text is kept below" in error.messages[0]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), id="bad"),
        pytest.param(
            lambda token: signing.dumps({"k": "0" * 32, "t": NOW.timestamp() - 60}, salt="x"),
            id="other-salt",
        ),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(
            lambda token: signing.dumps(
                {"t": NOW.timestamp() - 60}, salt="commentary.comment-form"
            ),
            id="no-key",
        ),
    ],
)
def test_forged_form_token_is_refused_as_stale(article, forge):
    token = forge(spam.issue_form_token(now=NOW.timestamp() - 60))

    with time_machine.travel(NOW, tick=False):
        error = refusal(article, form_token=token)

    assert error.code == "stale_form"
    assert not Comment.objects.exists()


def test_the_same_form_sent_twice_stores_one_comment(article):
    token = spam.issue_form_token(now=NOW.timestamp() - 30)

    with time_machine.travel(NOW, tick=False):
        first = submit(article, form_token=token)
        second = submit(article, form_token=token, body="A different text, sent by a double click.")

    assert second.pk == first.pk
    assert second.body == first.body == "Sochi showed how close the two leaders are."
    assert Comment.objects.count() == 1


def test_a_resent_form_does_not_count_against_the_rate_limit(article, settings):
    settings.COMMENTS_RATE_LIMIT_COUNT = 1
    token = spam.issue_form_token(now=IN_WINDOW.timestamp() - 30)

    with time_machine.travel(IN_WINDOW, tick=False):
        stored = {submit(article, form_token=token, ip_address=IP).pk for _ in range(4)}

    assert len(stored) == 1
    assert Comment.objects.count() == 1


# --- rate limits ----------------------------------------------------------------------------


def _submit_numbered(article, number, **kwargs):
    kwargs.setdefault("author_email", f"reader{number}@example.org")
    return submit(article, body=f"Comment number {number} on the summit.", **kwargs)


def test_one_comment_over_the_limit_from_one_ip_is_refused(article, settings):
    limit = settings.COMMENTS_RATE_LIMIT_COUNT

    with time_machine.travel(IN_WINDOW, tick=False):
        for number in range(limit):
            _submit_numbered(article, number, ip_address=IP)
        with pytest.raises(ValidationError) as refused:
            _submit_numbered(article, limit, ip_address=IP)
        # Someone at another address is not held back by the first one.
        _submit_numbered(article, limit + 1, ip_address=OTHER_IP)

    assert refused.value.code == "rate_limited"
    assert "wait 10 minutes" in refused.value.messages[0]
    assert Comment.objects.count() == limit + 1
    assert not Comment.objects.filter(body=f"Comment number {limit} on the summit.").exists()


def test_one_account_is_limited_across_ip_addresses(article, settings):
    limit = settings.COMMENTS_RATE_LIMIT_COUNT
    user = UserFactory()

    with time_machine.travel(IN_WINDOW, tick=False):
        for number in range(limit):
            _submit_numbered(article, number, user=user, ip_address=f"192.0.2.{number + 1}")
        with pytest.raises(ValidationError) as refused:
            _submit_numbered(article, limit, user=user, ip_address="192.0.2.200")
        # A guest at a fresh address is not affected by the account's limit.
        _submit_numbered(article, limit + 1, ip_address="192.0.2.201")

    assert refused.value.code == "rate_limited"
    assert Comment.objects.filter(user=user).count() == limit


def test_a_new_window_resets_the_limit(article, settings):
    limit = settings.COMMENTS_RATE_LIMIT_COUNT

    with time_machine.travel(IN_WINDOW, tick=False) as traveller:
        for number in range(limit):
            _submit_numbered(article, number, ip_address=IP)
        with pytest.raises(ValidationError):
            _submit_numbered(article, limit, ip_address=IP)
        traveller.shift(datetime.timedelta(seconds=settings.COMMENTS_RATE_LIMIT_WINDOW))
        comment = _submit_numbered(article, limit, ip_address=IP)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert Comment.objects.count() == limit + 1


def test_comments_without_an_ip_address_are_not_limited_by_ip(article, settings):
    with time_machine.travel(IN_WINDOW, tick=False):
        for number in range(settings.COMMENTS_RATE_LIMIT_COUNT + 2):
            _submit_numbered(article, number)

    assert Comment.objects.count() == settings.COMMENTS_RATE_LIMIT_COUNT + 2


def test_a_cache_failure_still_limits_comments_by_counting_them_in_the_database(article, settings):
    """The limit fails safe: without the cache the stored comments are counted instead."""
    backend = type(caches["default"])
    limit = settings.COMMENTS_RATE_LIMIT_COUNT

    with (
        time_machine.travel(IN_WINDOW, tick=False),
        mock.patch.object(backend, "incr", side_effect=ConnectionError("cache down")) as incr,
    ):
        for number in range(limit):
            _submit_numbered(article, number, ip_address=IP, user=None)
        with pytest.raises(ValidationError) as refused:
            _submit_numbered(article, limit, ip_address=IP, user=None)
        # Someone at another address is not held back by the first one.
        _submit_numbered(article, limit + 1, ip_address=OTHER_IP, user=None)

    assert incr.called
    assert refused.value.code == "rate_limited"
    assert Comment.objects.count() == limit + 1


@pytest.mark.redis
def test_the_rate_limit_is_shared_by_app_servers_through_redis(article, settings, monkeypatch):
    """Two app servers, each with its own Redis client, count toward one limit."""
    config = settings.CACHES["default"]
    servers = [
        RedisCache(config["LOCATION"], {"KEY_PREFIX": config.get("KEY_PREFIX", "")})
        for _ in range(2)
    ]
    assert servers[0]._cache is not servers[1]._cache
    limit = settings.COMMENTS_RATE_LIMIT_COUNT

    with time_machine.travel(IN_WINDOW, tick=False):
        for number in range(limit):
            monkeypatch.setattr(spam, "cache", servers[number % 2])
            _submit_numbered(article, number, ip_address=IP)
        monkeypatch.setattr(spam, "cache", servers[limit % 2])
        with pytest.raises(ValidationError) as refused:
            _submit_numbered(article, limit, ip_address=IP)
        # Neither server alone saw more than the limit: only the shared count refuses this one.
        assert refused.value.code == "rate_limited"
        assert Comment.objects.count() == limit

        # The count lives in Redis: emptying it through one server frees the other one too.
        servers[limit % 2].clear()
        monkeypatch.setattr(spam, "cache", servers[(limit + 1) % 2])
        _submit_numbered(article, limit, ip_address=IP)

    assert Comment.objects.count() == limit + 1


# --- duplicates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "again",
    [
        "Sochi showed how close the two leaders are.",
        "  SOCHI showed how close the two leaders are!!!  ",
        "Sochi — showed how close, the two leaders are",
    ],
)
def test_the_same_commenter_posting_the_same_text_is_refused(article, again):
    submit(article)

    error = refusal(article, body=again, author_email="Reader@Example.org")

    assert error.code == "duplicate"
    assert Comment.objects.count() == 1


def test_the_same_account_with_another_address_is_refused_a_duplicate(article):
    user = UserFactory()
    submit(article, user=user, author_email="first@example.org")

    error = refusal(article, user=user, author_email="second@example.org")

    assert error.code == "duplicate"


def test_the_same_text_on_another_article_is_a_duplicate_too(article):
    submit(article)

    assert refusal(ArticleFactory()).code == "duplicate"


def test_the_same_text_a_day_later_is_accepted(article):
    with time_machine.travel(NOW, tick=False) as traveller:
        submit(article)
        traveller.shift(datetime.timedelta(hours=24, minutes=1))
        again = submit(article)

    assert Comment.objects.count() == 2
    assert "duplicate_text" not in hold_codes(again)


def test_a_different_text_by_the_same_commenter_is_accepted(article):
    submit(article)
    second = submit(article, body="Sochi showed how far apart the two leaders are.")

    assert Comment.objects.count() == 2
    assert hold_codes(second) == []


def test_the_same_text_by_someone_else_is_held_as_duplicate_text(article):
    submit(article)

    copy = submit(article, author_name="Someone Else", author_email="else@example.org")

    stored = Comment.objects.get(pk=copy.pk)
    assert stored.status == Comment.Status.PENDING
    assert {"code": "duplicate_text", "detail": ""} in stored.hold_reasons


# --- banned words ---------------------------------------------------------------------------


def test_a_refused_word_refuses_the_comment_naming_the_word(article):
    BannedWord.objects.create(word="Scumbag", action=BannedWord.Action.REFUSE)

    error = refusal(article, body="Only a SCUMBAG would sign that treaty.")

    assert error.code == "banned_word"
    assert "“scumbag”" in error.messages[0]
    assert not Comment.objects.exists()


def test_a_held_word_stores_the_comment_pending_with_the_word(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 1
    CommentFactory(approved=True, author_email="reader@example.org")  # trusted otherwise
    BannedWord.objects.create(word="propaganda", action=BannedWord.Action.HOLD)

    comment = submit(article, body="This is Propaganda, pure and simple.")

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.PENDING
    assert stored.hold_reasons == [{"code": "banned_word", "detail": "propaganda"}]


@pytest.mark.parametrize(
    ("word", "text", "matches"),
    [
        ("ass", "What an ass, honestly.", True),
        ("ass", "ASS!", True),
        ("ass", "A class act from the minister.", False),
        ("ass", "Let us assess the damage.", False),
        ("ass", "Mass protests followed.", False),
        ("дурак", "Ты дурак!", True),
        ("дурак", "Ну и ДУРАК же он.", True),
        ("дурак", "Не спорь с дураками.", False),
        ("дурак", "Кто из них дураковатый?", False),
        ("fake news", "That is fake\n   news again.", True),
        ("fake news", "That is fake newsreel footage.", False),
    ],
)
def test_banned_words_match_whole_words_only_ignoring_case(article, word, text, matches):
    BannedWord.objects.create(word=word, action=BannedWord.Action.REFUSE)

    if matches:
        assert refusal(article, body=text).code == "banned_word"
    else:
        comment = submit(article, body=text)
        assert "banned_word" not in hold_codes(comment)


# --- bans -----------------------------------------------------------------------------------

BANNED_MESSAGE = "Sorry, we cannot accept comments from you at the moment."


def _assert_banned(error):
    assert error.code == "banned"
    assert error.messages == [BANNED_MESSAGE]
    assert "ban" not in error.messages[0].lower()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("typed", ["troll@example.org", "TROLL@Example.ORG", " Troll@example.org "])
def test_a_ban_by_email_refuses_the_address_in_any_case(article, typed):
    Ban.objects.create(email="Troll@Example.org", reason="abuse")

    _assert_banned(refusal(article, author_email=typed))


def test_a_ban_by_account_refuses_the_account_under_any_address(article):
    user = UserFactory()
    Ban.objects.create(user=user, reason="abuse")

    _assert_banned(refusal(article, user=user, author_email="fresh@example.org"))


def test_a_ban_by_ip_hash_refuses_that_address_only(article):
    Ban.objects.create(ip_hash=spam.ip_hash(IP), reason="abuse")

    _assert_banned(refusal(article, ip_address=IP, author_email="fresh@example.org"))
    comment = submit(article, ip_address=OTHER_IP, author_email="fresh@example.org")
    assert Comment.objects.get() == comment


def test_an_expired_ban_no_longer_applies_and_a_future_end_still_does(article):
    ban = Ban.objects.create(
        email="troll@example.org",
        reason="abuse",
        expires_at=NOW + datetime.timedelta(days=7),
    )

    with time_machine.travel(NOW, tick=False):
        _assert_banned(refusal(article, author_email="troll@example.org"))
    with time_machine.travel(ban.expires_at + datetime.timedelta(minutes=1), tick=False):
        comment = submit(article, author_email="troll@example.org")

    assert Comment.objects.get() == comment


def test_a_ban_is_checked_before_the_honeypot(article):
    Ban.objects.create(email="troll@example.org", reason="abuse")

    _assert_banned(refusal(article, author_email="troll@example.org", honeypot="x"))


# --- trusted commenters and first comments --------------------------------------------------


def _approved_history(count, email="reader@example.org", **kwargs):
    return CommentFactory.create_batch(count, approved=True, author_email=email, **kwargs)


def test_trust_is_off_by_default(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 0
    _approved_history(5)

    comment = submit(article)

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.PENDING
    assert stored.hold_reasons == []
    assert not stored.events.exists()


def test_a_trusted_commenter_is_approved_automatically_with_an_event(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 2
    account = UserFactory(email="reader@example.org")
    _approved_history(2)

    with time_machine.travel(NOW, tick=False):
        comment = submit(article, user=account)

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.APPROVED
    assert stored.moderated_at == NOW
    assert stored.moderated_by is None
    event = stored.events.get()
    assert event.action == ModerationEvent.Action.APPROVED
    assert event.actor is None
    assert event.note == "trusted commenter"
    assert list(article.comments.approved()) == [stored]


def test_trust_needs_enough_approved_comments(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 2
    _approved_history(1)
    CommentFactory(author_email="reader@example.org")  # pending: does not count

    comment = submit(article)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


@pytest.mark.parametrize("status", [Comment.Status.REJECTED, Comment.Status.SPAM])
def test_a_rejection_in_the_last_90_days_keeps_the_commenter_pending(article, settings, status):
    settings.COMMENTS_TRUSTED_AFTER = 2
    _approved_history(3)
    CommentFactory(
        author_email="reader@example.org",
        status=status,
        moderated_at=NOW - datetime.timedelta(days=89),
    )

    with time_machine.travel(NOW, tick=False):
        comment = submit(article)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_a_guest_is_never_trusted_on_an_unverified_address(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 2
    _approved_history(5)

    comment = submit(article)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_a_rejection_older_than_90_days_is_forgiven(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 2
    account = UserFactory(email="reader@example.org")
    _approved_history(2)
    CommentFactory(
        author_email="reader@example.org",
        rejected=True,
        moderated_at=NOW - datetime.timedelta(days=91),
    )

    with time_machine.travel(NOW, tick=False):
        comment = submit(article, user=account)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_a_trusted_commenter_with_a_held_text_still_waits(article, settings):
    settings.COMMENTS_TRUSTED_AFTER = 2
    _approved_history(2)
    CommentFactory(author_email="someone@example.org", body="Word for word the same text.")

    comment = submit(article, body="Word for word the same text.")

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.PENDING
    assert [hold["code"] for hold in stored.hold_reasons] == ["duplicate_text"]


def test_a_new_commenter_is_held_as_a_first_comment(article):
    comment = submit(article)

    assert Comment.objects.get(pk=comment.pk).hold_reasons == [
        {"code": "first_comment", "detail": ""}
    ]


@pytest.mark.parametrize("by", ["email", "account"])
def test_a_returning_commenter_has_no_first_comment_hold(article, by):
    user = UserFactory()
    if by == "email":
        CommentFactory(author_email="reader@example.org")
    else:
        CommentFactory(user=user, author_email="old-address@example.org")

    comment = submit(article, user=user if by == "account" else None)

    assert hold_codes(comment) == []
