"""Read WordPress eXtended RSS (WXR) exports into plain data (no ORM, no database).

WordPress's "Tools → Export" writes an RSS 2.0 document with extra namespaces::

    <rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" ...>
      <channel>
        <title>Site</title> <link>...</link> <language>en-US</language>
        <wp:wxr_version>1.2</wp:wxr_version>
        <wp:author>...</wp:author>        one per author
        <wp:category>...</wp:category>    one per category
        <item>...</item>                  posts, pages, attachments, menu items ...
      </channel>
    </rss>

:func:`parse_wxr` returns a :class:`WxrSite`. Only items whose ``wp:post_type`` is
``post`` become :class:`WxrPost`; every other item (attachment, page, nav_menu_item, ...)
is skipped and counted in ``WxrSite.skipped``. WXR 1.0, 1.1 and 1.2 are accepted.

The file comes from outside, so it is parsed with ``defusedxml``: any entity declaration
(billion laughs, external entities) or external reference is refused with a
:class:`WxrError`. WordPress never writes either.

Decisions worth knowing:

* Text values that are names (title, slug, login, e-mail, link, status ...) are stripped;
  HTML bodies (``content_html``, ``excerpt``, comment ``content``) are returned verbatim.
* Slugs (``wp:post_name``, ``wp:category_nicename``) are percent-decoded: WordPress stores
  a Cyrillic slug as ``%d1%80%d0%be...``, we return ``ро...``. ``link`` is left as written.
* ``WxrPost.date_gmt`` is ``wp:post_date_gmt``. WordPress writes ``0000-00-00 00:00:00``
  there for a draft or pending post whose date "floats" (it is set on publication); that is
  ``None``. For any other status a zeroed or missing GMT date (seen in exports of old or
  migrated sites) falls back to ``wp:post_date`` read as UTC. WXR does not record the
  site's time zone, so that fallback may be off by the site's UTC offset; it is still
  better than a published post without a date. Comments do the same with
  ``wp:comment_date`` (a comment always needs a date).
* ``WxrComment.comment_type`` is ``"comment"`` when WordPress wrote an empty type (it
  did before 5.5); pingbacks and trackbacks keep theirs.
* ``WxrComment.approval`` keeps the raw ``wp:comment_approved`` ("1", "0", "spam",
  "trash", ...) because ``approved`` alone cannot tell a pending comment from spam.
* ``WxrPost.status`` is passed through as written, including values outside
  publish/draft/future/pending/private (e.g. "trash"); the importer decides.

Errors are :class:`WxrError` (a ``ValueError``) with a one-line message saying where:
``line 12: malformed XML: ...``, ``item 3 ("Title"): missing wp:post_id``. A path that
cannot be read raises the usual ``OSError``.

:func:`wordpress_html_to_paragraphs` turns WordPress's stored post text (blank lines
instead of ``<p>``) into paragraphs, like WordPress's ``wpautop`` does when it renders.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote

import defusedxml
from defusedxml import ElementTree as SafeElementTree

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "LANGUAGE_META_KEYS",
    "WP_NAMESPACES",
    "WxrAuthor",
    "WxrCategory",
    "WxrComment",
    "WxrError",
    "WxrPost",
    "WxrSite",
    "parse_wxr",
    "wordpress_html_to_paragraphs",
]

WP_NAMESPACES = (
    "http://wordpress.org/export/1.2/",
    "http://wordpress.org/export/1.1/",
    "http://wordpress.org/export/1.0/",
)
EXCERPT_NAMESPACES = tuple(f"{namespace}excerpt/" for namespace in WP_NAMESPACES)
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"

# Custom-field (wp:postmeta) keys read as the post's language, first non-empty one wins.
LANGUAGE_META_KEYS = ("language", "_language", "lang", "_lang")

# An HTML page saved instead of the export (often not well-formed XML at all).
_HTML_START_RE = re.compile(
    r"\ufeff?\s*(?:<\?xml.*?\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
    re.IGNORECASE | re.DOTALL,
)

# Statuses whose all-zero GMT date means "no date yet" rather than "date lost".
_FLOATING_DATE_STATUSES = frozenset({"draft", "pending", "auto-draft"})


class WxrError(ValueError):
    """A WXR file this module cannot read; the message is one line saying where and why."""


@dataclass(frozen=True)
class WxrAuthor:
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class WxrCategory:
    slug: str  # wp:category_nicename, percent-decoded
    name: str  # wp:cat_name
    description: str  # wp:category_description, "" when absent


@dataclass(frozen=True)
class WxrComment:
    wp_id: int
    parent_wp_id: int | None  # wp:comment_parent; None for a top-level comment ("0")
    author_name: str
    author_email: str
    author_url: str
    date_gmt: datetime.datetime  # aware, UTC
    content: str  # verbatim; may contain HTML and links
    approved: bool  # wp:comment_approved == "1"
    comment_type: str  # "comment", "pingback", "trackback", ...
    approval: str  # raw wp:comment_approved: "1", "0", "spam", "trash", ...


@dataclass(frozen=True)
class WxrPost:
    wp_id: int
    title: str
    slug: str  # wp:post_name, percent-decoded; "" for a draft that never had one
    link: str
    creator_login: str  # dc:creator, matches WxrAuthor.login
    content_html: str  # content:encoded, verbatim (see wordpress_html_to_paragraphs)
    excerpt: str  # excerpt:encoded, verbatim
    status: str  # wp:status: publish, draft, future, pending, private (others passed through)
    post_type: str  # always "post"
    date_gmt: datetime.datetime | None  # aware UTC; None for a draft/pending floating date
    categories: tuple[str, ...]  # names, <category domain="category">, in file order
    tags: tuple[str, ...]  # names, <category domain="post_tag">, in file order
    comments: tuple[WxrComment, ...]  # in file order, all approval states
    language: str | None  # first LANGUAGE_META_KEYS custom field, else None


@dataclass(frozen=True)
class WxrSite:
    title: str
    link: str
    language: str | None  # the channel's <language>, e.g. "en-US"
    authors: tuple[WxrAuthor, ...]
    categories: tuple[WxrCategory, ...]
    posts: tuple[WxrPost, ...]
    skipped: dict[str, int] = field(default_factory=dict)  # post_type -> items not read


# --- reading the XML --------------------------------------------------------------------


def parse_wxr(source: str | os.PathLike[str] | bytes | IO[bytes]) -> WxrSite:
    """Parse a WXR export given as a path, the file's bytes, or a binary file object."""
    root = _parse_xml(_read(source))
    root_name = _local_name(root.tag)
    if root_name != "rss":
        raise WxrError(f"not a WordPress export: the root element is <{root_name}>")
    channel = root.find("channel")
    if channel is None:
        raise WxrError("not a WordPress export: <rss> has no <channel>")
    names = _Names(_wp_namespace(channel))

    authors = tuple(
        _read_author(element, f"author {number}", names)
        for number, element in enumerate(names.findall(channel, "wp:author"), start=1)
    )
    categories = tuple(
        _read_category(element, f"category {number}", names)
        for number, element in enumerate(names.findall(channel, "wp:category"), start=1)
    )
    posts: list[WxrPost] = []
    skipped: dict[str, int] = {}
    for number, item in enumerate(channel.findall("item"), start=1):
        title = _text(item, "title")
        where = _item_label(number, title)
        post_type = _required(item, "wp:post_type", where, names)
        if post_type != "post":
            skipped[post_type] = skipped.get(post_type, 0) + 1
            continue
        posts.append(_read_post(item, title, where, names))

    return WxrSite(
        title=_text(channel, "title"),
        link=_text(channel, "link"),
        language=_text(channel, "language") or None,
        authors=authors,
        categories=categories,
        posts=tuple(posts),
        skipped=skipped,
    )


