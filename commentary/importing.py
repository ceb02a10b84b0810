"""Parse the plain-text article format the old site exported (no ORM, no database).

A file looks like this (see ``/work/shared/seed/global-insights-2014-02-11.txt``)::

    Global Insights: In Sochi, Xi and Putin Put China-Russia Ties on Display

    By Richard Weitz, on 11 Feb 2014,
    In addition to the magnificent opening ceremony ...

    ... more body paragraphs, separated by blank lines ...

    Richard Weitz is a senior fellow at the Hudson Institute and a World Politics
    Review senior editor. His weekly WPR column, Global Insights, appears every Tuesday.

    Source: World Politics Review, 11 Feb 2014,

    You can comment this article, but links are not allowed.

    Оставить комментарий

The parser is strict wherever a guess could put the wrong text in the wrong field (a
garbled byline, an impossible date, a schedule sentence it cannot read) and lenient about
whitespace and line endings.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ArticleParseError",
    "ParsedArticle",
    "ParsedSchedule",
    "parse_article",
    "parse_article_file",
]


class ArticleParseError(ValueError):
    """One line saying what is wrong and where: ``[PATH: ]line N: REASON``.

    ``reason``, ``line`` and ``path`` are kept as attributes so a caller (the import
    command) can report or re-wrap the error without parsing the message.
    """

    def __init__(self, reason: str, *, line: int, path: str | None = None) -> None:
        self.reason = reason
        self.line = line
        self.path = path
        message = f"line {line}: {reason}"
        if path is not None:
            message = f"{path}: {message}"
        super().__init__(message)

    def __reduce__(self):
        # The keyword-only constructor would otherwise break pickling (parallel test runs).
        return _rebuild_parse_error, (self.reason, self.line, self.path)

    def with_path(self, path: str | Path) -> ArticleParseError:
        """Return the same error with the file path prefixed to its message."""
        return ArticleParseError(self.reason, line=self.line, path=str(path))


def _rebuild_parse_error(reason: str, line: int, path: str | None) -> ArticleParseError:
    return ArticleParseError(reason, line=line, path=path)


@dataclass(frozen=True)
class ParsedSchedule:
    """The column's schedule, read from "His weekly WPR column, X, appears every Tuesday."."""

    pronoun: str  # "he" | "she" | "they"
    cadence: str  # "weekly" | "fortnightly" | "monthly"
    publication_short_name: str  # "WPR", or "" when the sentence names none
    column_name: str
    weekday: int  # 0 = Monday .. 6 = Sunday, as datetime.date.weekday()


@dataclass(frozen=True)
class ParsedArticle:
    """Everything the import needs from one article file."""

    title: str
    column_name: str  # "" when the title has no column prefix
    author_names: tuple[str, ...]
    published_on: datetime.date
    paragraphs: tuple[str, ...]  # body paragraphs, text only
    author_tagline: str  # "a senior fellow at ..." without "NAME is " and the final full stop
    schedule: ParsedSchedule | None
    source_name: str  # "World Politics Review", or "" without a Source line
    source_published_on: datetime.date | None


# --- vocabulary -------------------------------------------------------------------------

# English on purpose: the export is English whatever the server's locale is.
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}

_PRONOUNS = {"His": "he", "Her": "she", "Their": "they"}

# Longest phrases first so "every other week" is not read as an unknown "every".
_CADENCES = (
    ("every-other-week", "fortnightly"),
    ("every other week", "fortnightly"),
    ("fortnightly", "fortnightly"),
    ("bi-weekly", "fortnightly"),
    ("biweekly", "fortnightly"),
    ("weekly", "weekly"),
    ("monthly", "monthly"),
)

_FOOTER_LINES = frozenset(
    {
        "you can comment this article, but links are not allowed.",
        "оставить комментарий",
    }
)

_BYLINE_SHAPE = '"By NAME, on DD Mon YYYY,"'
_SOURCE_SHAPE = '"Source: PUBLICATION, DD Mon YYYY,"'
_SCHEDULE_SHAPE = '"His weekly WPR column, COLUMN NAME, appears every Tuesday."'

