"""Fill a development database with demo articles, comments and log-ins.

The English articles come from the plain-text files in ``commentary/demo/`` and go through
``article_import`` like any other import; comments go through ``comment_submit`` and
``comment_approve`` so the demo obeys the same rules as readers and moderators do.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.roles import EDITORS, MODERATORS
from commentary.html import paragraphs_to_html
from commentary.importing import ArticleParseError, parse_article_file
from commentary.models import Article, ArticleAuthor, Author, Column, Comment
from commentary.services import article_import, comment_approve, comment_submit

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

SEED_FILE = "global-insights-2014-02-11.txt"

# Tags per demo file. A file missing here is refused rather than imported untagged, so a new
# demo file cannot slip in without someone deciding how readers will find it.
DEMO_TAGS = {
    SEED_FILE: ["Russia", "China", "Diplomacy", "Arms trade"],
    "eurasia-watch-2014-02-06.txt": ["Central Asia", "Caspian Sea", "Energy"],
    "eurasia-watch-2014-02-20.txt": ["Central Asia", "Water"],
    "eurasia-watch-2014-03-06.txt": ["Central Asia", "Russia", "Trade"],
    "eurasia-watch-2014-03-20.txt": ["Central Asia", "China", "Infrastructure"],
    "eurasia-watch-2014-04-03.txt": ["Central Asia", "Russia", "Security"],
}

COLUMN_DESCRIPTIONS = {
    "Global Insights": (
        "A weekly look at great-power diplomacy, arms control and security in Eurasia and the "
        "Asia-Pacific, with particular attention to Russia, China and the United States."
    ),
    "Eurasia Watch": (
        "A fortnightly view of Central Asia and the Caspian from Almaty: energy and transit, "
        "water, and the region's balancing between Russia, China and the West."
    ),
}

AUTHOR_BIOS = {
    "richard-weitz": (
        "Richard Weitz is a senior fellow at the Hudson Institute and a World Politics Review "
        "senior editor. He writes on Russia, China, arms control and Eurasian security."
    ),
    "anna-petrova": (
        "Anna Petrova is a senior analyst at the Caspian Policy Institute in Almaty. She "
        "follows energy, transport and water politics across Central Asia and the Caspian."
    ),
}

# The Russian piece has no plain-text file: the import format and its parser are English.
RUSSIAN_AUTHOR = {
    "slug": "maria-sokolova",
    "name": "Мария Соколова",
    "tagline": "ведущий научный сотрудник Центра европейских исследований «Меридиан» в Москве",
    "pronoun": Author.Pronoun.SHE,
    "bio": (
        "Мария Соколова — ведущий научный сотрудник Центра европейских исследований "
        "«Меридиан» в Москве. Занимается отношениями России и Евросоюза и энергетической "
        "политикой."
    ),
}
RUSSIAN_COLUMN = {
    "name": "Взгляд из Москвы",
    "slug": "vzglyad-iz-moskvy",
    "cadence": Column.Cadence.WEEKLY,
    "weekday": Column.Weekday.MONDAY,
    "description": (
        "Еженедельная колонка о внешней политике России и её отношениях с Европой — "
        "взгляд из Москвы, без лозунгов."
    ),
}
RUSSIAN_ARTICLE = {
    "title": "Газ, право и доверие: что разделяет Россию и Евросоюз",
    "published_on": datetime.date(2014, 2, 17),
    "summary": (
        "Спор о «Южном потоке» и Третьем энергопакете — не только юридический конфликт. "
        "За ним стоит вопрос о том, по каким правилам будут строиться отношения России и "
        "Европы."
    ),
    "paragraphs": [
        "Газовые отношения России и Евросоюза давно перестали быть просто торговлей. Россия "
        "обеспечивает около трети европейского импорта газа, а Европа остаётся главным "
        "покупателем российского газа и главным источником валютной выручки для бюджета. "
        "Взаимная зависимость велика, но именно она делает каждую техническую деталь поводом "
        "для политического спора.",
        "Самый острый из нынешних споров касается «Южного потока». В конце прошлого года "
        "Еврокомиссия заявила, что межправительственные соглашения по газопроводу с "
        "несколькими странами ЕС противоречат европейскому праву и должны быть пересмотрены. "
        "Речь идёт о правилах Третьего энергопакета: производитель газа не может одновременно "
        "владеть магистральной трубой, а доступ к ней должен быть открыт для других "
        "поставщиков. В Москве это воспринимают как попытку изменить условия уже после того, "
        "как решения об инвестициях приняты.",
        "У обеих сторон есть свои аргументы. Брюссель строит единый энергетический рынок и не "
        "может делать исключения для одного поставщика, не подрывая собственные правила. "
        "Москва указывает, что крупные трубопроводные проекты окупаются десятилетиями и "
        "требуют гарантий загрузки. Транзит через Украину, по которому сейчас идёт около "
        "половины российского экспорта газа в Европу, делает поиск обходных маршрутов для "
        "России вопросом не только коммерции, но и надёжности.",
        "Выход, по-видимому, лежит не в победе одной из сторон, а в переговорах о конкретных "
        "условиях: сроках, исключениях для отдельных участков, порядке доступа третьих сторон. "
        "Такие компромиссы уже находились для «Северного потока». Но для этого нужно то, чего "
        "сейчас больше всего не хватает, — доверие к тому, что договорённости будут "
        "выполняться, а не пересматриваться при первой смене политической погоды.",
    ],
    "tags": ["Россия", "Европа"],
}

# (username, password, role shown in the log-in block, field values reset on every run).
# The passwords are public on purpose; handle() refuses to run outside DEBUG without --force.
DEMO_ACCOUNTS = [
    (
        "editor",
        "editor-demo-pass",
        "Editors: articles, authors, columns, tags",
        {"is_staff": True, "is_superuser": False, "groups": [EDITORS]},
    ),
    (
        "moderator",
        "moderator-demo-pass",
        "Moderators: approve or reject comments",
        {"is_staff": True, "is_superuser": False, "groups": [MODERATORS]},
    ),
    (
        "admin",
        "admin-demo-pass",
        "everything",
        {"is_staff": True, "is_superuser": True, "groups": []},
    ),
    (
        "reader",
        "reader-demo-pass",
        "a reader without staff access (cannot sign in here)",
        {"is_staff": False, "is_superuser": False, "groups": [], "display_name": "A. Reader"},
    ),
]

APPROVED, PENDING = True, False
# Per demo file: (name, e-mail, body, approve?). The name "A. Reader" posts as the reader
# account, so a signed-in comment is in the demo too.
DEMO_COMMENTS = {
    SEED_FILE: [
        (
            "Daniel Hargreaves",
            "d.hargreaves@example.com",
            "A useful corrective to talk of an alliance. The arms sales point deserves more "
            "attention: if Moscow is now selling its most advanced systems, it must have "
            "concluded that the risk of copying is a price worth paying for the revenue.",
            APPROVED,
        ),
        (
            "Leila Karimova",
            "leila.karimova@example.com",
            "The paragraph on Japan is the most interesting part. Russia's distance from the "
            "island disputes gives Tokyo a reason to talk to Moscow, and that in turn limits "
            "how far Beijing can count on Russian support.",
            APPROVED,
        ),
        (
            "Tomasz Nowak",
            "tomasz.nowak@example.com",
            "I would add energy to the list of limits. Until the two sides agree on a price for "
            "pipeline gas, the partnership will remain more symbolic than practical.",
            APPROVED,
        ),
        (
            "Helen Ashby",
            "helen.ashby@example.com",
            "Do we know how large the recent arms contracts actually are? Published estimates "
            "vary a great deal, and it would help to see the range.",
            PENDING,
        ),
        (
            "A. Reader",
            "reader@example.com",
            "A careful piece. I wonder whether the Central Asian states see this partnership "
            "as reassuring or as a squeeze between two larger neighbours.",
            PENDING,
        ),
    ],
    "eurasia-watch-2014-02-20.txt": [
        (
            "Farhod Rahimov",
            "f.rahimov@example.com",
            "The Soviet-era barter is often remembered fondly, but it worked because Moscow "
            "paid for it. Any new arrangement needs someone willing to cover the costs, and it "
            "is not clear who that would be.",
            APPROVED,
        ),
        (
            "Catherine Doyle",
            "catherine.doyle@example.com",
            "The point about glacier retreat is underappreciated. Planning for the next twenty "
            "years on the basis of past river flows looks risky for everyone on both rivers.",
            APPROVED,
        ),
        (
            "Martin Keller",
            "martin.keller@example.com",
            "Would a regional electricity market really change the winter problem? It depends "
            "on whether downstream buyers would commit to long-term contracts.",
            PENDING,
        ),
    ],
    "eurasia-watch-2014-04-03.txt": [
        (
            "Игорь Власов",
            "igor.vlasov@example.com",
            "Трезвый анализ. Для Астаны и Ташкента крымский прецедент — прежде всего вопрос о "
            "гарантиях границ, а об этом в западных комментариях пишут редко.",
            APPROVED,
        ),
        (
            "Sarah Lindqvist",
            "sarah.lindqvist@example.com",
            "The point about border guarantees is well made. It would help to know how the "
            "Kazakh press covered the referendum, since official silence can mean many things.",
            PENDING,
        ),
    ],
}


class Command(BaseCommand):
    help = (
        "Load demo content for development: the articles in commentary/demo/, a Russian "
        "article, reader comments and the demo log-ins editor, moderator, admin and reader. "
        "Running it again changes nothing, except that it restores the demo accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (the demo accounts have published passwords)",
        )

    def handle(self, *args, force, verbosity, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off and the demo accounts have public passwords; "
                "use --force if you really mean to load them here."
            )
        self.verbosity = verbosity
        parsed = self.parse_demo_files()
        with transaction.atomic():
            articles = self.import_articles(parsed)
            self.load_russian_article()
            self.describe_columns_and_authors()
            users = self.reset_accounts()
            self.add_comments(articles, users)
        self.print_logins()

    def say(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)

    def parse_demo_files(self):
        files = sorted(DEMO_DIR.glob("*.txt"))
        untagged = [path.name for path in files if path.name not in DEMO_TAGS]
        if untagged:
            raise CommandError(f"no tags in DEMO_TAGS for demo file(s): {', '.join(untagged)}")
        # Parse everything first so one bad file stops the run before anything is written.
        try:
            return [(path.name, parse_article_file(path)) for path in files]
        except ArticleParseError as error:
            raise CommandError(str(error)) from error

    def import_articles(self, parsed):
        articles, changed_count = {}, 0
        for name, data in parsed:
            article, changed = article_import(parsed=data, tags=DEMO_TAGS[name])
            articles[name] = article
            changed_count += changed
        self.say(
            f"Demo articles: {changed_count} imported or updated, "
            f"{len(parsed) - changed_count} unchanged."
        )
        return articles

    def load_russian_article(self):
        author, author_created = Author.objects.get_or_create(
            slug=RUSSIAN_AUTHOR["slug"],
            defaults={key: value for key, value in RUSSIAN_AUTHOR.items() if key != "slug"},
        )
        column, column_created = Column.objects.get_or_create(
            name=RUSSIAN_COLUMN["name"],
            defaults={key: value for key, value in RUSSIAN_COLUMN.items() if key != "name"},
        )
        changed = author_created or column_created
        if not column.authors.filter(pk=author.pk).exists():
            column.authors.add(author)
            changed = True

        data = RUSSIAN_ARTICLE
        slug = slugify(data["title"], allow_unicode=True)
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            published_at = timezone.make_aware(
                datetime.datetime.combine(data["published_on"], datetime.time(0, 0))
            )
            article = Article(
                title=data["title"],
                slug=slug,
                column=column,
                summary=data["summary"],
                body=paragraphs_to_html(data["paragraphs"]),
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                language=Article.Language.RUSSIAN,
            )
            article.full_clean()
            article.save()
            changed = True
        # An editor may have retagged or rebylined the article since; only fill what is missing.
        if not article.article_authors.exists():
            ArticleAuthor.objects.create(article=article, author=author, position=0)
            changed = True
        current = {tag.name.casefold() for tag in article.tags.all()}
        missing = [tag for tag in data["tags"] if tag.casefold() not in current]
        if missing:
            article.tags.add(*missing)
            changed = True
        self.say(f"Russian demo article: {'created or updated' if changed else 'unchanged'}.")

    def describe_columns_and_authors(self):
        # Only empty fields are filled: an editor's own wording is never overwritten.
        filled = 0
        for column in Column.objects.filter(name__in=COLUMN_DESCRIPTIONS, description=""):
            column.description = COLUMN_DESCRIPTIONS[column.name]
            column.save(update_fields=["description"])
            filled += 1
        for author in Author.objects.filter(slug__in=AUTHOR_BIOS, bio=""):
            author.bio = AUTHOR_BIOS[author.slug]
            author.save(update_fields=["bio"])
            filled += 1
        self.say(f"Column descriptions and author bios: {filled} filled in.")

    def reset_accounts(self):
        User = get_user_model()
        groups = {}
        for name in (EDITORS, MODERATORS):
            try:
                groups[name] = Group.objects.get(name=name)
            except Group.DoesNotExist:
                raise CommandError(
                    f'the group "{name}" does not exist; run "manage.py migrate" first'
                ) from None

        users, counts = {}, {"created": 0, "reset": 0, "unchanged": 0}
        for username, password, _role, wanted in DEMO_ACCOUNTS:
            values = {key: value for key, value in wanted.items() if key != "groups"}
            values["is_active"] = True
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username)
            changed = False
            for field, value in values.items():
                if getattr(user, field) != value:
                    setattr(user, field, value)
                    changed = True
            # Checking before setting keeps a rerun from rewriting the hash with a new salt.
            if created or not user.check_password(password):
                user.set_password(password)
                changed = True
            if changed:
                user.save()
            wanted_groups = {groups[name] for name in wanted["groups"]}
            if set(user.groups.all()) != wanted_groups:
                user.groups.set(wanted_groups)
                changed = True
            counts["created" if created else "reset" if changed else "unchanged"] += 1
            # Fetched again so permission checks do not see a cache from before the reset.
            users[username] = User.objects.get(pk=user.pk)
        self.say(
            f"Demo accounts: {counts['created']} created, {counts['reset']} reset, "
            f"{counts['unchanged']} unchanged."
        )
        return users

    def add_comments(self, articles, users):
        moderator, reader = users["moderator"], users["reader"]
        created = unchanged = 0
        for file_name, comments in DEMO_COMMENTS.items():
            article = articles[file_name]
            for author_name, email, body, approve in comments:
                exists = Comment.objects.filter(
                    article=article, author_name=author_name, body=body
                ).exists()
                if exists:
                    unchanged += 1
                    continue
                comment = comment_submit(
                    article=article,
                    body=body,
                    author_name=author_name,
                    author_email=email,
                    user=reader if author_name == reader.display_name else None,
                )
                if approve:
                    comment_approve(comment=comment, moderator=moderator)
                created += 1
        self.say(f"Demo comments: {created} created, {unchanged} unchanged.")

    def print_logins(self):
        # The admin's address follows ADMIN_URL, which production may move.
        admin_url = f"{settings.SITE_URL.rstrip('/')}{reverse('admin:index')}"
        lines = ["", f"Demo log-ins ({admin_url}):"]
        for username, password, role, _wanted in DEMO_ACCOUNTS:
            lines.append(f"  {username:<10} / {password:<21} {role}")
        if settings.STAFF_TWO_FACTOR:
            staff = ", ".join(
                name for name, _password, _role, wanted in DEMO_ACCOUNTS if wanted["is_staff"]
            )
            lines += [
                "",
                f"Two-factor log-in is on for the staff accounts ({staff}): at the first log-in",
                "the site shows a QR code to scan with an authenticator app (FreeOTP, Aegis,",
                "Google Authenticator, ...), then asks for its six-digit code at every log-in.",
                "Lost the app? Run with STAFF_TWO_FACTOR=0 to log in with the password alone.",
            ]
        self.stdout.write("\n".join(lines))