def _read(source: str | os.PathLike[str] | bytes | IO[bytes]) -> bytes | str:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str) and source.lstrip().startswith("<"):
        raise TypeError("parse_wxr() reads a str as a path; pass the XML as bytes")
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()  # a text-mode file gives str, which the XML parser also takes


def _parse_xml(data: bytes | str) -> Element:
    if not data.strip():
        raise WxrError("not a WordPress export: the file is empty")
    try:
        return SafeElementTree.fromstring(data)
    except SafeElementTree.ParseError as error:
        if _looks_like_html(data):
            raise WxrError("not a WordPress export: the root element is <html>") from None
        line, column = error.position
        reason = re.sub(r": line \d+, column \d+$", "", str(error))
        raise WxrError(f"line {line}: malformed XML: {reason} at column {column + 1}") from None
    except defusedxml.EntitiesForbidden as error:
        raise WxrError(
            f"refused XML entity declaration <!ENTITY {error.name} ...>: entities are "
            "not allowed in a WordPress export (they can expand without bound)"
        ) from None
    except defusedxml.DefusedXmlException as error:
        raise WxrError(f"refused unsafe XML: {type(error).__name__}") from None


def _looks_like_html(data: bytes | str) -> bool:
    head = data[:4096]
    if isinstance(head, bytes):
        head = head.decode("utf-8", "replace")
    return _HTML_START_RE.match(head) is not None


