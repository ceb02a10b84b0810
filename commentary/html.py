"""HTML rules for article bodies: what the editor offers, what may be stored, how plain text
becomes HTML and how footnotes are linked for readers.

Three things must agree: the rich-text editor's extensions (:data:`BODY_EDITOR_EXTENSIONS`),
the sanitiser's allow-list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`) and the footnote
convention (:func:`link_footnotes`).  A test checks that the first two stay aligned.

Footnotes.  The editor has no footnote tool, so an article marks them by convention: a
superscript number in the text (``<sup>1</sup>`` or ``<sup>[1]</sup>``) and, at the end, a
heading "Notes" followed by a numbered list whose n-th item is note n.  Stored HTML stays plain;
:func:`link_footnotes` adds the links and ids (``fnref-n`` on the marker, ``fn-n`` on the note)
when the article is shown.
"""

import re
from html import escape as escape_html
from html.parser import HTMLParser

import nh3
from django.utils.html import escape
from django.utils.translation import gettext

# The rich-text editor (django-prose-editor) for Article.body: what editors can make.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "HardBreak": True,
    "History": True,
}

# Exactly what the editor's extensions produce; nothing it cannot edit is kept.
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    # Footnote ids only, see _keep_footnote_ids.
    "li": {"id"},
    "sup": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}
FOOTNOTE_ID = re.compile(r"fn(?:ref)?-\d{1,4}(?:-\d{1,3})?")

# Headings that open the notes list, compared case-insensitively without a final colon.
NOTES_HEADINGS = {"notes", "footnotes", "endnotes", "примечания", "сноски"}


