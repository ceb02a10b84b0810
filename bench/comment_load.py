"""Comment load and fault test: many readers post at once; nothing may be lost or stored twice.

Run from the repository root (as root, or as a user who may run PostgreSQL's ``initdb``)::

    bench/comment_load                              # 1,000 comments from 50 clients
    bench/comment_load --fault postgres-restart     # PostgreSQL stops for 3 s mid-load
    bench/comment_load --fault redis-stop           # Redis stops mid-load and stays down
    bench/comment_load --comments 100 --clients 10 --moderate 50   # a quick run

It never touches the machine's own PostgreSQL or Redis. It starts private servers in a
throw-away directory under /tmp: a PostgreSQL cluster (``initdb``, trust authentication,
port 5499), a Redis server (port 6399, nothing saved to disk) and gunicorn (port 8200) as the
Docker image runs it, with ``DEBUG=0``, a random ``SECRET_KEY`` and ``BEHIND_HTTPS_PROXY=1``:
the clients send ``X-Forwarded-Proto: https`` as the TLS proxy in front of the site would.
It migrates, collects the static files, creates one article, then:

1. **Load.** ``--clients`` threads, each one reader with its own cookies, post
   ``--comments`` distinct comments in English and Russian between them: GET the article
   page, take the CSRF token and the form's signed token from it, POST the form. A 302 to
   ``#comment-<id>`` is the acknowledgement. A 503 or a refused connection is answered as a
   person would answer it: wait a moment and send the same form again (the same submission
   key, so it must not store a second copy). Every 503 body must be the friendly page.
2. **Checks in the database.** Exactly ``--comments`` comments stored, no body twice, every
   acknowledged id present with the text that was sent.
3. **Moderator race.** Two moderators decide the same ``--moderate`` pending comments through
   the moderation queue at the same time, in different orders: one approves one comment at a
   time (``DecideView``), the other rejects them ten at a time (``BulkView``). Every comment
   must end decided once, with exactly one moderation log entry, by the moderator the log
   names, and each request's message must say "done" or "someone else decided it".

With ``--fault postgres-restart`` PostgreSQL is stopped (``pg_ctl stop -m fast``) once 30 %
of the comments are acknowledged and started again ``--outage`` seconds later; gunicorn is not
touched and must recover by itself (its workers keep their process ids). With ``--fault
redis-stop`` Redis is stopped at 30 % and stays down: pages and comments must still be served,
and one comment more than the rate limit (set to ``--comments`` in that mode) must be refused,
counted in the database. Redis is then started again and ``/healthz`` must turn healthy.

The rate limit is otherwise raised far above the load: every client posts from 127.0.0.1,
and five comments per address in ten minutes (the default) would stop the run at the sixth.
``COMMENTS_MIN_FILL_SECONDS`` is 0 because the clients fill the form in no time.

It prints a summary and exits 0 when every check passed, 1 otherwise (the run directory, with
the servers' logs, is then kept). ``--json`` prints the figures as one JSON line as well.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE_NAME = "commentary_load"
FAULTS = ("none", "postgres-restart", "redis-stop")
# What only the friendly 503 page (templates/503.html) contains, and what must never show.
FRIENDLY_MARKER = '<main id="main" class="wrap error-page">'
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", 'File "')
RATE_LIMITED_TEXT = "You have posted several comments in a short time"
REQUEST_TIMEOUT = 30
# A reader gives up on one comment after this long of errors; the run then fails.
GIVE_UP_AFTER = 90
# After this many error answers that are not the 503 page the site is broken, not down for a
# moment: the run stops instead of retrying for many minutes.
ABORT_AFTER_ERRORS = 20

# --- what the readers write ----------------------------------------------------------------

EN_OPENINGS = [
    "I read this twice and I still disagree with the main point.",
    "A fair summary, though it leaves out the economic side.",
    "This matches what I saw when I worked in the region.",
    "The author is right about the timeline but not about the motives.",
    "Good piece, and a sobering one.",
    "I am not convinced by the comparison with the Cold War.",
    "Thank you for a calm analysis of a heated subject.",
    "The argument would be stronger with more numbers.",
    "My family lives close to the border, so this is not abstract for us.",
    "Interesting, but the conclusion arrives too quickly.",
    "I agree with almost everything except the last paragraph.",
    "I have been waiting for someone to write this.",
    "Strange that so few people are talking about this.",
    "As a teacher I see the effects of this in my classroom every week.",
    "The piece is careful, which is rare on this subject.",
    "I would push back on the idea that nothing has changed.",
    "Having covered three elections there, I find this convincing.",
    "This deserves a wider audience than it will get.",
    "Reading this from abroad, it feels even more worrying.",
    "The historical background here is the best part.",
]
EN_MIDDLES = [
    "Sanctions rarely change a government's course on their own.",
    "The energy question decides more than the speeches do.",
    "Local elections will tell us more than any summit.",
    "Nobody in the article asks what ordinary farmers think.",
    "Shipping through the Black Sea matters more than the author admits.",
    "Young people keep leaving, and that is the real story for the region.",
    "Grain prices have already gone up and everyone will feel it.",
    "The talks are slow, but at least they are happening.",
    "The neighbouring countries are watching every step closely.",
    "Without trust between the sides any treaty stays on paper.",
    "The army and the economy pull the budget in opposite directions.",
    "Reporters on the ground have a very hard time right now.",
    "Decisions are made by a very small circle, which worries me.",
    "The refugees are still waiting for a clear answer.",
    "Old alliances are cracking and new ones have not formed yet.",
    "The central bank has fewer tools than people assume.",
    "Migration will shape this debate for the next decade.",
    "The courts have been surprisingly independent so far.",
    "Public opinion moves faster than the diplomats do.",
    "The opposition has no common programme, only a common enemy.",
    "Water, not oil, may become the real source of conflict there.",
    "The regional press tells a very different story.",
    "Corruption explains more of this than ideology does.",
    "The next winter will be the real test of these plans.",
    "Trade figures from last year already showed this shift.",
]
EN_CLOSINGS = [
    "Looking forward to the next column.",
    "I would like to read a reply from the other side.",
    "Time will tell.",
    "Let us see what happens after the winter.",
    "Still, worth reading.",
    "Thanks to the author for the work.",
    "I will share this with friends.",
    "I hope the editors come back to this subject.",
    "Please keep covering this.",
    "We will know more by the spring.",
]
RU_OPENINGS = [
    "Прочитал дважды и всё равно не согласен с главным выводом.",
    "Хороший обзор, но экономическая сторона осталась в тени.",
    "Это совпадает с тем, что я видела, когда работала в регионе.",
    "Автор прав насчёт сроков, но не насчёт мотивов.",
    "Спокойный и трезвый текст на горячую тему, спасибо.",
    "Сравнение с холодной войной кажется мне натянутым.",
    "Не хватает цифр, без них аргумент слабее.",
    "Моя семья живёт недалеко от границы, для нас это не абстракция.",
    "Интересно, но вывод сделан слишком быстро.",
    "Согласен почти со всем, кроме последнего абзаца.",
    "Давно ждал такого разбора.",
    "Странно, что об этом почти не пишут.",
]
RU_MIDDLES = [
    "Санкции редко меняют курс правительства сами по себе.",
    "Энергетика решает больше, чем любые речи.",
    "Местные выборы скажут нам больше, чем любой саммит.",
    "Никто не спрашивает, что думают простые фермеры.",
    "Судоходство в Чёрном море важнее, чем признаёт автор.",
    "Молодёжь уезжает, и это главный вопрос для региона.",
    "Цены на зерно уже выросли, и это почувствуют все.",
    "Переговоры идут медленно, но они всё-таки идут.",
    "Соседние страны внимательно следят за каждым шагом.",
    "Без доверия между сторонами любой договор останется на бумаге.",
    "Армия и экономика тянут бюджет в разные стороны.",
    "Журналистам на месте сейчас очень трудно работать.",
    "Решения принимаются в узком кругу, и это тревожит.",
    "Беженцы всё ещё ждут ясного ответа.",
    "Старые союзы трещат, а новые пока не сложились.",
]
RU_CLOSINGS = [
    "Жду следующей колонки.",
    "Хотелось бы услышать и другую сторону.",
    "Время покажет.",
    "Посмотрим, что будет после зимы.",
    "Всё равно стоило прочитать.",
    "Спасибо автору за работу.",
    "Поделюсь с друзьями.",
    "Надеюсь, редакция вернётся к этой теме.",
]
EN_NAMES = [
    "Anna Keller", "James Whitfield", "Priya Raman", "Tom Becker", "Sarah O'Connell",
    "David Mensah", "Laura Fischer", "Michael Novak", "Emma Lindqvist", "Daniel Ortega",
    "Claire Dubois", "Peter Hall", "Hannah Weiss", "Lucas Moreau", "Grace Kim",
    "Oliver Grant", "Sofia Rossi", "Ben Carter", "Nora Jensen", "Marcus Bell",
    "Ruth Adler", "Samuel Price", "Julia Novak", "Ethan Ward", "Irene Costa",
    "Victor Lang", "Alice Brennan", "George Tan", "Maya Cohen", "Felix Wagner",
    "Lena Horvath", "Adam Reid", "Chloe Martin", "Ivan Petrov", "Zoe Clarke",
]  # fmt: skip
RU_NAMES = [
    "Ольга Смирнова", "Дмитрий Иванов", "Анна Кузнецова", "Сергей Попов", "Мария Соколова",
    "Алексей Лебедев", "Елена Козлова", "Николай Новиков", "Татьяна Морозова", "Павел Волков",
    "Ирина Фёдорова", "Андрей Михайлов", "Наталья Белова", "Игорь Тарасов", "Юлия Орлова",
]  # fmt: skip


def comment_text(language, number):
    """The ``number``-th distinct comment in ``language``: an opening, a point, a closing."""
    openings, middles, closings = {
        "en": (EN_OPENINGS, EN_MIDDLES, EN_CLOSINGS),
        "ru": (RU_OPENINGS, RU_MIDDLES, RU_CLOSINGS),
    }[language]
    first, rest = number % len(openings), number // len(openings)
    second, third = rest % len(middles), rest // len(middles)
    if third >= len(closings):
        raise ValueError(f"only {len(openings) * len(middles) * len(closings)} {language} texts")
    return f"{openings[first]} {middles[second]} {closings[third]}"


@dataclass
class Job:
    number: int
    client: int
    language: str
    body: str


def plan_jobs(comments, clients):
    """Who posts what: comment ``n`` goes to client ``n % clients``; three clients in ten
    write in Russian (on the /ru/ page), the others in English."""
    counters = {"en": 0, "ru": 0}
    jobs = []
    for number in range(comments):
        client = number % clients
        language = "ru" if client % 10 < 3 else "en"
        jobs.append(Job(number, client, language, comment_text(language, counters[language])))
        counters[language] += 1
    return jobs


# --- the private servers -------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_taken(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Servers:
    """A throw-away PostgreSQL cluster, Redis server and gunicorn, all under one directory."""

    def __init__(self, args):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="comment-load-", dir="/tmp"))
        self.dir.chmod(0o755)  # the postgres user must reach its data directory inside
        self.pgdata = self.dir / "pgdata"
        self.pg_run = self.dir / "pg-run"
        self.redis_process = None
        self.gunicorn = None
        self.gunicorn_log = self.dir / "gunicorn.log"
        self.env = None

    # PostgreSQL

    def _as_postgres(self, command):
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _pg(self, *arguments, check=True):
        return subprocess.run(  # noqa: S603 - fixed binaries, arguments built here
            self._as_postgres([str(PG_BIN / arguments[0]), *arguments[1:]]),
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.dir,  # one the postgres user may enter
        )

    def start_postgres(self):
        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL server binaries not found in {PG_BIN} (set PG_BIN).")
        for folder in (self.pgdata, self.pg_run):
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        self._pg(
            "initdb", "-N", "-D", str(self.pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8"
        )
        self.pg_ctl_start()
        self._pg(
            "createdb", "-h", "127.0.0.1", "-p", str(self.args.pg_port), "-U", "postgres",
            DATABASE_NAME,
        )  # fmt: skip

    def pg_ctl_start(self):
        options = (
            f"-p {self.args.pg_port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.pg_run}"
        )
        self._pg(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.pgdata),
            "-l", str(self.pg_run / "postgres.log"), "-o", options,
        )  # fmt: skip

    def pg_ctl_stop(self, mode="fast"):
        return self._pg("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.pgdata), check=False)

    # Redis

    def start_redis(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not found.")
        self.redis_process = subprocess.Popen(  # noqa: S603 - a fixed binary
            [
                binary,
                "--port",
                str(self.args.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=(self.dir / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while not port_taken(self.args.redis_port):
            if time.monotonic() > deadline or self.redis_process.poll() is not None:
                raise SystemExit("Redis did not start; see redis.log in " + str(self.dir))
            time.sleep(0.05)

    def stop_redis(self):
        if self.redis_process is not None and self.redis_process.poll() is None:
            self.redis_process.terminate()
            self.redis_process.wait(timeout=20)

    # Django and gunicorn

    def django_environment(self, rate_limit):
        env = {
            name: value
            for name, value in os.environ.items()
            # Nothing from the caller's own configuration leaks into the run.
            if not name.startswith(("DATABASE_", "REDIS_", "COMMENTS_", "SECURE_", "DJANGO_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{self.args.pg_port}/{DATABASE_NAME}",
            REDIS_URL=f"redis://127.0.0.1:{self.args.redis_port}/0",
            BEHIND_HTTPS_PROXY="1",
            COMMENTS_MIN_FILL_SECONDS="0",
            COMMENTS_RATE_LIMIT_COUNT=str(rate_limit),
            COMMENTS_RATE_LIMIT_WINDOW="3600",
            LOG_FORMAT="json",
            SITE_URL=f"http://127.0.0.1:{self.args.http_port}",
        )
        env.pop("EMAIL_HOST", None)  # e-mails (the queue alert) go to gunicorn's log
        self.env = env
        return env

    def manage(self, *arguments):
        subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def start_gunicorn(self):
        # The Docker image's command (docker/entrypoint.sh), on a private port.
        self.gunicorn = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.args.http_port}",
                "--workers",
                str(self.args.workers),
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.gunicorn_log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                status, _, _ = http_request(self.args.http_port, "GET", "/healthz", {}, timeout=5)
                if status == 200:
                    return
            if time.monotonic() > deadline or self.gunicorn.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {self.gunicorn_log}")
            time.sleep(0.2)

    def gunicorn_workers(self):
        """The process ids of gunicorn's workers (children of its master)."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.gunicorn.pid:
                    children.add(int(stat.parent.name))
        return children

    def stop_all(self):
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
        self.stop_redis()
        if (self.pgdata / "postmaster.pid").exists():
            self.pg_ctl_stop("immediate")


