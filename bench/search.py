"""Measure search latency on PostgreSQL with a large synthetic archive.

Run from the repository root against a dedicated database (see bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commentary_search_bench \\
        .venv/bin/python bench/search.py [--articles 100000] [--runs 5]

Applies migrations, then tops the database up to ``--articles`` synthetic published articles
(English and Russian, with columns, bylines and tags) if it holds fewer: ``bulk_create`` in
batches of 5,000 and one UPDATE per batch to fill their search vectors.  Then it runs a fixed
list of 30 queries through the search page's own code (``SearchView``'s queryset, filters and
pagination, without HTTP or template rendering): one warm-up run and ``--runs`` timed runs
each, and prints the latency of every query and the p50, p95 and maximum over all runs.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH_SIZE = 5_000
SLUG_PREFIX = "bench-"
SEED = 20140211

QUERIES = [
    # single words
    "sanctions",
    "pipeline",
    "Arctic",
    "election",
    "nuclear",
    "Taiwan",
    "drones",
    "Mongolia",
    # phrases
    '"Black Sea"',
    '"arms control"',
    '"Belt and Road"',
    '"supply chains"',
    # several words, with an exclusion
    "China Russia energy",
    "NATO enlargement Finland",
    "Iran nuclear talks -Israel",
    "Beijing or Tokyo",
    # the last word as a prefix, as typed
    "Soch",
    "Kazakh",
    "semicond",
    "hypersonic miss",
    # Russian
    "санкциями",
    "Россия Китай",
    '"Чёрное море"',
    "выборы",
    "газопровод",
    "ядерн",
    "Центральной Азии",
    # misses that fall back to similar titles and author names
    "Weits",
    "Sotchi",
    # a miss with nothing similar
    "zyxwvut",
]

# fmt: off
# Word banks, most frequent first: an article picks its theme (two countries, two topics, a
# city, ...) with Zipf-like odds, so "Russia" and "sanctions" are common and "Mongolia" rare.
EN = {
    "country": [
        "Russia", "China", "the United States", "Ukraine", "India", "Iran", "Turkey", "Japan",
        "Germany", "Kazakhstan", "France", "Poland", "Israel", "Pakistan", "South Korea",
        "North Korea", "Taiwan", "Saudi Arabia", "Uzbekistan", "Georgia", "Belarus",
        "Azerbaijan", "Armenia", "Finland", "Sweden", "Mongolia", "Vietnam", "Indonesia",
        "Egypt", "Brazil", "Serbia", "Hungary", "Norway", "the Philippines", "Australia",
        "Kyrgyzstan", "Tajikistan", "Nigeria", "Ethiopia", "Canada", "Mexico", "Moldova",
    ],
    "city": [
        "Moscow", "Beijing", "Washington", "Brussels", "Kyiv", "Ankara", "Tehran", "Tokyo",
        "Delhi", "Berlin", "Astana", "Warsaw", "Paris", "Sochi", "Tashkent", "Minsk", "Baku",
        "Tbilisi", "Seoul", "Pyongyang", "Islamabad", "Riyadh", "Cairo", "Helsinki", "Yerevan",
        "Canberra", "Hanoi", "Jakarta", "Belgrade", "Budapest", "Oslo", "Bishkek", "Dushanbe",
    ],
    "leader": [
        "the Kremlin", "Putin", "Xi", "the White House", "Beijing's leaders", "Modi", "Erdogan",
        "the Pentagon", "the European Commission", "NATO's secretary-general", "Tokyo",
        "the Chinese Communist Party", "the Russian Foreign Ministry", "the State Department",
        "the Iranian leadership", "Congress", "the German chancellor", "the Elysee",
    ],
    "institution": [
        "NATO", "the European Union", "the United Nations", "the Shanghai Cooperation "
        "Organization", "the G-20", "the Collective Security Treaty Organization", "ASEAN",
        "the International Atomic Energy Agency", "the Eurasian Economic Union", "BRICS",
        "the Organization for Security and Co-operation in Europe", "the World Bank",
        "the International Monetary Fund", "the Arctic Council", "the African Union",
    ],
    "topic": [
        "sanctions", "energy security", "arms control", "military exercises", "the Black Sea",
        "natural gas pipelines", "nuclear deterrence", "supply chains", "NATO enlargement",
        "election interference", "the Arctic", "cyber operations", "missile defense",
        "the Belt and Road Initiative", "drones", "oil prices", "nuclear talks", "inflation",
        "semiconductors", "grain exports", "border disputes", "maritime claims",
        "hypersonic missiles", "refugee flows", "debt relief", "shipping lanes",
        "rare earths", "peacekeeping", "space launches", "water disputes", "arms sales",
        "terrorism", "climate diplomacy", "labor migration", "currency swaps",
        "port investments", "railway corridors", "fisheries", "wheat prices", "uranium mining",
        "food security", "sovereign wealth funds", "nuclear power plants", "undersea cables",
        "satellite navigation", "export controls", "hydropower dams", "mercenary groups",
        "naval bases", "airspace violations", "visa regimes", "remittances", "coal exports",
        "fertilizer shortages", "pandemic recovery", "vaccine diplomacy", "troop deployments",
        "air defense systems", "grain corridors", "critical minerals", "digital currencies",
        "development loans", "prisoner exchanges", "ceasefire monitoring", "border crossings",
        "religious diplomacy", "minority rights", "media freedom", "constitutional reform",
        "succession politics", "military purges", "corruption trials", "protest movements",
        "frozen conflicts", "nuclear fuel", "gas storage",
    ],
    "adjective": [
        "uneasy", "growing", "fragile", "strategic", "pragmatic", "awkward", "durable",
        "transactional", "lopsided", "deepening", "tentative", "limited", "unprecedented",
        "renewed", "quiet", "public", "costly", "ambitious", "cautious", "contested",
        "symbolic", "opportunistic", "asymmetric", "brittle", "long-running", "bitter",
    ],
    "verb": [
        "complicates", "reshapes", "tests", "strengthens", "undermines", "exposes",
        "accelerates", "reflects", "challenges", "limits", "deepens", "reveals", "shapes",
        "constrains", "clarifies", "obscures",
    ],
}

EN_TITLES = [
    "{leader} and {topic}: the {adjective} calculus",
    "{country}'s {adjective} bet on {topic}",
    "Why {topic} {verb} {country}'s foreign policy",
    "In {city}, {leader} puts {topic} on display",
    "{institution} and the politics of {topic}",
    "{country} and {country2}: a {adjective} partnership",
    "What {topic} means for {institution}",
    "The {adjective} logic of {country}'s approach to {topic}",
    "After {city}, {topic} returns to the agenda",
]

EN_SENTENCES = [
    "The {adjective} relationship between {country} and {country2} {verb} the region's "
    "balance of power.",
    "Officials in {city} have spent months arguing about {topic}, with little to show for it.",
    "{leader} has made {topic} a priority, but the results so far are {adjective}.",
    "For {institution}, the question of {topic} has become {adjective} and divisive.",
    "Analysts in {city} expect {country} to press harder on {topic} before the next summit.",
    "The dispute over {topic} {verb} the {adjective} consensus that {institution} once "
    "enjoyed.",
    "{country2} has responded with a {adjective} mix of diplomacy and pressure.",
    "Few expected {leader} to travel to {city} so soon after the talks on {topic} broke down.",
    "The {year} agreement on {topic} now looks {adjective} at best.",
    "Trade between {country} and {country2} grew by {percent} percent last year, driven by "
    "{topic}.",
    "Critics argue that the focus on {topic} {verb} efforts to build trust with {country2}.",
    "Behind the scenes, diplomats from {country} and {country2} discussed {topic} and "
    "{topic2}.",
    "Its neighbors watch {country}'s approach to {topic} with {adjective} interest.",
    "Nothing in the {year} communique resolved the underlying disagreement on {topic2}.",
    "A senior official in {city} described the talks on {topic2} as {adjective}.",
    "{institution} has little leverage over {country} when it comes to {topic}.",
    "Since {year}, {country} has tried to diversify away from {country2} on {topic}.",
    "The visit to {city} produced {percent} agreements, most of them on {topic2}.",
]

EN_GENERIC = [
    "That is easier said than done.",
    "The record so far is mixed.",
    "Much depends on what happens next year.",
    "None of this was inevitable, and little of it is irreversible.",
    "Public opinion has shifted more slowly than the official rhetoric suggests.",
    "The economic logic points one way; the political logic points another.",
    "Domestic politics will shape the outcome as much as any foreign pressure.",
    "Previous attempts at a settlement foundered on questions of sequencing and verification.",
    "Budget constraints make an ambitious program unlikely in the near term.",
    "Military planners are already drawing lessons from the recent fighting.",
    "The announcement surprised even close observers of the negotiations.",
    "Markets reacted calmly, suggesting that investors had priced in the risk.",
    "Still, the declaration left important details for later talks.",
    "Regional governments are hedging their bets rather than choosing sides.",
    "The infrastructure projects promised at the summit remain largely on paper.",
    "Western diplomats privately concede that their options are limited.",
    "Several think tanks have warned about the long-term consequences.",
    "In the meantime, both sides continue to test each other's resolve.",
    "The parliamentary debate exposed deep divisions within the governing coalition.",
    "Independent monitors have documented repeated violations of the ceasefire.",
]

RU = {
    "country": [
        ("Россия", "России"), ("Китай", "Китая"), ("США", "США"), ("Украина", "Украины"),
        ("Индия", "Индии"), ("Иран", "Ирана"), ("Турция", "Турции"), ("Япония", "Японии"),
        ("Германия", "Германии"), ("Казахстан", "Казахстана"), ("Франция", "Франции"),
        ("Польша", "Польши"), ("Узбекистан", "Узбекистана"), ("Грузия", "Грузии"),
        ("Белоруссия", "Белоруссии"), ("Азербайджан", "Азербайджана"),
        ("Армения", "Армении"), ("Финляндия", "Финляндии"), ("Монголия", "Монголии"),
        ("Пакистан", "Пакистана"), ("Сербия", "Сербии"), ("Венгрия", "Венгрии"),
        ("Киргизия", "Киргизии"), ("Таджикистан", "Таджикистана"), ("Молдавия", "Молдавии"),
    ],
    "topic": [
        ("санкции", "санкций"), ("энергетическая безопасность", "энергетической безопасности"),
        ("контроль над вооружениями", "контроля над вооружениями"),
        ("военные учения", "военных учений"), ("Чёрное море", "Чёрного моря"),
        ("газопровод", "газопровода"), ("ядерное сдерживание", "ядерного сдерживания"),
        ("цепочки поставок", "цепочек поставок"), ("расширение НАТО", "расширения НАТО"),
        ("выборы", "выборов"), ("Арктика", "Арктики"), ("кибератаки", "кибератак"),
        ("противоракетная оборона", "противоракетной обороны"),
        ("беспилотники", "беспилотников"), ("цены на нефть", "цен на нефть"),
        ("ядерные переговоры", "ядерных переговоров"), ("инфляция", "инфляции"),
        ("полупроводники", "полупроводников"), ("экспорт зерна", "экспорта зерна"),
        ("пограничные споры", "пограничных споров"), ("Центральная Азия", "Центральной Азии"),
        ("гиперзвуковые ракеты", "гиперзвуковых ракет"), ("морские перевозки", "морских перевозок"),
        ("трудовая миграция", "трудовой миграции"), ("редкоземельные металлы",
                                                      "редкоземельных металлов"),
        ("водные споры", "водных споров"), ("железнодорожные коридоры",
                                          "железнодорожных коридоров"),
        ("продовольственная безопасность", "продовольственной безопасности"),
        ("атомные электростанции", "атомных электростанций"),
        ("подводные кабели", "подводных кабелей"), ("экспортный контроль", "экспортного контроля"),
        ("военно-морские базы", "военно-морских баз"), ("визовый режим", "визового режима"),
        ("денежные переводы", "денежных переводов"), ("экспорт угля", "экспорта угля"),
        ("дефицит удобрений", "дефицита удобрений"), ("переброска войск", "переброски войск"),
        ("системы ПВО", "систем ПВО"), ("критически важные минералы",
                                        "критически важных минералов"),
        ("цифровые валюты", "цифровых валют"), ("обмен пленными", "обмена пленными"),
        ("права меньшинств", "прав меньшинств"), ("свобода СМИ", "свободы СМИ"),
        ("конституционная реформа", "конституционной реформы"),
        ("протестное движение", "протестного движения"),
        ("замороженные конфликты", "замороженных конфликтов"),
        ("хранилища газа", "хранилищ газа"),
    ],
    "city_loc": [
        "Москве", "Пекине", "Вашингтоне", "Брюсселе", "Киеве", "Анкаре", "Тегеране", "Токио",
        "Дели", "Берлине", "Астане", "Варшаве", "Сочи", "Ташкенте", "Минске", "Баку",
        "Тбилиси", "Ереване", "Сеуле", "Бишкеке", "Душанбе",
    ],
    "adjective": [
        "хрупкий", "прагматичный", "неравный", "стратегический", "осторожный", "растущий",
        "затяжной", "неожиданный", "спорный", "долгосрочный", "символический", "вынужденный",
    ],
}

RU_TITLES = [
    "{country} и {topic}: {adjective} расчёт",
    "Почему вопрос {topic_gen} беспокоит власти {country_gen}",
    "В {city_loc} обсуждают будущее {topic_gen}",
    "{country} и {country2}: {adjective} союз",
    "Что значат {topic} для {country_gen}",
    "Политика {country_gen} и проблема {topic_gen}",
]

RU_SENTENCES = [
    "Отношения {country_gen} и {country2_gen} остаются сложными, а тема {topic_gen} "
    "по-прежнему их разделяет.",
    "В {city_loc} несколько месяцев спорили о судьбе {topic_gen}, но так и не договорились.",
    "Эксперты считают, что {country} усилит давление в вопросе {topic_gen} до следующего "
    "саммита.",
    "Соглашение {year} года по вопросу {topic_gen} теперь выглядит устаревшим.",
    "Торговля между {country_gen} и {country2_gen} выросла на {percent} процентов, главным "
    "образом за счёт {topic_gen}.",
    "Критики полагают, что курс {country_gen} в отношении {topic_gen} подрывает доверие "
    "соседей.",
    "За кулисами дипломаты обсуждали {topic} и проблему {topic2_gen}.",
    "Соседи внимательно следят за тем, как {country} решает проблему {topic_gen}.",
    "Новые решения {country_gen} изменили расчёты в {city_loc}.",
    "Ни одно заявление {year} года не сняло разногласий по поводу {topic2_gen}.",
    "Визит в {city_loc} завершился подписанием {percent} документов, в основном о {topic2_gen}.",
    "С {year} года {country} пытается снизить зависимость от {country2_gen} в сфере "
    "{topic_gen}.",
]

RU_GENERIC = [
    "Сделать это будет непросто.",
    "Итоги пока неоднозначны.",
    "Многое зависит от того, что произойдёт в следующем году.",
    "Общественное мнение меняется медленнее, чем официальная риторика.",
    "Экономическая логика указывает в одну сторону, политическая — в другую.",
    "Внутренняя политика повлияет на исход не меньше, чем давление извне.",
    "Прежние попытки урегулирования срывались из-за вопросов очерёдности и проверки.",
    "Бюджетные ограничения делают амбициозную программу маловероятной.",
    "Рынки отреагировали спокойно: инвесторы заранее учли этот риск.",
    "Региональные правительства предпочитают не выбирать сторону.",
    "Инфраструктурные проекты, обещанные на саммите, пока существуют в основном на бумаге.",
    "Западные дипломаты в частных беседах признают, что их возможности ограничены.",
    "Тем временем стороны продолжают проверять решимость друг друга.",
    "Независимые наблюдатели фиксируют многочисленные нарушения перемирия.",
]

EN_AUTHORS = [
    "Richard Weitz", "Anne Whitfield", "Daniel Okafor", "Mei Lin Chen", "Tomasz Nowak",
    "Priya Raman", "Samuel Adeyemi", "Helen Marsh", "Jonas Lindqvist", "Farah Haddad",
    "Carlos Mendes", "Yuki Tanaka", "Elena Petrova", "Michael Brennan", "Sofia Rossi",
]
RU_AUTHORS = [
    "Ирина Соколова", "Алексей Смирнов", "Мария Кузнецова", "Дмитрий Волков",
    "Ольга Морозова", "Сергей Лебедев", "Наталья Павлова", "Андрей Козлов",
]
COLUMNS = [
    "Global Insights", "Eurasia Watch", "The Long View", "Security Brief", "Energy Matters",
    "Asia Pacific Notes", "Глобальный взгляд", "Евразийский дневник",
]
# fmt: on


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to have")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query")
    return parser.parse_args(argv)


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/search.py needs PostgreSQL: set DATABASE_URL=postgres://… (not SQLite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log


class Writer:
    """Synthetic articles in one language: a theme per article, sentences mostly about it."""

    # Off-theme words are rare: an article about sanctions on Iran seldom names Mongolia.
    OFF_THEME = 0.02
    GENERIC = 0.3
    # Zipf exponents: topics have a long tail, a few countries dominate the news.
    EXPONENTS = {"topic": 0.5}
    EXPONENT = 0.9

    def __init__(self, rng, bank, titles, sentences, generic):
        self.rng, self.bank = rng, bank
        self.titles, self.sentences, self.generic = titles, sentences, generic
        self.weights = {
            slot: [
                1 / (rank + 1) ** self.EXPONENTS.get(slot, self.EXPONENT)
                for rank in range(len(values))
            ]
            for slot, values in bank.items()
        }

    def pick(self, slot, count):
        values = self.rng.choices(range(len(self.bank[slot])), self.weights[slot], k=count * 3)
        picked = list(dict.fromkeys(values))[:count]
        while len(picked) < count:  # a bank of one
            picked.append(picked[0])
        return picked

    def slots(self, theme):
        values = {}
        for slot, (first, second) in theme.items():
            if self.rng.random() < self.OFF_THEME:
                first, second = self.pick(slot, 2)
            for name, index in ((slot, first), (f"{slot}2", second)):
                value = self.bank[slot][index]
                if isinstance(value, tuple):  # Russian: nominative and genitive
                    values[name], values[f"{name}_gen"] = value
                else:
                    values[name] = value
        values["year"] = self.rng.randint(1997, 2024)
        values["percent"] = self.rng.randint(3, 60)
        return values

    def sentence(self, templates, theme):
        text = self.rng.choice(templates).format(**self.slots(theme))
        return text[0].upper() + text[1:]

    def body_sentence(self, theme):
        if self.rng.random() < self.GENERIC:
            return self.rng.choice(self.generic)
        return self.sentence(self.sentences, theme)

    def article(self):
        theme = {slot: self.pick(slot, 2) for slot in self.bank}
        paragraphs = [
            " ".join(self.body_sentence(theme) for _ in range(self.rng.randint(4, 6)))
            for _ in range(self.rng.randint(9, 14))
        ]
        return {
            "title": self.sentence(self.titles, theme),
            "summary": self.sentence(self.sentences, theme),
            "body": "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
        }


def ensure_articles(target):
    """Top the database up to ``target`` bench articles; return how many were created."""
    from django.db import transaction
    from django.utils.text import slugify

    from commentary import search
    from commentary.models import Article, ArticleAuthor, Author, Column, Tag, TaggedArticle

    existing = Article.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing >= target:
        return 0
    rng = random.Random(SEED + existing)
    writers = {
        "en": Writer(rng, EN, EN_TITLES, EN_SENTENCES, EN_GENERIC),
        "ru": Writer(rng, RU, RU_TITLES, RU_SENTENCES, RU_GENERIC),
    }
    authors = {
        language: [
            _get_or_create(Author, name, f"{language}-{number}")
            for number, name in enumerate(names)
        ]
        for language, names in (("en", EN_AUTHORS), ("ru", RU_AUTHORS))
    }
    columns = [_get_or_create(Column, name, number) for number, name in enumerate(COLUMNS)]
    russian = [nominative for nominative, _genitive in (*RU["topic"], *RU["country"])]
    tag_names = sorted({*EN["topic"], *EN["country"], *russian})
    tags = [
        Tag.objects.get_or_create(slug=slugify(name, allow_unicode=True), name=name)[0]
        for name in tag_names
    ]
    start = datetime.datetime(2005, 1, 1, tzinfo=datetime.UTC)
    span = (datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC) - start).total_seconds()
    started = time.perf_counter()
    for batch_start in range(existing, target, BATCH_SIZE):
        size = min(BATCH_SIZE, target - batch_start)
        with transaction.atomic():
            articles = []
            for index in range(batch_start, batch_start + size):
                language = "ru" if rng.random() < 0.3 else "en"
                articles.append(
                    Article(
                        slug=f"{SLUG_PREFIX}{index}",
                        status=Article.Status.PUBLISHED,
                        published_at=start + datetime.timedelta(seconds=rng.random() * span),
                        language=language,
                        column=rng.choice(columns) if rng.random() < 0.6 else None,
                        **writers[language].article(),
                    )
                )
            Article.objects.bulk_create(articles)
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=article, author=author, position=position)
                for article in articles
                for position, author in enumerate(
                    rng.sample(authors[article.language], rng.choice((1, 1, 1, 2)))
                )
            )
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=article, tag=tag)
                for article in articles
                for tag in rng.sample(tags, rng.randint(1, 4))
            )
            search.update_search_vectors(
                Article.objects.filter(pk__in=[article.pk for article in articles])
            )
        done = batch_start + size
        print(f"  {done} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    return target - existing


def _get_or_create(model, name, number):
    # ASCII slugs: column and author addresses take ASCII slugs only.
    slug = f"bench-{model._meta.model_name}-{number}"
    return model.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def run_search(query):
    """What the search page does for ``?q=query``, short of rendering: the filters' options,
    the count, the first page with bylines, tags and snippets."""
    from django.test import RequestFactory

    from commentary.search_views import SearchView

    view = SearchView()
    view.setup(RequestFactory().get("/search/", {"q": query}))
    view.object_list = view.get_queryset()
    context = view.get_context_data()
    page = context["results"]
    for article in page:
        str(article.snippet), article.ordered_authors, list(article.tags.all())
    return context["paginator"].count, context["fuzzy"]


def measure(runs):
    rows, timings = [], []
    for query in QUERIES:
        count, fuzzy = run_search(query)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run_search(query)
            times.append((time.perf_counter() - started) * 1000)
        rows.append((query, count, fuzzy, statistics.median(times), max(times)))
        timings.extend(times)
    return rows, timings


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None):
    args = parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from commentary.models import Article

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.settings_dict['NAME']}")
    created = ensure_articles(args.articles)
    with connection.cursor() as cursor:
        # After a bulk load: set hint bits and the visibility map, as autovacuum would, so
        # that the timed runs measure a settled table rather than the first reads' writes.
        cursor.execute("VACUUM (ANALYZE) commentary_article" if created else "ANALYZE")
    total = Article.objects.published().count()
    print(f"Published articles: {total}")
    print(f"{len(QUERIES)} queries, 1 warm-up + {args.runs} timed runs each\n")
    rows, timings = measure(args.runs)
    print(f"{'query':<28} {'found':>7} {'median ms':>10} {'max ms':>8}")
    for query, count, fuzzy, median, worst in rows:
        found = f"{count}{'~' if fuzzy else ''}"
        print(f"{query:<28} {found:>7} {median:>10.1f} {worst:>8.1f}")
    print("\n(~ = found by the trigram fallback)")
    print(
        f"All runs: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} runs on {total} articles"
    )


if __name__ == "__main__":
    main()