def _wp_namespace(channel: Element) -> str:
    for child in channel:
        if _local_name(child.tag) == "wxr_version" and child.tag.startswith("{"):
            namespace = child.tag[1:].partition("}")[0]
            if namespace not in WP_NAMESPACES:
                raise WxrError(f"unsupported WXR version: namespace {namespace}")
            return namespace
    raise WxrError("not a WordPress export: an RSS feed without <wp:wxr_version>")


class _Names:
    """Maps the prefixed names used in messages ("wp:post_id") to ElementTree's names."""

    def __init__(self, wp_namespace: str) -> None:
        excerpt = f"{wp_namespace}excerpt/"
        self._namespaces = {
            "wp": (wp_namespace,),
            # The excerpt namespace follows the WXR version, but accept any of them.
            "excerpt": (excerpt, *(ns for ns in EXCERPT_NAMESPACES if ns != excerpt)),
            "content": (CONTENT_NAMESPACE,),
            "dc": (DC_NAMESPACE,),
        }

    def tags(self, name: str) -> tuple[str, ...]:
        prefix, _, local = name.rpartition(":")
        if not prefix:
            return (name,)
        return tuple(f"{{{namespace}}}{local}" for namespace in self._namespaces[prefix])

    def find(self, parent: Element, name: str) -> Element | None:
        for tag in self.tags(name):
            element = parent.find(tag)
            if element is not None:
                return element
        return None

    def findall(self, parent: Element, name: str) -> list[Element]:
        return [element for tag in self.tags(name) for element in parent.findall(tag)]


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _item_label(number: int, title: str) -> str:
    if not title:
        return f"item {number}"
    if len(title) > 60:
        title = title[:57].rstrip() + "..."
    return f"item {number} ({json.dumps(title, ensure_ascii=False)})"


def _raw(parent: Element, name: str, names: _Names | None = None) -> str:
    """The element's text as written, "" when the element is missing or empty."""
    element = names.find(parent, name) if names else parent.find(name)
    return "" if element is None else "".join(element.itertext())


def _text(parent: Element, name: str, names: _Names | None = None) -> str:
    return _raw(parent, name, names).strip()


def _required(parent: Element, name: str, where: str, names: _Names) -> str:
    value = _text(parent, name, names)
    if not value:
        raise WxrError(f"{where}: missing {name}")
    return value


def _number(value: str, name: str, where: str) -> int:
    if not re.fullmatch(r"[0-9]+", value):
        raise WxrError(f"{where}: {name} is not a whole number: {value!r}")
    return int(value)


def _date(value: str, name: str, where: str) -> datetime.datetime | None:
    """A "YYYY-MM-DD HH:MM:SS" value as an aware UTC datetime; None when empty or zeroed."""
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        moment = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise WxrError(f"{where}: {name} is not a date (YYYY-MM-DD HH:MM:SS): {value!r}") from None
    return moment.replace(tzinfo=datetime.UTC)


def _slug(value: str) -> str:
    return unquote(value.strip())


def _read_author(element: Element, where: str, names: _Names) -> WxrAuthor:
    return WxrAuthor(
        login=_required(element, "wp:author_login", where, names),
        email=_text(element, "wp:author_email", names),
        display_name=_text(element, "wp:author_display_name", names),
        first_name=_text(element, "wp:author_first_name", names),
        last_name=_text(element, "wp:author_last_name", names),
    )


def _read_category(element: Element, where: str, names: _Names) -> WxrCategory:
    return WxrCategory(
        slug=_slug(_required(element, "wp:category_nicename", where, names)),
        name=_required(element, "wp:cat_name", where, names),
        description=_text(element, "wp:category_description", names),
    )


def _read_post(item: Element, title: str, where: str, names: _Names) -> WxrPost:
    wp_id = _number(_required(item, "wp:post_id", where, names), "wp:post_id", where)
    status = _required(item, "wp:status", where, names)
    date_gmt = _date(_text(item, "wp:post_date_gmt", names), "wp:post_date_gmt", where)
    if date_gmt is None and status not in _FLOATING_DATE_STATUSES:
        date_gmt = _date(_text(item, "wp:post_date", names), "wp:post_date", where)

    terms: dict[str, list[str]] = {"category": [], "post_tag": []}
    for element in item.findall("category"):
        name = "".join(element.itertext()).strip()
        found = terms.get(element.get("domain", ""))
        if found is not None and name and name not in found:
            found.append(name)

    return WxrPost(
        wp_id=wp_id,
        title=title,
        slug=_slug(_text(item, "wp:post_name", names)),
        link=_text(item, "link"),
        creator_login=_text(item, "dc:creator", names),
        content_html=_raw(item, "content:encoded", names),
        excerpt=_raw(item, "excerpt:encoded", names),
        status=status,
        post_type="post",
        date_gmt=date_gmt,
        categories=tuple(terms["category"]),
        tags=tuple(terms["post_tag"]),
        comments=tuple(
            _read_comment(element, f"{where}, comment {number}", names)
            for number, element in enumerate(names.findall(item, "wp:comment"), start=1)
        ),
        language=_language(item, names),
    )


