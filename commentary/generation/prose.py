"""Plausible commentary prose in English and Russian, built from word banks and sentence
templates: titles, summaries, bodies, readers' comments, names and taglines.

Each article has a theme (two countries, two topics, a city, a leader, an institution) picked
with Zipf-like odds, so "Russia" and "sanctions" are common and "Mongolia" rare, and its
sentences mostly stay on it: full-text search then finds realistic numbers of matches. Nothing
produced here contains a link, an ampersand or markup other than the tags of article bodies.
"""

# fmt: off
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
        "export controls", "hydropower dams", "mercenary groups", "naval bases",
        "visa regimes", "remittances", "vaccine diplomacy", "troop deployments",
        "air defense systems", "critical minerals", "digital currencies", "prisoner exchanges",
        "ceasefire monitoring", "minority rights", "media freedom", "constitutional reform",
        "succession politics", "protest movements", "frozen conflicts", "gas storage",
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
    "How {topic} {verb} the rivalry between {country} and {country2}",
    "{country} learns the limits of {topic}",
    "The quiet return of {topic} in {city}",
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
    "Seen from {city}, the debate about {topic} looks very different.",
    "The real test for {leader} will come when {topic} collides with {topic2}.",
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
    "In the meantime, both sides continue to test each other's resolve.",
    "Independent monitors have documented repeated violations of the ceasefire.",
]

EN_HEADINGS = [
    "A {adjective} balance", "What comes next", "The view from {city}", "The limits of {topic}",
    "Why {country} hesitates", "Old habits, new rules",
]

# Russian words come with their genitive, which most templates need.
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
        ("гиперзвуковые ракеты", "гиперзвуковых ракет"),
        ("морские перевозки", "морских перевозок"), ("трудовая миграция", "трудовой миграции"),
        ("редкоземельные металлы", "редкоземельных металлов"),
        ("водные споры", "водных споров"),
        ("железнодорожные коридоры", "железнодорожных коридоров"),
        ("продовольственная безопасность", "продовольственной безопасности"),
        ("атомные электростанции", "атомных электростанций"),
        ("подводные кабели", "подводных кабелей"), ("экспортный контроль", "экспортного контроля"),
        ("военно-морские базы", "военно-морских баз"), ("визовый режим", "визового режима"),
        ("денежные переводы", "денежных переводов"), ("экспорт угля", "экспорта угля"),
        ("дефицит удобрений", "дефицита удобрений"), ("переброска войск", "переброски войск"),
        ("системы ПВО", "систем ПВО"),
        ("критически важные минералы", "критически важных минералов"),
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
    "Пределы влияния: {country} и вопрос {topic_gen}",
    "{adjective} курс {country_gen}",
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
    "Визит в {city_loc} завершился подписанием {percent} документов, в основном о "
    "{topic2_gen}.",
    "С {year} года {country} пытается снизить зависимость от {country2_gen} в сфере "
    "{topic_gen}.",
    "Из {city_loc} спор о {topic_gen} выглядит совсем иначе.",
    "Главное испытание начнётся, когда вопрос {topic_gen} столкнётся с проблемой "
    "{topic2_gen}.",
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

RU_HEADINGS = [
    "Что дальше", "Взгляд из {city_loc}", "Пределы {topic_gen}", "Старые привычки, новые правила",
]

# Readers' comments: whole sentences, some about the article's theme, none with a link.
EN_COMMENT_SENTENCES = [
    "Excellent analysis, as always.",
    "I think the author underestimates how much {topic} matters to ordinary people in "
    "{country}.",
    "This is the clearest explanation of {topic} I have read in months.",
    "I lived in {city} for several years and this matches what I saw.",
    "Respectfully, I disagree: {country} has no real interest in {topic}.",
    "What about {country2}? It is barely mentioned here.",
    "The piece ignores the role of {institution}.",
    "Good points, but the conclusion feels rushed.",
    "Nobody in {city} takes these promises seriously any more.",
    "The numbers on {topic} tell a different story.",
    "Thank you for writing about {topic2}; it gets far too little attention.",
    "I would love to see a follow-up on {topic2}.",
    "Same story every year, and nothing changes.",
    "This column is why I keep coming back to the site.",
    "A balanced view for once.",
    "The history here is more complicated than the article suggests.",
    "Sanctions never work the way their authors hope.",
    "Spot on about the domestic politics.",
    "I am not convinced that {leader} has a plan at all.",
    "Worth reading twice.",
    "The comparison with {year} is a stretch.",
    "Could someone explain why {country} keeps ignoring {country2} on this?",
    "Interesting, but where is the evidence for that claim about {topic}?",
    "My family in {city} would strongly disagree with this.",
    "Very well put.",
    "I remember when nobody talked about {topic}. Not any more.",
    "The author is right that the economic logic and the political logic diverge.",
    "Too optimistic by half.",
    "Finally someone says it plainly.",
    "We have heard all this before, in {year}.",
]