def sanitize_html(html):
    """Keep only the tags and attributes an article body may carry; links get ``rel``.

    HTML pasted from Word or Google Docs arrives full of ``style``, ``class``, ``<span>``,
    ``<o:p>`` and conditional comments; what survives is the plain semantic HTML the editor
    itself writes.  Bold and italic survive when they were real formatting: ``<b>``/``<i>``
    become ``<strong>``/``<em>``, and so do spans styled bold or italic (Google Docs marks
    bold that way), while Google Docs' ``<b style="font-weight:normal">`` wrapper goes.
    """
    cleaned = nh3.clean(
        _semantic_formatting(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_footnote_ids,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
    return _BREAK_BETWEEN_BLOCKS.sub(r"\1", cleaned).strip()


def paragraphs_to_html(paragraphs):
    """Turn plain-text paragraphs into escaped ``<p>`` elements."""
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)


def _keep_footnote_ids(tag, attribute, value):
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


# Word leaves paragraphs holding only a non-breaking space between blocks.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>)*</p>\s*")
# Google Docs puts <br> between blocks, where it means nothing.
_BREAK_BETWEEN_BLOCKS = re.compile(
    r"(^|</(?:p|h[2-4]|ul|ol|blockquote)>|<hr>)(?:\s*<br>)+\s*(?=<(?:p|h[2-4]|ul|ol|blockquote|hr)>|$)"
)
_WORD_LIST_NUMBER = re.compile(r"(?:\d{1,3}|[a-z]|[ivxlc]{1,6})[.)]", re.IGNORECASE)


def _style_declarations(attrs):
    style = dict(attrs).get("style") or ""
    declarations = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if value:
            declarations[name.strip().lower()] = value.strip().lower()
    return declarations


def _is_bold(weight):
    return weight in {"bold", "bolder"} or (weight.isdigit() and int(weight) >= 600)


class _SemanticFormatting(HTMLParser):
    """Rewrite presentational bold and italic as ``<strong>`` and ``<em>``.

    Only what the sanitiser cannot do by dropping tags: everything else is passed through for
    nh3 to judge.  Comments and ``<![if …]>`` sections (Word's conditional markup) are dropped.
    """

    REWRITTEN = {"b", "i", "span"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.closers = {tag: [] for tag in self.REWRITTEN}
        # Text of a Word list marker (``<![if !supportLists]>1.<![endif]>``), while inside one.
        self.list_marker = None

    def _replacement(self, tag, attrs):
        """The opening and closing tags that stand for ``tag`` with these attributes."""
        style = _style_declarations(attrs)
        weight = style.get("font-weight", "")
        italic = style.get("font-style", "") in {"italic", "oblique"}
        if tag == "b":
            bold = not weight or _is_bold(weight)
            italic = False
        elif tag == "i":
            bold = _is_bold(weight)
            italic = style.get("font-style", "italic") in {"italic", "oblique"}
        else:
            bold = _is_bold(weight)
        opening = ("<strong>" if bold else "") + ("<em>" if italic else "")
        closing = ("</em>" if italic else "") + ("</strong>" if bold else "")
        return opening, closing

    def handle_starttag(self, tag, attrs):
        if self.list_marker is not None:
            return
        if tag in self.REWRITTEN:
            opening, closing = self._replacement(tag, attrs)
            self.closers[tag].append(closing)
            self.out.append(opening)
            return
        self.out.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag, attrs):
        if self.list_marker is None and tag not in self.REWRITTEN:
            self.out.append(self._tag(tag, attrs, closed=True))

    def handle_endtag(self, tag):
        if self.list_marker is not None:
            return
        if tag in self.REWRITTEN:
            if self.closers[tag]:
                self.out.append(self.closers[tag].pop())
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.list_marker is not None:
            self.list_marker.append(data)
            return
        self.out.append(escape_html(data, quote=False))

    def handle_comment(self, data):
        pass

    def unknown_decl(self, data):
        # Word draws list bullets and numbers as text between <![if !supportLists]> and
        # <![endif]>.  A number or letter is kept; a bullet glyph from the Symbol font is not.
        condition = data.strip().casefold()
        if condition == "if !supportlists":
            self.list_marker = []
        elif condition == "endif" and self.list_marker is not None:
            marker = "".join(self.list_marker).replace("\xa0", " ").strip()
            self.list_marker = None
            if _WORD_LIST_NUMBER.fullmatch(marker):
                self.out.append(escape_html(marker, quote=False) + " ")

    def handle_decl(self, decl):
        pass

    def handle_pi(self, data):
        pass

    @staticmethod
    def _tag(tag, attrs, closed=False):
        rendered = "".join(
            f' {name}="{escape_html(value)}"' if value is not None else f" {name}"
            for name, value in attrs
        )
        return f"<{tag}{rendered}{' /' if closed else ''}>"

    def close(self):
        super().close()
        for closers in self.closers.values():
            self.out.extend(reversed(closers))
        return "".join(self.out)


def _semantic_formatting(html):
    parser = _SemanticFormatting()
    parser.feed(html or "")
    return parser.close()


# --- footnotes ------------------------------------------------------------------------------

_NOTES_HEADING = re.compile(r"<h([2-4])>\s*(?P<text>[^<]{1,40}?)\s*</h\1>\s*(?=<ol[\s>])")
_LIST_TAG = re.compile(r"<(/?)(ol|ul)\b[^>]*>")
_ITEM_TAG = re.compile(r"<(/?)li\b[^>]*>")
_MARKER = re.compile(r"<sup>\s*(?P<text>\[?\s*(?P<number>\d{1,4})\s*\]?)\s*</sup>")


def _balanced_end(html, start, pattern, name=None):
    """The index just past the element opened at ``start``, counting nested same-kind tags."""
    depth = 0
    for match in pattern.finditer(html, start):
        if name is not None and match.group(2) != name:
            continue
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return None


def _notes_list(html):
    """``(heading_start, list_start, list_end)`` of the notes list, or ``None``.

    The notes list is the last "Notes" heading that is directly followed by an ``<ol>``.
    """
    found = None
    for heading in _NOTES_HEADING.finditer(html):
        if heading.group("text").rstrip(":").strip().casefold() in NOTES_HEADINGS:
            found = heading
    if found is None:
        return None
    list_start = found.end()
    list_end = _balanced_end(html, list_start, _LIST_TAG, name="ol")
    if list_end is None:
        return None
    return found.start(), list_start, list_end


def _list_items(html, list_start, list_end):
    """The ``(start, end)`` of each top-level ``<li>`` between the list's tags."""
    items = []
    position = html.index(">", list_start) + 1
    inner_end = html.rindex("</ol>", list_start, list_end)
    while True:
        opening = _ITEM_TAG.search(html, position, inner_end)
        if opening is None or opening.group(1):
            break
        end = _balanced_end(html, opening.start(), _ITEM_TAG)
        if end is None or end > inner_end:
            break
        items.append((opening.start(), end))
        position = end
    return items


def link_footnotes(html):
    """Link footnote markers to their notes and back, in already sanitised article HTML.

    Markers ``<sup>n</sup>`` and ``<sup>[n]</sup>`` before the notes list (see the module's
    docstring) become links to note n, which gets the id ``fn-n`` and a link back to the first
    marker (``fnref-n``; later markers of the same note get ``fnref-n-2``, ``fnref-n-3``...).
    A number with no note of that number is left as it is.  Without a notes list the HTML is
    returned unchanged.
    """
    if not html:
        return html
    found = _notes_list(html)
    if found is None:
        return html
    heading_start, list_start, list_end = found
    items = _list_items(html, list_start, list_end)
    if not items:
        return html

    seen = {}

    def link_marker(match):
        number = int(match.group("number"))
        if not 1 <= number <= len(items):
            return match.group(0)
        seen[number] = seen.get(number, 0) + 1
        marker_id = f"fnref-{number}" if seen[number] == 1 else f"fnref-{number}-{seen[number]}"
        return (
            f'<sup id="{marker_id}"><a href="#fn-{number}" role="doc-noteref">'
            f"{match.group('text')}</a></sup>"
        )

    text = _MARKER.sub(link_marker, html[:heading_start])
    back_label = escape(gettext("Back to the text"))
    notes = [html[heading_start : items[0][0]]]
    for number, (start, end) in enumerate(items, start=1):
        item = html[start:end]
        opening_end = item.index(">") + 1
        body = item[opening_end : -len("</li>")]
        if number in seen:
            back_link = (
                f' <a href="#fnref-{number}" role="doc-backlink" '
                f'aria-label="{back_label}">\u21a9\ufe0e</a>'
            )
            if body.rstrip().endswith("</p>"):
                cut = body.rindex("</p>")
                body = body[:cut] + back_link + body[cut:]
            else:
                body += back_link
        notes.append(f'<li id="fn-{number}">{body}</li>')
        following = items[number][0] if number < len(items) else None
        notes.append(html[end:following] if following is not None else "")
    closing = html[items[-1][1] : list_end]
    return text + "".join(notes) + closing + html[list_end:]