def _language(item: Element, names: _Names) -> str | None:
    for meta in names.findall(item, "wp:postmeta"):
        if _text(meta, "wp:meta_key", names) in LANGUAGE_META_KEYS:
            value = _text(meta, "wp:meta_value", names)
            if value:
                return value
    return None


def _read_comment(element: Element, where: str, names: _Names) -> WxrComment:
    wp_id = _number(_required(element, "wp:comment_id", where, names), "wp:comment_id", where)
    parent = _text(element, "wp:comment_parent", names) or "0"
    date_gmt = _date(
        _text(element, "wp:comment_date_gmt", names), "wp:comment_date_gmt", where
    ) or _date(_text(element, "wp:comment_date", names), "wp:comment_date", where)
    if date_gmt is None:
        raise WxrError(f"{where}: missing wp:comment_date_gmt")
    approval = _text(element, "wp:comment_approved", names)
    return WxrComment(
        wp_id=wp_id,
        parent_wp_id=_number(parent, "wp:comment_parent", where) or None,
        author_name=_text(element, "wp:comment_author", names),
        author_email=_text(element, "wp:comment_author_email", names),
        author_url=_text(element, "wp:comment_author_url", names),
        date_gmt=date_gmt,
        content=_raw(element, "wp:comment_content", names),
        approved=approval == "1",
        comment_type=_text(element, "wp:comment_type", names) or "comment",
        approval=approval,
    )


# --- post text --------------------------------------------------------------------------

# Elements that already are blocks; a chunk of text starting with one is left alone.
_BLOCK_TAGS = r"p|h[1-6]|ul|ol|dl|blockquote|figure|table|div|pre|hr"
_BLOCK_START_RE = re.compile(rf"<(?P<tag>{_BLOCK_TAGS})(?=[\s/>])", re.IGNORECASE)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
# A paragraph ends at a blank line or where a line starts with a block element or comment.
_PARAGRAPH_END_RE = re.compile(
    rf"\n[ \t]*\n|\n(?=[ \t]*(?:<(?:{_BLOCK_TAGS})[\s/>]|<!--))", re.IGNORECASE
)


def wordpress_html_to_paragraphs(html: str) -> str:
    """Wrap WordPress's blank-line-separated text in ``<p>``, as ``wpautop`` does.

    - Runs of text separated by blank lines become ``<p>...</p>``; a single newline inside
      one becomes ``<br>`` (followed by the newline, for readable source).
    - A chunk that starts with a block element (p, h1-h6, ul, ol, dl, blockquote, figure,
      table, div, pre, hr) is kept verbatim up to its matching closing tag, even across
      blank lines; so is an HTML comment (Gutenberg's ``<!-- wp:... -->`` markers).
    - Inline HTML, entities and shortcodes (``[caption]``) are not touched, and nothing is
      escaped or sanitised: the result is still untrusted HTML.

    Blocks are joined with a newline. Running it on its own output changes nothing.
    """
    text = html.replace("\r\n", "\n").replace("\r", "\n")
    chunks: list[str] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        end = _block_end(text, position)
        if end is not None:
            chunks.append(text[position:end].strip())
        else:
            found = _PARAGRAPH_END_RE.search(text, position)
            end = found.start() if found else len(text)
            lines = [line.strip() for line in text[position:end].split("\n")]
            chunks.append("<p>" + "<br>\n".join(lines) + "</p>")
        position = end
    return "\n".join(chunks)


def _block_end(text: str, start: int) -> int | None:
    """Where the block element or comment starting at ``start`` ends; None if none starts."""
    if text.startswith("<!--", start):
        close = text.find("-->", start + 4)
        return len(text) if close < 0 else close + 3
    opening = _BLOCK_START_RE.match(text, start)
    if opening is None:
        return None
    tag = opening["tag"]
    if tag.lower() == "hr":
        close = text.find(">", start)
        return len(text) if close < 0 else close + 1
    depth = 0
    tags = re.compile(rf"<(/?){re.escape(tag)}(?=[\s/>])[^>]*>", re.IGNORECASE)
    for found in tags.finditer(text, start):
        depth += -1 if found[1] else 1
        if depth == 0:
            return found.end()
    # Never closed (e.g. "<p>text" with no "</p>"): the block ends at the next blank line.
    blank = _BLANK_LINE_RE.search(text, start)
    return blank.start() if blank else len(text)
