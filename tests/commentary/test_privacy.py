"""A commenter's personal data: a copy on request, erasure on request, never shown publicly."""

import io
import json
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from commentary import services, spam
from commentary.importing import parse_article_file
from commentary.models import Ban, Comment, CommentReport, ModerationEvent
from commentary.services.privacy import ERASED_EMAIL
from tests.factories import AdministratorFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

SEED_ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seed" / "global-insights-2014-02-11.txt"
PASSWORD = "correct-horse-battery"
BODY = "Sanctions rarely change a regime's mind on their own."
REMOVED = "[Comment removed at the author's request]"


@pytest.fixture
def seed_article():
    if not SEED_ARTICLE.is_file():
        pytest.fail(f"{SEED_ARTICLE} is missing; it cannot be skipped.", pytrace=False)
    article, _changed = services.article_import(parsed=parse_article_file(SEED_ARTICLE))
    return article


@pytest.fixture
def commenter(db):
    return UserFactory(
        username="olga", email="olga@example.org", display_name="Olga K.", first_name="Olga"
    )


@pytest.fixture
def history(seed_article, commenter, moderator):
    """Olga's approved and rejected comments, a report she filed, and a ban naming her."""
    approved = CommentFactory(
        article=seed_article,
        user=commenter,
        author_name="Olga K.",
        author_email="olga@example.org",
        body=BODY,
        ip_hash=spam.ip_hash("203.0.113.5"),
    )
    services.comment_approve(comment=approved, moderator=moderator)
    rejected = CommentFactory(
        article=seed_article,
        author_name="Olga K.",
        author_email="olga@example.org",
        body="An angry remark about another reader.",
    )
    services.comment_reject(
        comment=rejected, moderator=moderator, reason="abusive", note="Personal attack."
    )
    other = CommentFactory(article=seed_article, approved=True, author_email="ivan@example.org")
    services.comment_report(
        comment=other, reason="off_topic", reporter_key="olga-key", user=commenter, note="Why?"
    )
    Ban.objects.create(email="olga@example.org", reason="Repeated attacks", created_by=moderator)
    return {"approved": approved, "rejected": rejected, "other": other}


# --- commenter_export ------------------------------------------------------------------------


def test_export_holds_account_comments_decisions_reports_and_bans(history, commenter):
    data = services.commenter_export(user=commenter)

    assert data["account"]["username"] == "olga"
    assert data["account"]["email"] == "olga@example.org"
    assert data["account"]["display_name"] == "Olga K."
    assert {"date_joined", "last_login"} <= data["account"].keys()
    bodies = {comment["body"]: comment for comment in data["comments"]}
    assert set(bodies) == {BODY, "An angry remark about another reader."}
    approved = bodies[BODY]
    assert approved["article_title"] == history["approved"].article.title
    assert approved["article_url"] == history["approved"].article.get_absolute_url()
    assert approved["status"] == "approved"
    assert approved["moderation"][0]["action"] == "approved"
    rejection = bodies["An angry remark about another reader."]["moderation"][0]
    assert rejection["reason"] == "abusive"
    assert rejection["note"] == "Personal attack."
    assert rejection["date"]
    assert data["reports"] == [
        {
            "comment_url": history["other"].get_absolute_url(),
            "reason": "off_topic",
            "note": "Why?",
            "date": data["reports"][0]["date"],
        }
    ]
    assert [(ban["reason"], ban["names"]) for ban in data["bans"]] == [
        ("Repeated attacks", ["email"])
    ]
    assert data["ip_hash_stored"] is True
    assert approved["ip_hash_stored"] is True


def test_export_never_holds_the_password_hash_the_ip_hash_or_the_moderator(
    history, commenter, moderator
):
    text = json.dumps(services.commenter_export(user=commenter))

    assert commenter.password not in text
    assert "pbkdf2" not in text and "argon2" not in text
    assert history["approved"].ip_hash not in text
    assert moderator.username not in text


def test_export_finds_the_commenter_by_email_in_any_case(history, commenter):
    data = services.commenter_export(email="  OLGA@Example.ORG ")

    assert data["account"]["username"] == "olga"
    assert len(data["comments"]) == 2


def test_export_of_a_guest_finds_comments_by_email_without_an_account(db):
    CommentFactory(author_email="guest@example.org", body=BODY)

    data = services.commenter_export(email="Guest@example.org")

    assert data["account"] is None
    assert [comment["body"] for comment in data["comments"]] == [BODY]


def test_export_of_an_unknown_address_raises_not_found(db):
    with pytest.raises(services.CommenterNotFound):
        services.commenter_export(email="nobody@example.org")


def test_export_command_writes_utf8_json_to_a_file(history, tmp_path):
    output = tmp_path / "olga.json"

    call_command(
        "export_commenter", "--username", "olga", "--output", str(output), stderr=io.StringIO()
    )

    text = output.read_text(encoding="utf-8")
    assert json.loads(text)["account"]["email"] == "olga@example.org"
    assert text.startswith('{\n  "')


@pytest.mark.parametrize(
    "args",
    [[], ["--email", "olga@example.org", "--username", "olga"], ["--email", "no@example.org"]],
    ids=["neither", "both", "nobody"],
)
def test_export_command_refuses_bad_input_with_one_line(history, args):
    with pytest.raises(CommandError) as refused:
        call_command("export_commenter", *args, stdout=io.StringIO())

    assert "\n" not in str(refused.value)