_DATE = r"(?P<date>\d{1,2}\s+[^\W\d_]+\.?\s+\d{4})"
_BYLINE_RE = re.compile(rf"By\s+(?P<names>.+?)\s*,\s*on\s+{_DATE}\s*,?")
_SOURCE_PREFIX_RE = re.compile(r"Source\s*:", re.IGNORECASE)
_SOURCE_RE = re.compile(rf"Source\s*:\s*(?P<name>.+?)\s*,\s*{_DATE}\s*,?", re.IGNORECASE)
_DATE_PARTS_RE = re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<year>\d{4})")
_ABBREVIATION_END_RE = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Inc|Ltd|Co|Corp|Jr|Sr)\.$")
_NAME_SUFFIX_RE = re.compile(r"(?:Jr|Sr)\.?|[IVX]+")

# A schedule sentence starts a sentence with a possessive pronoun; it is recognised by
# mentioning "column," (the ", NAME," apposition) or "appears every", and only then read
# strictly, so a mistyped schedule is an error instead of silently becoming tagline text.
_SENTENCE_START_RE = re.compile(r"(?:^|(?<=[.!?\"”’])\s+)(?=(?:His|Her|Their)\s)")
_SCHEDULE_HINT_RE = re.compile(r"\bcolumn\s*,|\bappears\s+every\b", re.IGNORECASE)
_SCHEDULE_RE = re.compile(
    r"(?P<pronoun>His|Her|Their)\s+(?P<description>.*?)\s*\bcolumn\s*,\s*"
    r"(?P<column>.+?)\s*,\s*appears\s+every\s+(?:(?P<other>other)\s+)?"
    r"(?P<weekday>[^\W\d_]+)\s*\.?"
)