# --- HTTP ----------------------------------------------------------------------------------


def http_request(port, method, path, headers, body=None, timeout=REQUEST_TIMEOUT):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


CONNECTION_ERRORS = (ConnectionError, http.client.HTTPException, TimeoutError, OSError)


class Browser:
    """One reader's browser: its cookies, and the headers the TLS proxy adds."""

    def __init__(self, port, language="en"):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.language = language
        self.cookies = {}
        self.attempts, self.last_sent_at = 0, 0.0  # of the latest request, by patiently()

    def request(self, method, path, form=None, referer=None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "comment-load/1.0",
            "Accept-Language": self.language,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + (referer or path)
        status, response_headers, content = http_request(self.port, method, path, headers, body)
        self.remember_cookies(response_headers)
        return status, response_headers, content

    def remember_cookies(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def hidden_value(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    if match is None:
        raise ValueError(f"no {name} in the page")
    return match.group(1)


def error_texts(html):
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", html)]


# --- the load ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Everything the clients saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    responses: dict = field(default_factory=dict)  # "GET 200" -> count
    acknowledged: dict = field(default_factory=dict)  # comment id -> job number
    ack_times: list = field(default_factory=list)
    post_latencies: list = field(default_factory=list)
    friendly_503: int = 0
    unfriendly: list = field(default_factory=list)
    connection_errors: int = 0
    resubmissions: int = 0
    resent: dict = field(default_factory=dict)  # comment id -> when its last POST was sent
    refused: list = field(default_factory=list)
    misrouted: list = field(default_factory=list)
    gave_up: list = field(default_factory=list)
    abort: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def count(self, method, status):
        with self.lock:
            key = f"{method} {status}"
            self.responses[key] = self.responses.get(key, 0) + 1


class GiveUp(Exception):
    pass


def patiently(tally, browser, method, path, form=None, referer=None):
    """Send a request until it gets an answer other than 503, a 5xx or a broken connection,
    waiting a little longer each time, as a reader pressing reload would."""
    deadline = time.monotonic() + GIVE_UP_AFTER
    pause = 0.25
    attempt = 0
    while True:
        attempt += 1
        browser.attempts, browser.last_sent_at = attempt, time.time()
        if attempt > 1 and method == "POST":
            with tally.lock:
                tally.resubmissions += 1
        try:
            status, headers, content = browser.request(method, path, form, referer)
        except CONNECTION_ERRORS:
            with tally.lock:
                tally.connection_errors += 1
        else:
            tally.count(method, status)
            if status < 500:
                return status, headers, content
            text = content.decode("utf-8", "replace")
            friendly = (
                status == 503
                and FRIENDLY_MARKER in text
                and headers.get("Retry-After")
                and not any(leak in text for leak in LEAKS)
            )
            with tally.lock:
                if friendly:
                    tally.friendly_503 += 1
                else:
                    tally.unfriendly.append((method, path, status, text[:300]))
                    if len(tally.unfriendly) >= ABORT_AFTER_ERRORS:
                        tally.abort.set()
        if time.monotonic() > deadline or tally.abort.is_set():
            raise GiveUp(f"{method} {path}")
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def run_client(tally, port, article_paths, jobs, started):
    language = jobs[0].language if jobs else "en"
    browser = Browser(port, language)
    page = article_paths[language]
    name_list = RU_NAMES if language == "ru" else EN_NAMES
    name = name_list[jobs[0].client % len(name_list)] if jobs else ""
    email = f"reader{jobs[0].client:03d}@example.org" if jobs else ""
    started.wait()
    for job in jobs:
        if tally.abort.is_set():
            with tally.lock:
                tally.gave_up.append((job.number, "the run was stopped"))
            continue
        try:
            status, _, content = patiently(tally, browser, "GET", page)
            html = content.decode()
            form = {
                "csrfmiddlewaretoken": hidden_value(html, "csrfmiddlewaretoken"),
                "form_token": hidden_value(html, "form_token"),
                "parent": "",
                "author_name": name,
                "author_email": email,
                "website": "",
                "body": job.body,
            }
            began = time.monotonic()
            status, headers, content = patiently(tally, browser, "POST", page, form, page)
        except GiveUp as error:
            with tally.lock:
                tally.gave_up.append((job.number, str(error)))
            continue
        except ValueError as error:
            with tally.lock:
                tally.misrouted.append((job.number, str(error)))
            continue
        location = headers.get("Location", "")
        match = re.search(r"#comment-(\d+)$", location)
        with tally.lock:
            if status == 302 and match and location.startswith(page):
                comment_id = int(match.group(1))
                if tally.acknowledged.get(comment_id, job.number) != job.number:
                    tally.misrouted.append((job.number, f"id {comment_id} acknowledged twice"))
                tally.acknowledged[comment_id] = job.number
                if browser.attempts > 1:
                    tally.resent[comment_id] = browser.last_sent_at
                tally.ack_times.append(time.monotonic())
                tally.post_latencies.append(time.monotonic() - began)
            elif status == 400:
                tally.refused.append((job.number, error_texts(content.decode())))
            else:
                tally.misrouted.append((job.number, f"{status} {location}"))


class Probe(threading.Thread):
    """Polls /healthz and the article page while the load runs, for the fault's timeline."""

    def __init__(self, port, page):
        super().__init__(daemon=True)
        self.port = port
        self.page = page
        self.samples = []  # (time, healthz status, healthz json, page status)
        self.stopping = threading.Event()

    def run(self):
        browser = Browser(self.port)
        while not self.stopping.is_set():
            now = time.monotonic()
            try:
                status, _, content = browser.request("GET", "/healthz")
                health = json.loads(content or b"{}")
            except (*CONNECTION_ERRORS, ValueError):
                status, health = None, {}
            try:
                page_status = browser.request("GET", self.page)[0]
            except CONNECTION_ERRORS:
                page_status = None
            self.samples.append((now, status, health, page_status))
            self.stopping.wait(0.2)


# --- the run -------------------------------------------------------------------------------


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_article():
    import datetime

    from django.utils import timezone, translation

    from commentary.models import Article, ArticleAuthor, Author

    author = Author.objects.create(name="Load Test Author", slug="load-test-author")
    article = Article.objects.create(
        title="What the summit changed",
        slug="what-the-summit-changed",
        summary="A short analysis for the comment load test.",
        body="<p>The summit ended with a statement and no agreement.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    ArticleAuthor.objects.create(article=article, author=author, position=0)
    paths = {}
    for language in ("en", "ru"):
        with translation.override(language):
            paths[language] = article.get_absolute_url()
    return article, paths


def check_texts(jobs):
    """Every planned text passes the comment rules (no links, a sane length) before posting."""
    from django.core.exceptions import ValidationError

    from commentary.validators import validate_no_links

    bad = []
    for job in jobs:
        try:
            validate_no_links(job.body)
        except ValidationError as error:
            bad.append((job.body, error.messages))
    if bad:
        raise SystemExit(f"texts the site would refuse: {bad[:3]}")


def verify_comments(article, jobs, tally):
    """The database holds exactly the comments sent, once each, as acknowledged."""
    from django.db import connection
    from django.db.models import Count

    from commentary.models import Comment

    connection.close()  # the script's own connection may predate a restart
    stored = Comment.objects.filter(article=article)
    texts = dict(stored.values_list("pk", "body"))
    by_body = stored.values("body").annotate(n=Count("pk")).filter(n__gt=1)
    acknowledged = tally.acknowledged
    wrong_text = [pk for pk, number in acknowledged.items() if texts.get(pk) != jobs[number].body]
    sent = {job.body for job in jobs}
    created = dict(stored.filter(pk__in=list(tally.resent)).values_list("pk", "created_at"))
    return {
        "stored": len(texts),
        "stored_twice": sum(row["n"] - 1 for row in by_body),
        "acknowledged": len(acknowledged),
        "acknowledged_missing": sum(1 for pk in acknowledged if pk not in texts),
        "acknowledged_wrong_text": len(wrong_text),
        "stored_not_sent": sum(1 for body in texts.values() if body not in sent),
        "sent_not_stored": len(sent - set(texts.values())),
        "without_submission_key": stored.filter(submission_key__isnull=True).count(),
        # Comments sent again after a 503 page: how many the earlier, unanswered attempt had
        # already stored (the submission key then returned that comment, not a second one).
        "resent_after_503": len(tally.resent),
        "resent_found_already_stored": sum(
            1 for pk, at in tally.resent.items() if pk in created and created[pk].timestamp() < at
        ),
    }


def over_the_limit_refused(port, page):
    """Whether one comment more than the rate limit is refused (sent while Redis is down, so
    the limit must be counted in the database)."""
    browser = Browser(port)
    try:
        html = browser.request("GET", page)[2].decode()
        form = {
            "csrfmiddlewaretoken": hidden_value(html, "csrfmiddlewaretoken"),
            "form_token": hidden_value(html, "form_token"),
            "author_name": "One Too Many",
            "author_email": "one.too.many@example.org",
            "body": "One comment more than the limit allows, sent while Redis is down.",
        }
        status, _, content = browser.request("POST", page, form, page)
    except (*CONNECTION_ERRORS, ValueError):
        return False
    return status == 400 and RATE_LIMITED_TEXT in content.decode()


def static_files_stale():
    """Whether ``collectstatic`` must run: its manifest is missing or older than a file under
    static/ or the locked dependencies (whose packages bring the admin's files). Collecting
    and compressing everything takes a minute on a busy machine, for nothing if unchanged."""
    manifest = ROOT / "var" / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [ROOT / "requirements.lock", *(ROOT / "static").rglob("*")]
    newest = max(path.stat().st_mtime for path in sources if path.is_file())
    return newest > manifest.stat().st_mtime


class Stopwatch:
    def __init__(self):
        self.laps = {}
        self.last = time.monotonic()

    def lap(self, name):
        now = time.monotonic()
        self.laps[name] = round(now - self.last, 1)
        self.last = now


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_load(servers, args, jobs, article_paths, fault_hook):
    tally = Tally()
    by_client = {}
    for job in jobs:
        by_client.setdefault(job.client, []).append(job)
    started = threading.Event()
    threads = [
        threading.Thread(
            target=run_client,
            args=(tally, args.http_port, article_paths, client_jobs, started),
            daemon=True,
        )
        for client_jobs in by_client.values()
    ]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    started.set()
    fault_thread = threading.Thread(target=fault_hook, args=(tally,), daemon=True)
    fault_thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    tally.finished.set()
    fault_thread.join()
    return tally, elapsed


def wait_for_acknowledgements(tally, count):
    """Wait until ``count`` comments are acknowledged; False if the load ended first."""
    while len(tally.acknowledged) < count:
        if tally.finished.is_set():
            return False
        time.sleep(0.02)
    return True


def postgres_restart(servers, args, trigger, events):
    def hook(tally):
        if not wait_for_acknowledgements(tally, trigger):
            return
        events["acknowledged_before_fault"] = len(tally.acknowledged)
        events["workers_before"] = sorted(servers.gunicorn_workers())
        events["stop_at"] = time.monotonic()
        result = servers.pg_ctl_stop("fast")
        events["stopped_at"] = time.monotonic()
        events["stop_ok"] = result.returncode == 0
        time.sleep(args.outage)
        events["start_at"] = time.monotonic()
        try:
            servers.pg_ctl_start()
        finally:
            events["started_at"] = time.monotonic()

    return hook


def redis_stop(servers, trigger, events):
    def hook(tally):
        if not wait_for_acknowledgements(tally, trigger):
            return
        events["acknowledged_before_fault"] = len(tally.acknowledged)
        events["stop_at"] = time.monotonic()
        servers.stop_redis()
        events["stopped_at"] = time.monotonic()

    return hook


def moderator_race(port, comment_ids, seed=7):
    """Two moderators decide the same pending comments at once, in different orders, over
    HTTP: one approves one at a time, the other rejects ten at a time."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.auth.models import Group
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest

    from accounts.models import User
    from accounts.roles import MODERATORS

    def signed_in_browser(username):
        user = User.objects.create_user(username=username, email=f"{username}@example.org")
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=MODERATORS))
        # A session as a log-in would leave it (what the test client's force_login does),
        # past the second factor where staff need one.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = next(
            path
            for path in settings.AUTHENTICATION_BACKENDS
            if hasattr(load_backend(path), "get_user")
        )
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if apps.is_installed("django_otp.plugins.otp_totp"):
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        browser = Browser(port)
        browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        status, _, content = browser.request("GET", "/moderation/")
        if status != 200:
            raise SystemExit(f"the moderation queue answered {status} to {username}")
        return user, browser, hidden_value(content.decode(), "csrfmiddlewaretoken")

    def messages_of(browser):
        value = browser.cookies.pop("messages", None)
        if value is None:
            return []
        return CookieStorage(HttpRequest())._decode(value) or []

    approver, approver_browser, approver_token = signed_in_browser("approver")
    rejecter, rejecter_browser, rejecter_token = signed_in_browser("rejecter")
    outcome = {
        "approver": {"decided": 0, "already_decided": 0, "other": [], "statuses": {}},
        "rejecter": {"decided": 0, "already_decided": 0, "other": [], "statuses": {}},
    }
    barrier = threading.Barrier(2)

    def note_status(who, status):
        statuses = outcome[who]["statuses"]
        statuses[status] = statuses.get(status, 0) + 1

    def approve_one_by_one():
        order = list(comment_ids)
        random.Random(seed).shuffle(order)
        barrier.wait()
        for pk in order:
            status, _, _ = approver_browser.request(
                "POST",
                f"/moderation/comments/{pk}/decide/",
                {
                    "csrfmiddlewaretoken": approver_token,
                    "action": "approve",
                    "expected_status": "pending",
                    "next": "/moderation/",
                },
                "/moderation/",
            )
            note_status("approver", status)
            for message in messages_of(approver_browser):
                if message.level_tag == "success":
                    outcome["approver"]["decided"] += 1
                elif message.level_tag == "warning" and "already decided" in message.message:
                    outcome["approver"]["already_decided"] += 1
                else:
                    outcome["approver"]["other"].append(message.message)

    def reject_ten_at_a_time():
        order = list(reversed(comment_ids))
        random.Random(seed + 1).shuffle(order)
        barrier.wait()
        for start in range(0, len(order), 10):
            status, _, _ = rejecter_browser.request(
                "POST",
                "/moderation/bulk/",
                {
                    "csrfmiddlewaretoken": rejecter_token,
                    "action": "reject",
                    "reason": "off_topic",
                    "expected_status": "pending",
                    "comments": [str(pk) for pk in order[start : start + 10]],
                    "next": "/moderation/",
                },
                "/moderation/",
            )
            note_status("rejecter", status)
            for message in messages_of(rejecter_browser):
                text = message.message
                done = re.search(r"(\d+) rejected", text)
                skipped = re.search(r"(\d+) skipped", text)
                if done is None or message.level_tag == "error":
                    outcome["rejecter"]["other"].append(text)
                    continue
                outcome["rejecter"]["decided"] += int(done.group(1))
                outcome["rejecter"]["already_decided"] += int(skipped.group(1)) if skipped else 0

    began = time.monotonic()
    threads = [
        threading.Thread(target=approve_one_by_one),
        threading.Thread(target=reject_ten_at_a_time),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return approver, rejecter, outcome, elapsed


def verify_moderation(comment_ids, approver, rejecter):
    from django.db import connection

    from commentary.models import Comment, ModerationEvent

    connection.close()
    comments = {c.pk: c for c in Comment.objects.filter(pk__in=comment_ids)}
    events = {}
    for event in ModerationEvent.objects.filter(comment_id__in=comment_ids):
        events.setdefault(event.comment_id, []).append(event)
    actor_action = {approver.pk: "approved", rejecter.pk: "rejected"}
    wrong = []
    for pk in comment_ids:
        comment, logged = comments[pk], events.get(pk, [])
        if len(logged) != 1:
            wrong.append((pk, f"{len(logged)} log entries"))
            continue
        event = logged[0]
        if not (
            comment.status == event.action == actor_action.get(event.actor_id)
            and comment.moderated_by_id == event.actor_id
        ):
            wrong.append((pk, f"{comment.status} by {comment.moderated_by_id}, log {event}"))
    return {
        "comments": len(comment_ids),
        "approved": sum(1 for c in comments.values() if c.status == "approved"),
        "rejected": sum(1 for c in comments.values() if c.status == "rejected"),
        "still_pending": sum(1 for c in comments.values() if c.status == "pending"),
        "log_entries": sum(len(logged) for logged in events.values()),
        "inconsistent": wrong[:5],
        "inconsistent_count": len(wrong),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--moderate", type=int, default=500, help="comments in the race")
    parser.add_argument("--fault", choices=FAULTS, default="none")
    parser.add_argument("--fault-at", type=float, default=0.3, help="share acknowledged first")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL is down")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4)")
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--redis-port", type=int, default=6399)
    parser.add_argument("--http-port", type=int, default=8200)
    parser.add_argument("--keep", action="store_true", help="keep the run directory")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.moderate > args.comments:
        parser.error("--moderate cannot exceed --comments")
    for name in ("pg_port", "redis_port", "http_port"):
        if port_taken(getattr(args, name)):
            parser.error(f"port {getattr(args, name)} is in use (--{name.replace('_', '-')})")

    # A run stopped from outside (Ctrl-C, a timeout's SIGTERM) still stops its servers.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    jobs = plan_jobs(args.comments, args.clients)
    # In the Redis mode the limit is exactly the load, so that one comment more must be
    # refused once Redis is gone; otherwise far above it (see the module's docstring).
    rate_limit = args.comments if args.fault == "redis-stop" else 100 * args.comments + 1000
    servers = Servers(args)
    failures = []
    figures = {"fault": args.fault, "comments_sent": args.comments, "clients": args.clients}
    try:
        timer = Stopwatch()
        servers.start_postgres()
        servers.start_redis()
        timer.lap("servers")
        env = servers.django_environment(rate_limit)
        servers.manage("migrate", "--noinput")
        timer.lap("migrate")
        # As the Docker image is built: compiled translations, hashed static files.
        servers.manage("compile_translations")
        if static_files_stale():
            servers.manage("collectstatic", "--noinput")
        timer.lap("static")
        setup_django(env)
        check_texts(jobs)
        article, article_paths = create_article()
        servers.start_gunicorn()
        timer.lap("gunicorn")
        figures["setup_s"] = timer.laps

        events = {}
        trigger = max(1, int(args.comments * args.fault_at))
        if args.fault == "postgres-restart":
            hook = postgres_restart(servers, args, trigger, events)
        elif args.fault == "redis-stop":
            hook = redis_stop(servers, trigger, events)
        else:
            hook = lambda tally: None  # noqa: E731
        probe = Probe(args.http_port, article_paths["en"])
        probe.start()
        tally, elapsed = run_load(servers, args, jobs, article_paths, hook)

        figures.update(
            load_s=round(elapsed, 1),
            comments_per_s=round(len(tally.acknowledged) / elapsed, 1),
            post_latency_ms={
                "p50": round(1000 * (percentile(tally.post_latencies, 0.5) or 0)),
                "p95": round(1000 * (percentile(tally.post_latencies, 0.95) or 0)),
                "max": round(1000 * max(tally.post_latencies or [0])),
            },
            responses=dict(sorted(tally.responses.items())),
            friendly_503=tally.friendly_503,
            other_errors=len(tally.unfriendly),
            connection_errors=tally.connection_errors,
            resubmissions=tally.resubmissions,
        )
        if tally.unfriendly:
            failures.append(f"{len(tally.unfriendly)} error answers that were not the 503 page")
            figures["first_unfriendly"] = tally.unfriendly[:3]
        for label, problems in (
            ("refused", tally.refused),
            ("wrong answer", tally.misrouted),
            ("gave up", tally.gave_up),
        ):
            if problems:
                failures.append(f"{len(problems)} comments {label}: {problems[:3]}")

        if args.fault == "redis-stop" and "stopped_at" in events:
            limited = over_the_limit_refused(args.http_port, article_paths["en"])
            events["over_limit_refused"] = limited
            if not limited:
                failures.append("the comment over the rate limit was not refused")

        probe.stopping.set()
        probe.join()
        verified = verify_comments(article, jobs, tally)
        figures["database"] = verified
        if verified["stored"] != args.comments:
            failures.append(f"{verified['stored']} comments stored, not {args.comments}")
        if verified["acknowledged"] != args.comments:
            failures.append(f"{verified['acknowledged']} acknowledged, not {args.comments}")
        for key in (
            "stored_twice",
            "acknowledged_missing",
            "acknowledged_wrong_text",
            "stored_not_sent",
            "sent_not_stored",
            "without_submission_key",
        ):
            if verified[key]:
                failures.append(f"{key.replace('_', ' ')}: {verified[key]}")

        if args.fault == "postgres-restart":
            figures["fault_events"] = postgres_figures(events, probe, servers, tally, failures)
        elif args.fault == "redis-stop":
            figures["fault_events"] = redis_figures(events, probe, servers, tally, failures)

        if args.moderate:
            from commentary.models import Comment

            pending = list(
                Comment.objects.filter(article=article)
                .pending()
                .order_by("pk")
                .values_list("pk", flat=True)[: args.moderate]
            )
            approver, rejecter, outcome, race_s = moderator_race(args.http_port, pending)
            checked = verify_moderation(pending, approver, rejecter)
            checked["seconds"] = round(race_s, 1)
            checked["requests"] = outcome
            figures["moderation"] = checked
            said_decided = outcome["approver"]["decided"] + outcome["rejecter"]["decided"]
            said_taken = sum(outcome[who]["already_decided"] for who in outcome)
            if len(pending) != args.moderate:
                failures.append(f"only {len(pending)} pending comments for the race")
            if checked["inconsistent_count"] or checked["still_pending"]:
                failures.append(f"moderation inconsistent: {checked['inconsistent']}")
            if checked["log_entries"] != len(pending):
                failures.append(f"{checked['log_entries']} log entries for {len(pending)}")
            if said_decided != len(pending) or said_taken != len(pending):
                failures.append(
                    f"the moderators were told {said_decided} decided and {said_taken} taken "
                    f"for {len(pending)} comments decided twice each"
                )
            for who in outcome:
                if outcome[who]["other"] or set(outcome[who]["statuses"]) != {302}:
                    failures.append(f"{who}: {outcome[who]['statuses']} {outcome[who]['other']}")
    finally:
        servers.stop_all()

    figures["failures"] = failures
    figures["ok"] = not failures
    print_summary(figures)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, default=str))
    if failures or args.keep:
        print(f"Run directory kept: {servers.dir}")
    else:
        shutil.rmtree(servers.dir, ignore_errors=True)
    return 0 if not failures else 1


def count_statuses(statuses):
    counts = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items(), key=str))


def postgres_figures(events, probe, servers, tally, failures):
    if "started_at" not in events:
        failures.append("PostgreSQL was never stopped: the load ended first")
        return {}
    outage = [s for s in probe.samples if events["stop_at"] <= s[0] <= events["started_at"]]
    after = [s for s in probe.samples if s[0] > events["started_at"]]
    healthy_again = next((s[0] for s in after if s[1] == 200), None)
    workers_after = sorted(servers.gunicorn_workers())
    acknowledged_after = sum(1 for t in tally.ack_times if t > events["started_at"])
    result = {
        "acknowledged_before_fault": events["acknowledged_before_fault"],
        "postgres_down_s": round(events["started_at"] - events["stop_at"], 1),
        "healthz_503_during_outage": sum(1 for s in outage if s[1] == 503),
        # An anonymous reader may be given the cached copy of the page instead.
        "page_answers_during_outage": count_statuses(s[3] for s in outage),
        "healthz_ok_after_start_s": (
            round(healthy_again - events["started_at"], 2) if healthy_again else None
        ),
        "acknowledged_after_restart": acknowledged_after,
        "gunicorn_workers_unchanged": workers_after == events["workers_before"],
    }
    if not events["stop_ok"]:
        failures.append("pg_ctl stop failed")
    if not result["healthz_503_during_outage"]:
        failures.append("/healthz never answered 503 while PostgreSQL was down")
    if healthy_again is None:
        failures.append("/healthz did not recover after PostgreSQL came back")
    if not acknowledged_after:
        failures.append("no comment was accepted after PostgreSQL came back")
    if not result["gunicorn_workers_unchanged"]:
        failures.append("gunicorn's workers were replaced: the site did not recover by itself")
    return result


def redis_figures(events, probe, servers, tally, failures):
    if "stopped_at" not in events:
        failures.append("Redis was never stopped: the load ended first")
        return {}
    down = [s for s in probe.samples if s[0] > events["stopped_at"]]
    acknowledged_after = sum(1 for t in tally.ack_times if t > events["stopped_at"])
    result = {
        "acknowledged_before_fault": events["acknowledged_before_fault"],
        "acknowledged_while_redis_down": acknowledged_after,
        "page_answers_while_redis_down": count_statuses(s[3] for s in down),
        "pages_200_while_redis_down": sum(1 for s in down if s[3] == 200),
        "pages_not_200_while_redis_down": sum(1 for s in down if s[3] != 200),
        "healthz_while_redis_down": sorted({f"{s[1]} cache={s[2].get('cache')}" for s in down}),
        "over_limit_refused": events.get("over_limit_refused"),
    }
    if not acknowledged_after:
        failures.append("no comment was accepted while Redis was down")
    if result["pages_not_200_while_redis_down"] or not result["pages_200_while_redis_down"]:
        failures.append("the article page failed while Redis was down")
    # Redis back: the cache is used again without restarting anything.
    servers.start_redis()
    restarted = time.monotonic()
    deadline = time.monotonic() + 30
    back = None
    while time.monotonic() < deadline:
        with contextlib.suppress(*CONNECTION_ERRORS):
            status, _, content = Browser(servers.args.http_port).request("GET", "/healthz")
            # While Redis is down /healthz answers 200 "degraded"; recovered means "ok".
            if status == 200 and json.loads(content).get("status") == "ok":
                back = time.monotonic()
                break
        time.sleep(0.25)
    result["healthz_ok_after_redis_start_s"] = round(back - restarted, 1) if back else None
    if back is None:
        failures.append("/healthz did not recover after Redis came back")
    return result


def print_summary(figures):
    print(f"Comment load: {figures['fault']} — {figures['comments_sent']} comments, "
          f"{figures['clients']} clients")  # fmt: skip
    for key, value in figures.items():
        if key in {"fault", "comments_sent", "clients", "failures", "ok"}:
            continue
        if isinstance(value, dict):
            print(f"  {key}:")
            for inner_key, inner in value.items():
                print(f"    {inner_key}: {inner}")
        else:
            print(f"  {key}: {value}")
    if figures["failures"]:
        print("FAILED:")
        for failure in figures["failures"]:
            print(f"  - {failure}")
    else:
        print("OK: every check passed.")


if __name__ == "__main__":
    sys.exit(main())