def test_export_with_an_actor_is_written_to_the_admin_log(history, commenter):
    admin = AdministratorFactory()

    services.commenter_export(user=commenter, actor=admin)

    assert LogEntry.objects.filter(user=admin, object_id=str(commenter.pk)).exists()


# --- commenter_erase -------------------------------------------------------------------------


def test_erased_commenter_disappears_from_the_public_article_page(client, history):
    article = history["approved"].article
    assert "Olga K." in client.get(article.get_absolute_url()).content.decode()

    services.commenter_erase(email="olga@example.org")

    page = client.get(article.get_absolute_url()).content.decode()
    assert "Olga K." not in page
    assert BODY not in page
    assert "Deleted commenter" in page
    assert escape(REMOVED) in page


def test_erasure_keeps_comments_statuses_and_moderation_log(history):
    def tally():
        return (
            Comment.objects.approved().count(),
            Comment.objects.rejected().count(),
            ModerationEvent.objects.count(),
            CommentReport.objects.count(),
        )

    before = tally()

    counts = services.commenter_erase(email="olga@example.org")

    assert tally() == before
    assert (counts.comments, counts.reports, counts.accounts, counts.bans_kept) == (2, 1, 1, 1)
    for comment in Comment.objects.filter(pk__in=[history["approved"].pk, history["rejected"].pk]):
        assert comment.author_name == "Deleted commenter"
        assert comment.author_email == ERASED_EMAIL
        assert comment.ip_hash == ""
        assert comment.user is None
        assert comment.body == REMOVED
    report = CommentReport.objects.get()
    assert (report.note, report.reporter) == ("", None)
    assert Ban.objects.get().email == "olga@example.org"


def test_erased_account_is_anonymised_and_cannot_sign_in(client, history, commenter):
    services.commenter_erase(user=commenter)

    commenter.refresh_from_db()
    assert commenter.username == f"deleted-{commenter.pk}"
    assert (commenter.email, commenter.display_name, commenter.first_name) == ("", "", "")
    assert not commenter.is_active
    assert not commenter.has_usable_password()
    assert not client.login(username="olga", password=PASSWORD)
    assert not client.login(username=commenter.username, password=PASSWORD)


def test_erasure_can_keep_the_text(history):
    services.commenter_erase(email="olga@example.org", keep_text=True)

    history["approved"].refresh_from_db()
    assert history["approved"].body == BODY
    assert history["approved"].author_name == "Deleted commenter"


def test_erasure_uses_each_comments_language(db):
    comment = CommentFactory(author_email="masha@example.org", language="ru")

    services.commenter_erase(email="masha@example.org")

    comment.refresh_from_db()
    assert comment.author_name != "Deleted commenter"
    assert comment.body != REMOVED


def test_erasing_twice_is_harmless(history, commenter):
    services.commenter_erase(email="olga@example.org")
    erased = list(Comment.objects.values_list("pk", "author_name", "body").order_by("pk"))

    again = services.commenter_erase(email="olga@example.org")
    services.commenter_erase(user=commenter)

    assert (again.comments, again.reports, again.accounts) == (0, 0, 0)
    assert list(Comment.objects.values_list("pk", "author_name", "body").order_by("pk")) == erased


def test_erasure_leaves_other_commenters_alone(history):
    services.commenter_erase(email="olga@example.org")

    history["other"].refresh_from_db()
    assert history["other"].author_email == "ivan@example.org"


def test_erasure_with_an_actor_is_written_to_the_admin_log(history, commenter):
    admin = AdministratorFactory()

    services.commenter_erase(user=commenter, actor=admin)

    assert LogEntry.objects.filter(user=admin, object_id=str(commenter.pk)).exists()
    assert LogEntry.objects.filter(user=admin, object_id=str(history["approved"].pk)).exists()


def test_erase_command_with_yes_prints_the_counts(history):
    out = io.StringIO()

    call_command("erase_commenter", "--email", "OLGA@example.org", "--yes", stdout=out)

    assert "2 comments" in out.getvalue()
    assert not Comment.objects.filter(author_email="olga@example.org").exists()


def test_erase_command_without_a_terminal_or_yes_refuses_and_erases_nothing(history, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError) as refused:
        call_command("erase_commenter", "--email", "olga@example.org")

    assert "\n" not in str(refused.value)
    assert Comment.objects.filter(author_email="olga@example.org").count() == 2


@pytest.mark.parametrize(
    "args",
    [["--yes"], ["--email", "a@example.org", "--username", "olga", "--yes"], ["--username", "x"]],
    ids=["neither", "both", "unknown-account"],
)
def test_erase_command_refuses_bad_input_with_one_line(history, args):
    with pytest.raises(CommandError) as refused:
        call_command("erase_commenter", *args, stdout=io.StringIO())

    assert "\n" not in str(refused.value)


# --- e-mail addresses are never public ----------------------------------------------------


def test_commenters_email_appears_neither_on_the_article_page_nor_in_the_feed(client, history):
    page = client.get(history["approved"].article.get_absolute_url())
    feed = client.get("/en/feeds/rss/")

    assert page.status_code == 200 and feed.status_code == 200
    assert "Olga K." in page.content.decode()
    assert "olga@example.org" not in page.content.decode()
    assert "olga@example.org" not in feed.content.decode()