RU_COMMENT_SENTENCES = [
    "Отличный анализ, спасибо.",
    "Автор недооценивает, насколько вопрос {topic_gen} важен для людей.",
    "Самое ясное объяснение темы {topic_gen}, которое я читал за последнее время.",
    "Я несколько лет жил в {city_loc}, и всё описано очень точно.",
    "Не соглашусь: у {country_gen} нет реального интереса к теме {topic_gen}.",
    "А как же {country2}? Об этом здесь почти ничего.",
    "Хорошие аргументы, но вывод кажется поспешным.",
    "В {city_loc} этим обещаниям давно никто не верит.",
    "Цифры по {topic_gen} говорят о другом.",
    "Спасибо, что пишете о проблеме {topic2_gen}: о ней пишут слишком мало.",
    "Хотелось бы продолжения о проблеме {topic2_gen}.",
    "Каждый год одно и то же, и ничего не меняется.",
    "Ради таких колонок я и читаю этот сайт.",
    "Наконец-то взвешенный взгляд.",
    "История здесь сложнее, чем кажется из статьи.",
    "Санкции никогда не работают так, как рассчитывают их авторы.",
    "Точно подмечено про внутреннюю политику.",
    "Стоит перечитать.",
    "Сравнение с {year} годом кажется натяжкой.",
    "Интересно, но где доказательства?",
    "Очень точно сказано.",
    "Слишком оптимистично.",
    "Наконец-то кто-то говорит об этом прямо.",
    "Всё это мы уже слышали в {year} году.",
]

EN_SPAM = [
    "Earn money from home with no experience needed, message me today.",
    "Best prices on designer watches this week only, ask me how.",
    "Lose weight fast with this one simple trick doctors hate.",
    "Crypto signals with guaranteed profit, join our group now.",
    "Cheap followers and likes for your page, write to me.",
]
RU_SPAM = [
    "Заработок в интернете без вложений, пишите в личку.",
    "Лучшие цены на часы только на этой неделе, спросите меня как.",
    "Похудение без диет за две недели, напишите мне.",
    "Сигналы по криптовалюте с гарантированной прибылью.",
]

EN_FIRST_NAMES = {
    "he": [
        "James", "Daniel", "Michael", "Samuel", "Thomas", "Jonas", "Carlos", "Omar", "Peter",
        "David", "Andrew", "Lukas", "Marco", "Henry", "Arjun", "Kenji", "Ethan", "Hugo",
    ],
    "she": [
        "Anne", "Helen", "Priya", "Sofia", "Farah", "Yuki", "Claire", "Laura", "Emma",
        "Grace", "Nadia", "Ingrid", "Maria", "Julia", "Amara", "Chloe", "Hannah", "Lucia",
    ],
}
EN_LAST_NAMES = [
    "Whitfield", "Okafor", "Chen", "Nowak", "Raman", "Adeyemi", "Marsh", "Lindqvist",
    "Haddad", "Mendes", "Tanaka", "Brennan", "Rossi", "Kowalski", "Fischer", "Novak", "Price",
    "Bennett", "Hughes", "Carver", "Holloway", "Sato", "Varga", "Morales", "Keller", "Dubois",
    "Larsen", "Ahmadi", "Petrenko", "Quinn", "Reyes", "Sandoval", "Thornton", "Weber", "Young",
]
# (Cyrillic, Latin) so that e-mail addresses and slugs stay ASCII.
RU_FIRST_NAMES = {
    "he": [
        ("Алексей", "aleksei"), ("Дмитрий", "dmitry"), ("Сергей", "sergei"),
        ("Андрей", "andrei"), ("Иван", "ivan"), ("Михаил", "mikhail"), ("Павел", "pavel"),
        ("Николай", "nikolai"), ("Артём", "artyom"), ("Олег", "oleg"),
    ],
    "she": [
        ("Ирина", "irina"), ("Мария", "maria"), ("Ольга", "olga"), ("Наталья", "natalya"),
        ("Елена", "elena"), ("Анна", "anna"), ("Татьяна", "tatyana"), ("Юлия", "yulia"),
        ("Светлана", "svetlana"), ("Екатерина", "ekaterina"),
    ],
}
RU_LAST_NAMES = [
    # (masculine, feminine, Latin)
    ("Соколов", "Соколова", "sokolov"), ("Смирнов", "Смирнова", "smirnov"),
    ("Кузнецов", "Кузнецова", "kuznetsov"), ("Волков", "Волкова", "volkov"),
    ("Морозов", "Морозова", "morozov"), ("Лебедев", "Лебедева", "lebedev"),
    ("Павлов", "Павлова", "pavlov"), ("Козлов", "Козлова", "kozlov"),
    ("Новиков", "Новикова", "novikov"), ("Орлов", "Орлова", "orlov"),
    ("Белов", "Белова", "belov"), ("Зайцев", "Зайцева", "zaitsev"),
    ("Фёдоров", "Фёдорова", "fedorov"), ("Егоров", "Егорова", "egorov"),
]
HANDLES = [
    "policywonk", "steppe_watcher", "old_diplomat", "realist42", "eurasianist", "kremlinologist",
    "balticfan", "northern_light", "pacific_view", "skeptic", "history_buff", "grain_trader",
    "armchair_general", "danube_reader", "tundra", "caspian_blue",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "post.example"]