_WHITESPACE_RE = re.compile(r"[ \t\u00a0]+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


# --- small helpers ----------------------------------------------------------------------


def _squash(text: str) -> str:
    """Trim and collapse runs of spaces/tabs, keeping every other character as written."""
    return _WHITESPACE_RE.sub(" ", text).strip()


def _quote(text: str, limit: int = 60) -> str:
    text = _squash(text)
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return f'"{text}"'


def _parse_date(text: str, *, what: str, line: int) -> datetime.date:
    parts = _DATE_PARTS_RE.fullmatch(_squash(text))
    if parts is None:  # pragma: no cover - callers only pass text matched by _DATE
        raise ArticleParseError(f"{what} {_quote(text)} is not DD Mon YYYY", line=line)
    month = _MONTHS.get(parts["month"].casefold())
    if month is None:
        raise ArticleParseError(
            f"{what} {_quote(text)} has an unknown month {_quote(parts['month'])} "
            '(expected an English month name or abbreviation such as "Feb" or "February")',
            line=line,
        )
    try:
        return datetime.date(int(parts["year"]), month, int(parts["day"]))
    except ValueError as error:
        raise ArticleParseError(
            f"{what} {_quote(text)} is not a real date ({error})", line=line
        ) from None


def _split_author_names(names: str, *, line: int) -> tuple[str, ...]:
    # "A and B", "A, B and C" and "A, B, and C" all name the same kind of list.
    pieces = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", _squash(names))
    authors: list[str] = []
    for piece in pieces:
        if authors and _NAME_SUFFIX_RE.fullmatch(piece):
            # "John Smith, Jr." is one person, not two.
            authors[-1] = f"{authors[-1]}, {piece}"
        elif piece:
            authors.append(piece)
        else:
            raise ArticleParseError(
                f"the byline has an empty author name in {_quote(names)}", line=line
            )
    return tuple(authors)


def _is_footer(line: str) -> bool:
    return _squash(line).casefold() in _FOOTER_LINES


@dataclass
class _Paragraph:
    """A paragraph's text plus where each of its source lines starts inside that text."""

    text: str
    line_starts: list[tuple[int, int]]  # (offset in text, line number)

    @property
    def line(self) -> int:
        return self.line_starts[0][1]

    def line_at(self, offset: int) -> int:
        number = self.line
        for start, line_number in self.line_starts:
            if start <= offset:
                number = line_number
        return number


def _group_paragraphs(lines: list[tuple[int, str]]) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for number, raw in lines:
        text = _squash(raw)
        if not text:
            current = None
            continue
        if current is None:
            current = _Paragraph(text=text, line_starts=[(0, number)])
            paragraphs.append(current)
        else:
            # A hard-wrapped paragraph is one paragraph; its lines join with a space.
            current.line_starts.append((len(current.text) + 1, number))
            current.text = f"{current.text} {text}"
    return paragraphs


# --- the parts of an article ------------------------------------------------------------


def _parse_schedule(sentence: str, *, line: int) -> ParsedSchedule:
    match = _SCHEDULE_RE.fullmatch(sentence)
    if match is None:
        raise ArticleParseError(
            f"cannot read the column schedule sentence {_quote(sentence, 90)}; "
            f"expected {_SCHEDULE_SHAPE}",
            line=line,
        )
    description = match["description"]
    cadence = None
    publication = ""
    for phrase, meaning in _CADENCES:
        if description.casefold() == phrase or description.casefold().startswith(phrase + " "):
            cadence = meaning
            publication = description[len(phrase) :].strip()
            break
    if cadence is None:
        found = f"an unknown cadence {_quote(description.split(' ', 1)[0])}"
        raise ArticleParseError(
            f"the column schedule sentence has {found if description else 'no cadence'}; "
            "expected weekly, fortnightly or monthly",
            line=line,
        )
    weekday = _WEEKDAYS.get(match["weekday"].casefold())
    if weekday is None:
        raise ArticleParseError(
            f"the column schedule sentence has an unknown weekday {_quote(match['weekday'])}; "
            "expected an English day name such as Tuesday",
            line=line,
        )
    if match["other"] and cadence != "fortnightly":
        # "appears every other Thursday" contradicts a weekly or monthly column.
        raise ArticleParseError(
            f'the column schedule sentence says "every other {match["weekday"]}" '
            f"for a {cadence} column",
            line=line,
        )
    return ParsedSchedule(
        pronoun=_PRONOUNS[match["pronoun"]],
        cadence=cadence,
        publication_short_name=publication,
        column_name=match["column"],
        weekday=weekday,
    )


def _take_schedule(paragraph: _Paragraph) -> tuple[str, ParsedSchedule | None]:
    """Split a trailing schedule sentence off a paragraph; return (rest, schedule)."""
    # The last sentence start wins so that an earlier "His book, X, ..." in the tagline
    # is not mistaken for the schedule; naive splitting on "." would break on "U.S.".
    starts = [m.end() for m in _SENTENCE_START_RE.finditer(paragraph.text)]
    for start in reversed(starts):
        sentence = paragraph.text[start:]
        if _SCHEDULE_HINT_RE.search(sentence):
            schedule = _parse_schedule(sentence, line=paragraph.line_at(start))
            return paragraph.text[:start].strip(), schedule
    return paragraph.text, None


def _take_tagline(text: str, authors: tuple[str, ...]) -> str | None:
    """Return the tagline if ``text`` introduces a byline author, else None."""
    candidates = [(name, "is") for name in authors]
    if len(authors) > 1:
        # "A and B are ..." introduces all of them at once.
        together = " and ".join([", ".join(authors[:-1]), authors[-1]])
        candidates.append((together, "are"))
    for name, verb in candidates:
        prefix = f"{name} {verb} "
        if text.startswith(prefix):
            tagline = text[len(prefix) :].strip()
            # In "... based in Washington, D.C." the abbreviation's dot is also the full
            # stop, and removing it would corrupt the abbreviation.
            if tagline.endswith(".") and not _ABBREVIATION_END_RE.search(tagline):
                tagline = tagline[:-1].rstrip()
            return tagline
    return None


def _split_title(title: str, schedule: ParsedSchedule | None) -> tuple[str, str]:
    """Return (column name, title); a prefix is a column only if the schedule names it."""
    if schedule is None:
        return "", title
    column = schedule.column_name
    # Compare with the known column name instead of splitting on the first colon, so
    # titles with colons of their own (and column names with colons) survive.
    if title.casefold().startswith(column.casefold()):
        rest = title[len(column) :].lstrip()
        if rest.startswith(":") and rest[1:].strip():
            return title[: len(column)], rest[1:].strip()
    return "", title


def _no_body_error(lines: list[tuple[int, str]], byline_line: int) -> ArticleParseError:
    # Point at what stands where the first body paragraph should be.
    for number, line in lines[byline_line:]:
        if line.strip():
            return ArticleParseError(
                f"expected body paragraphs after the byline on line {byline_line} "
                f"but found {_quote(line)}",
                line=number,
            )
    return ArticleParseError(
        f"expected body paragraphs after the byline on line {byline_line} but the file ends",
        line=len(lines),
    )


def parse_article(text: str) -> ParsedArticle:
    """Parse one article in the exported plain-text format.

    ``text`` may start with a byte-order mark and use CRLF, CR or LF line endings.
    Raises :class:`ArticleParseError` (a ``ValueError``) whose message is one line,
    ``line N: what is wrong``, for an empty text, a missing or garbled byline, an
    impossible date, an article without body paragraphs, a schedule sentence that
    cannot be read, or a Source line without a date.
    """
    text = text.removeprefix("\ufeff")
    lines = list(enumerate(_LINE_BREAK_RE.split(text), start=1))

    non_blank = [(number, line) for number, line in lines if line.strip()]
    if not non_blank:
        raise ArticleParseError("the article is empty; expected a title line", line=1)

    title_line, raw_title = non_blank[0]
    title = _squash(raw_title)
    if _BYLINE_RE.fullmatch(title):
        raise ArticleParseError(
            f"expected a title but found a byline {_quote(title)}", line=title_line
        )

    if len(non_blank) < 2:
        raise ArticleParseError(
            f"expected a byline {_BYLINE_SHAPE} after the title but the file ends",
            line=len(lines),
        )
    byline_line, raw_byline = non_blank[1]
    byline = _BYLINE_RE.fullmatch(_squash(raw_byline))
    if byline is None:
        raise ArticleParseError(
            f"expected a byline {_BYLINE_SHAPE} but found {_quote(raw_byline)}",
            line=byline_line,
        )
    authors = _split_author_names(byline["names"], line=byline_line)
    published_on = _parse_date(byline["date"], what="the byline date", line=byline_line)

    # The article ends at the Source line, or at the site's footer when there is none.
    body_lines: list[tuple[int, str]] = []
    source_name = ""
    source_published_on = None
    for number, line in lines[byline_line:]:
        stripped = _squash(line)
        if _SOURCE_PREFIX_RE.match(stripped):
            source = _SOURCE_RE.fullmatch(stripped)
            if source is None:
                raise ArticleParseError(
                    f"expected a source line {_SOURCE_SHAPE} but found {_quote(stripped)}",
                    line=number,
                )
            source_name = source["name"]
            source_published_on = _parse_date(source["date"], what="the source date", line=number)
            break
        if _is_footer(stripped):
            break
        body_lines.append((number, line))

    paragraphs = _group_paragraphs(body_lines)

    schedule = None
    tagline = ""
    if paragraphs:
        last = paragraphs[-1]
        rest, schedule = _take_schedule(last)
        if schedule is not None:
            if rest:
                last.text = rest
            else:
                # The schedule was a paragraph of its own; the tagline may precede it.
                paragraphs.pop()
    if paragraphs:
        found = _take_tagline(paragraphs[-1].text, authors)
        if found is not None:
            tagline = found
            paragraphs.pop()

    if not paragraphs:
        raise _no_body_error(lines, byline_line)

    column_name, title = _split_title(title, schedule)
    return ParsedArticle(
        title=title,
        column_name=column_name,
        author_names=authors,
        published_on=published_on,
        paragraphs=tuple(paragraph.text for paragraph in paragraphs),
        author_tagline=tagline,
        schedule=schedule,
        source_name=source_name,
        source_published_on=source_published_on,
    )


def parse_article_file(path: str | Path) -> ParsedArticle:
    """Read ``path`` as UTF-8 (a byte-order mark allowed) and parse it with :func:`parse_article`.

    Errors are :class:`ArticleParseError` with the path in front: ``PATH: line N: ...``;
    bytes that are not UTF-8 are reported the same way, at the line they sit on. A missing
    or unreadable file raises the usual ``OSError``.
    """
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ArticleParseError(
            f"the file is not valid UTF-8 (byte {error.object[error.start]:#04x} "
            f"at offset {error.start})",
            line=line,
            path=str(path),
        ) from None
    try:
        return parse_article(text)
    except ArticleParseError as error:
        raise error.with_path(path) from None