EN_TAGLINES = [
    "a senior fellow at the {institute}",
    "the director of the {institute}",
    "a professor of international relations at {university}",
    "a former diplomat and a visiting scholar at the {institute}",
    "a research associate at the {institute} who writes on {topic}",
    "a journalist who has covered {topic} for two decades",
    "an adjunct fellow at the {institute} and a contributing editor",
]
EN_INSTITUTES = [
    "Hudson Institute", "Center for Eurasian Studies", "Baltic Policy Forum",
    "Institute for Security Analysis", "Pacific Strategy Group", "Caspian Policy Institute",
    "Northern Research Centre", "Council on Regional Affairs",
]
EN_UNIVERSITIES = [
    "the University of Helsinki", "King's College London", "Georgetown University",
    "the University of Warsaw", "Nazarbayev University", "Sciences Po",
]
RU_TAGLINES = [
    "ведущий научный сотрудник Центра европейских исследований «Меридиан» в Москве",
    "доцент кафедры международных отношений",
    "бывший дипломат, эксперт по проблеме {topic_gen}",
    "журналист, много лет пишущий о проблеме {topic_gen}",
    "старший научный сотрудник Института мировой экономики",
]
# fmt: on


class Writer:
    """Sentences in one language about one theme at a time, from a seeded ``random.Random``."""

    OFF_THEME = 0.05
    GENERIC = 0.3
    # Zipf exponents: topics have a long tail, a few countries dominate the news.
    EXPONENTS = {"topic": 0.5}
    EXPONENT = 0.9

    def __init__(self, rng, language):
        self.rng = rng
        self.language = language
        english = language == "en"
        self.bank = EN if english else RU
        self.titles = EN_TITLES if english else RU_TITLES
        self.sentences = EN_SENTENCES if english else RU_SENTENCES
        self.generic = EN_GENERIC if english else RU_GENERIC
        self.headings = EN_HEADINGS if english else RU_HEADINGS
        self.comment_sentences = EN_COMMENT_SENTENCES if english else RU_COMMENT_SENTENCES
        self.spam = EN_SPAM if english else RU_SPAM
        self.cum_weights = {}
        for slot, values in self.bank.items():
            exponent = self.EXPONENTS.get(slot, self.EXPONENT)
            total, cumulative = 0.0, []
            for rank in range(len(values)):
                total += 1 / (rank + 1) ** exponent
                cumulative.append(total)
            self.cum_weights[slot] = cumulative

    def pick(self, slot, count):
        indices = self.rng.choices(
            range(len(self.bank[slot])), cum_weights=self.cum_weights[slot], k=count * 3
        )
        picked = list(dict.fromkeys(indices))[:count]
        while len(picked) < count:
            picked.append(picked[0])
        return picked

    def theme(self):
        """Two of each kind of word, as indices into the bank."""
        return {slot: self.pick(slot, 2) for slot in self.bank}

    def slots(self, theme):
        values = {"year": self.rng.randint(1997, 2024), "percent": self.rng.randint(3, 60)}
        for slot, (first, second) in theme.items():
            if self.rng.random() < self.OFF_THEME:
                first, second = self.pick(slot, 2)
            for name, index in ((slot, first), (f"{slot}2", second)):
                value = self.bank[slot][index]
                if isinstance(value, tuple):  # Russian: nominative and genitive
                    values[name], values[f"{name}_gen"] = value
                else:
                    values[name] = value
        return values

    def fill(self, template, theme):
        text = template.format(**self.slots(theme))
        return text[0].upper() + text[1:]

    def topic_names(self, theme):
        """The tag names an article on ``theme`` is filed under: its topics and countries."""
        names = []
        for slot in ("topic", "country"):
            for index in theme[slot]:
                value = self.bank[slot][index]
                names.append(value[0] if isinstance(value, tuple) else value)
        return names

    def title(self, theme):
        return self.fill(self.rng.choice(self.titles), theme)

    def summary(self, theme):
        return self.fill(self.rng.choice(self.sentences), theme)

    def body(self, theme):
        """Five to nine paragraphs of three to five sentences, sometimes with a subheading or
        a quotation, as sanitised article HTML."""
        rng, parts = self.rng, []
        paragraphs = rng.randint(5, 9)
        heading_at = rng.randint(2, paragraphs - 1) if rng.random() < 0.4 else -1
        quote_at = rng.randint(1, paragraphs - 1) if rng.random() < 0.2 else -1
        for number in range(paragraphs):
            if number == heading_at:
                parts.append(f"<h2>{self.fill(rng.choice(self.headings), theme)}</h2>")
            sentences = []
            for _ in range(rng.randint(3, 5)):
                if rng.random() < self.GENERIC:
                    sentences.append(rng.choice(self.generic))
                else:
                    sentences.append(self.fill(rng.choice(self.sentences), theme))
            paragraph = " ".join(sentences)
            if number == quote_at:
                parts.append(f"<blockquote><p>{paragraph}</p></blockquote>")
            else:
                parts.append(f"<p>{paragraph}</p>")
        return "".join(parts)

    def comment_sentence_pool(self, size):
        """``size`` comment sentences on random themes, to be combined into comments."""
        pool = []
        for _ in range(size):
            pool.append(self.fill(self.rng.choice(self.comment_sentences), self.theme()))
        return pool


def comment_text(rng, pool, *, long_share=0.1):
    """A reader's comment: one to four sentences, sometimes two short paragraphs."""
    if rng.random() < long_share:
        sentences = rng.sample(pool, rng.randint(3, 6))
        split = rng.randint(1, len(sentences) - 1)
        return f"{' '.join(sentences[:split])}\n\n{' '.join(sentences[split:])}"
    return " ".join(rng.sample(pool, rng.randint(1, 3)))


def person(rng, language, pronoun=None):
    """``(display name, ascii slug, pronoun)`` of a plausible person in ``language``."""
    pronoun = pronoun or rng.choice(("he", "she"))
    gender = "she" if pronoun == "she" else rng.choice(("he", "she")) if pronoun == "they" else "he"
    if language == "ru":
        first, first_latin = rng.choice(RU_FIRST_NAMES[gender])
        masculine, feminine, last_latin = rng.choice(RU_LAST_NAMES)
        last = feminine if gender == "she" else masculine
        if gender == "she":
            last_latin += "a"
        return f"{first} {last}", f"{first_latin}-{last_latin}", pronoun
    first = rng.choice(EN_FIRST_NAMES[gender])
    last = rng.choice(EN_LAST_NAMES)
    return f"{first} {last}", f"{first}-{last}".lower(), pronoun


def tagline(rng, language, writer):
    """Completes "NAME is …" (no final full stop)."""
    theme = writer.theme()
    if language == "ru":
        return rng.choice(RU_TAGLINES).format(**writer.slots(theme))
    text = rng.choice(EN_TAGLINES).format(
        institute=rng.choice(EN_INSTITUTES),
        university=rng.choice(EN_UNIVERSITIES),
        topic=EN["topic"][theme["topic"][0]],
    )
    return text
