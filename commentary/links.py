"""Link detection for reader comments.

The site's rule is "You can comment this article, but links are not allowed."
Recognition is linkify-it's (the library markdown-it uses), fed with every
top-level domain of the Public Suffix List so that bare domains such as
``президент.рф`` or ``example.shop`` are caught without a home-made URL regex.
Everything else in this module wraps linkify-it: it normalises the text before
linkify-it reads it, adds the few link forms linkify-it does not know, and
sorts what it finds into links, names and missing spaces.

How a comment is read
=====================

1. **Normalisation**, with a map from every normalised character back to the
   original text, so that each fragment quoted to the reader is the original
   substring as typed ("example[.]com", not "example.com"):

   - Unicode NFKC (full-width ``ｅｘａｍｐｌｅ．ｃｏｍ``, ligatures, styled
     letters), except where NFKC would produce ASCII punctuation other than
     ``. : / @ - _``: linkify-it ends a link at a full-width ``｜`` but not at
     ``|``, and turning one into the other would lengthen fragments.
   - Invisible characters are dropped: zero-width and bidi controls
     (U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF),
     the soft hyphen U+00AD, and a few fillers (U+034F, U+061C, U+115F,
     U+1160, U+17B4, U+17B5, U+180E).
   - Ideographic full stops ``。`` and ``｡`` become ``.`` (IDNA treats them as
     label separators, so browsers do too); NFKC already maps ``．``, ``․``
     (U+2024) and ``﹒`` (U+FE52).
   - Middle dots (``·``, ``‧``, ``∙``, ``⋅``, ``・``, ``⸱``, ``⸳``, ``ꓸ``) become
     ``.`` only *between two letters or digits*: with spaces around they are
     separators ("Home · About"), glued they stand in for a dot
     ("example·com"). Catalan "l·l" is the price; it only matters when the
     right-hand side is a top-level domain.
   - Dot obfuscations between two words become ``.``: ``[.]``, ``(.)``,
     ``{.}`` and ``dot``, ``точка``, ``тчк``, ``дот`` in brackets, with or
     without spaces around, always; the same words bare (`` dot ``) only when
     the word before is not a determiner ("the dot com bubble") and the word
     after is not an English function word that is also a top-level domain
     ("a pale blue dot is…": ``.is`` is Iceland). After such a dot, a
     top-level domain spelt in Cyrillic is read as one ("сайт точка ру").
   - ``hxxp``, ``hxxps``, ``h**p``, ``h**ps`` become ``http``/``https`` before
     ``://``, and ``[:]`` or ``(:)`` after a scheme becomes ``:``.
   - E-mail obfuscations become ``@``: ``[at]``, ``(at)``, ``{at}``, ``[@]``,
     ``(собака)``…, and an ``@`` with spaces, whenever a mailbox name stands
     on the left and a domain under a known top-level domain on the right.
     The bare words `` at `` and `` собака `` are ordinary words, so they
     count only when the domain's own dot is spelt out or bracketed
     ("ivan at mail dot ru") and the word before is not one that usually
     precedes an ordinary "at" ("mirrored at wikileaks(.)org"); otherwise the
     domain alone is quoted ("look at bbc.com" quotes "bbc.com").

2. **Detection**: linkify-it on the normalised text, then on a copy with
   "glue" blanked out (see ``_GLUE``), then the forms it misses: e-mail
   addresses with a non-ASCII mailbox name (``иван@почта.рф``) and IPv6
   addresses in brackets (``http://[2001:db8::1]/``). Markup that makes a link
   counts even when its target is relative or empty, because it is a link
   attempt: HTML anchors with an ``href``, Markdown inline links whose target
   looks like a path or URL (``[text](/about)``, ``[text]()``), Markdown
   reference definitions (``[1]: /about``, or any target once ``[text][1]``
   uses it) and BBCode ``[url]…[/url]``, ``[url=…]``, ``[link=…]``. When such
   markup contains a link, only the link is quoted; otherwise the whole
   element, or the opening tag when it is not closed.

3. **Classification** of a *bare* domain, that is one found without a scheme,
   ``www.``, port, path, query, ``@`` or any normalisation inside it, whose
   top-level domain is written Capitalised (one capital, then lowercase, as in
   "So", "Москва"):

   - **Name, accepted**: every label before it is a single letter or a known
     abbreviation (``_ABBREVIATIONS``: Mr, Mrs, Ms, Dr, St, Mt, Jr, Sr, Lt,
     Gen, Prof, Gov, No, ул, пр, им, св…). "г.Москва", "M.Sc", "St.George",
     "Dr.House", "U.S.Army" are written names and initialisms, not addresses.
   - **Missing space, hinted**: what comes before the last dot is a word, a
     number or such a name ("war.So", "Syria.It", "2014.How", "10.30.Next",
     "St.Petersburg.Moscow"), and the capitalised word can start a sentence:
     any top-level domain of three letters or more ("Today", "News", "Дети"),
     but of the two-letter ones only the words in ``_TWO_LETTER_WORDS`` (So,
     It, In, No, Me, Us…), so "Meduza.Io" stays a link. These are refused
     with a hint about the space instead of the link message.
   - Either way, ``_WEB_TOP_LEVEL_DOMAINS`` (com, org, info, ru, рф…) stay
     links: "X.Com", "Kremlin.Ru" are addresses however they are capitalised.
     The price is the degree "B.Com", which is refused.

   Everything else found is a link. Written in lowercase or in capitals
   ("г.москва", "war.so", "ASP.NET"), a domain is a link: readers type names
   and sentences capitalised, and typing them otherwise is how a domain looks.

Decisions on file names: extensions that are not top-level domains (``.pdf``,
``.xlsx``, ``.jpg``, ``.js``, ``.txt``) are plain text. Extensions that are
(``.zip``, ``.mov``, ``.py``, ``.pl``, ``.pm``, ``.sh``, ``.md``, ``.app``) stay
links when they stand on their own: "archive.zip" is a resolvable host name,
and nothing in the text tells a file from a domain. linkify-it still refuses a
domain glued to a preceding ":" or "/", so "path:to:file.pm" and
"/path/to/file.pl" pass. Abbreviations, numbers, dates, times and versions
("e.g.", "т.е.", "3.5%", "10.30", "11.02.2014", "v2.0") are not domains at all.

Not covered: spaced-out dots ("kremlin . ru", "example. com", which prose
produces by mistake, and "the .ru zone", which prose writes on purpose),
spelt-out slashes, domains split by ordinary spaces, and text reversed by a
bidi override ("\u202emoc.elpmaxe" shows as "example.com": the override is
dropped, but the letters stay reversed).

Speed: comments are checked on every post, and by the live hint while the
reader types. linkify-it reads only the whitespace-delimited tokens that can
hold a link, and its top-level domains come as one prefix-factored pattern
(see ``_linkify_spans`` and ``_trie_pattern``); the normalisation passes run
only when a cheap test finds something to rewrite. ``bench/links.py`` measures
it on the labelled corpus.
"""

import bisect
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

import publicsuffixlist
from linkify_it import LinkifyIt

__all__ = ["TOP_LEVEL_DOMAINS", "LinkCheck", "check_links", "find_links"]


def _icann_top_level_domains():
    """Every ICANN top-level domain in the PSL shipped with ``publicsuffixlist``.

    The file is read instead of querying a ``PublicSuffixList`` object because
    that class exposes no public way to list its rules. The private section
    (``github.io``, ``blogspot.com``…) is skipped: its last labels are ICANN
    TLDs anyway.
    """
    tlds = set()
    in_icann_section = False
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as psl:
        for line in psl:
            line = line.strip()
            if line == "// ===BEGIN ICANN DOMAINS===":
                in_icann_section = True
            elif line == "// ===END ICANN DOMAINS===":
                break
            elif in_icann_section and line and not line.startswith("//"):
                # Rules look like "com", "*.ck" or "!www.ck": the TLD is the
                # last label whatever the rule's wildcards and exceptions.
                tld = line.split()[0].lstrip("!").rsplit(".", 1)[-1].lower()
                tlds.add(tld)
                # Readers paste both spellings: "пример.рф" and "xn--e1afmkfd.xn--p1ai".
                tlds.add(tld.encode("idna").decode("ascii"))
    return sorted(tlds)


TOP_LEVEL_DOMAINS = _icann_top_level_domains()
_TLD_SET = frozenset(TOP_LEVEL_DOMAINS)


def _words(text):
    return frozenset(text.split())


def _trie_pattern(words):
    """A regular expression matching exactly ``words``, factored by common prefix.

    ``re`` tries the alternatives of "com|co|net|…" one by one at every dot;
    "c(?:om?|…)|net…" costs one step per character instead. Like a list
    sorted in reverse, it prefers the longest word ("community" over "com").
    """
    trie = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def pattern(node):
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


# Built once, at import: it sits on the path of every comment posted. Its
# patterns take tens of milliseconds to compile; linkify-it-py keeps them as
# strings, so they live in the re module's cache. linkify-it joins its list of
# top-level domains into its patterns as regular expressions (its own default
# list holds one), so the list is given as one prefix-factored pattern.
_linkify = LinkifyIt(options={"fuzzy_link": True, "fuzzy_email": True, "fuzzy_ip": True})
_linkify.tlds([_trie_pattern(TOP_LEVEL_DOMAINS)], True)

# linkify-it rejects a host that is glued to a neighbour, because in a rich
# text that is usually a false positive. Under a no-links rule a glued host is
# still a host a reader can type in, and gluing is the obvious way around the
# filter ("_example.com_", "hppt://example.com", "@example.com"). Each
# alternative below is one such glue; the second pass blanks them out.
_GLUE = re.compile(
    r"""
    (?:^|(?<=[\s/]))[_@.\-]+(?=[^\W_])    # token-leading: "_example.com", "http://.example.com"
    | (?<=[^\W_])[_\-]+(?![^\W_])         # token-trailing: "http://example.com_"
    | (?<!http:)(?<!https:)(?<!ftp:)/{2,}  # "//" of no known scheme: "hppt://x.com", "///x.com"
    | :(?=\d)                             # out-of-range port: "google.com:500000"
    | =(?=(?:https?:|ftp:)?//|www\.)      # "[url=http://x.com]", "<a href=//x.com>"
    | (?<=[a-z]:)/(?=[^\W_])               # a scheme with one slash: "http:/example.com"
    """,
    re.VERBOSE | re.IGNORECASE,
)

# --- Classification -------------------------------------------------------

# Labels that, glued to a Capitalised word, make a name rather than a domain:
# titles and ranks, and the Russian abbreviations of addresses and ranks.
# Single letters ("г.Москва", "M.Sc", "J.Ford") need no list.
_ABBREVIATIONS = _words(
    """
    mr mrs ms mx dr st mt ft jr jnr sr snr messrs mme mlle prof rev fr gen col lt sgt
    capt maj adm cmdr gov sen rep pres amb hon no vol ул пр просп пл пер наб ш обл пос
    пгт дер им св ген акад проф тов гр ст кн гос
    """
)

# Top-level domains that stay links however they are capitalised: the ones
# that host most of the web in this site's languages, none of them an English
# or Russian word that starts a sentence.
_WEB_TOP_LEVEL_DOMAINS = frozenset(
    {"com", "org", "info", "biz", "ru", "su", "рф", "рус", "ком", "орг"}
)
# A sentence can start with a longer top-level domain ("Today", "News", "How")
# but, of the two-letter ones, only with these words: "Meduza.Io" or
# "Delfi.Lt" is a capitalised address, not a sentence end.
_TWO_LETTER_WORDS = frozenset(
    {"am", "as", "at", "be", "by", "do", "in", "is", "it", "me", "my", "no", "so", "to", "us"}
)


def _is_abbreviation(label):
    # "г", "M", "U" in "U.S.": single letters; "St", "ул": known abbreviations.
    return (len(label) == 1 and label.isalpha()) or label.lower() in _ABBREVIATIONS


def _is_capitalised(word):
    # "So", "Москва", "Sc": a capital, then lowercase letters only.
    return len(word) >= 2 and word[0].isupper() and word[1:].islower() and word.isalpha()


# --- Normalisation ---------------------------------------------------------

_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_NEEDS_CHARACTER_PASS = re.compile(f"[{_INVISIBLE}\u3002]")
# NFKC output that is kept: letters, digits, spaces and the punctuation that
# builds an address. Other ASCII punctuation would change where linkify-it
# ends a link (a full-width "｜" ends one, "|" does not).
_UNSAFE_NFKC = re.compile(r"[!-,;-?\[-^`{-~]")

# Each pattern below starts with a definite character, so that the re module
# skips ahead to candidates instead of trying every position; the spaces and
# words around a candidate are then checked in Python.
_OBFUSCATION = re.compile(
    r"""
    (?P<middot>[\u00b7\u0387\u2027\u2219\u22c5\u30fb\u2e31\u2e33\ua4f8])
    | (?P<bracket_dot>[\[({]\s*(?:\.|dot|точка|тчк|дот)\s*[\])}])
    | (?P<word_dot>(?<!\S)(?:dot|точка|тчк|дот)(?!\S))
    | (?P<scheme>h(?:xx|\*\*)p(?P<secure>s?)(?:\[:\]|\(:\)|:)(?=//))
    | (?P<bracket_colon>(?P<known>https?|ftp)(?:\[:\]|\(:\))(?=//))
    """,
    re.VERBOSE | re.IGNORECASE,
)
_AT_MARK = re.compile(
    r"""
    [\[({]\s*(?:at|@|собака)\s*[\])}]
    | (?P<word>(?<!\S)(?:at|собака)(?!\S))
    | @
    """,
    re.VERBOSE | re.IGNORECASE,
)
_BRACKET = re.compile(r"[\[({]")
_BRACKETED_DOT = re.compile(r"[\[({]\s*\.")
_MIDDLE_DOT = re.compile("[\u00b7\u0387\u2027\u2219\u22c5\u30fb\u2e31\u2e33\ua4f8]")
_WORD_BEFORE = re.compile(r"[^\W_]+\Z")
_WORD_AFTER = re.compile(r"[^\W_]+")
_SPACES_BEFORE = re.compile(r"\s*\Z")
_SPACES_AFTER = re.compile(r"\s*")
_WORD_CHARACTER_BEFORE_SCHEME = re.compile(r"[\w*]")

# Words that, before a bare "dot", make it prose: "the dot com bubble".
_DETERMINERS = _words(
    """
    a an the this that one each every any no single tiny small little big polka pale red
    blue green black white yellow first last final same
    """
)
# English function words that are also top-level domains, so that "a blue dot
# is", "the dot in the middle" stay prose.
_FUNCTION_WORDS = _TLD_SET & _words(
    """
    am as at be by do go how in is it me my no now of on one or so to up us we you here
    there new next your our his her its all any can did got has had was are not but and
    for the with from into onto over under about
    """
)

# Top-level domains that Russian readers spell in Cyrillic after a spelt-out
# dot ("сайт точка ру"). Only read so after an obfuscated dot.
_SPELT_TOP_LEVEL_DOMAINS = {"ру": "ru", "су": "su", "инфо": "info", "уа": "ua", "кз": "kz"}

# The bare words "at" and "собака" join a mailbox to a domain only when the
# domain's dot is spelt out or bracketed ("ivan at mail dot ru"), and not
# after the words that most often stand before an ordinary "at".
_SPELT_OUT_DOT = re.compile(
    r"[\[({]\s*(?:\.|dot|точка|тчк|дот)\s*[\])}]|\s(?:dot|точка|тчк|дот)\s", re.IGNORECASE
)
_WORDS_BEFORE_AT = _words(
    """
    is was are were be been being am it this that them us me him her you we they look
    looks looked looking see seen saw read check visit go went come came found find
    posted published hosted mirrored available online live lives lived stay stayed work
    works worked sits arrived arrive site website page here there up out back directly
    only also even just still
    """
)
_MAILBOX_BEFORE = re.compile(r"(?<![\w.+%-])[\w+%-](?:[\w.+%-]*[\w+%-])?\Z")
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")


class _Normalised:
    """A normalised text and, per character, the span of the original it comes from.

    ``starts``/``ends`` are ``None`` while the text is the original unchanged.
    """

    __slots__ = ("ends", "original", "starts", "text")

    def __init__(self, original, text=None, starts=None, ends=None):
        self.original = original
        self.text = original if text is None else text
        self.starts = starts
        self.ends = ends

    def origin(self, start, end):
        """The original span of the normalised span ``[start, end)``."""
        if self.starts is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def rewritten(self, start, end):
        """Whether normalisation changed anything in ``[start, end)``."""
        if self.starts is None:
            return False
        original_start, original_end = self.origin(start, end)
        return self.original[original_start:original_end] != self.text[start:end]

    def rewrite(self, replacements):
        """A copy with each ``(start, end, new)`` replaced; the span maps to the whole original."""
        if not replacements:
            return self
        text = self.text
        starts = self.starts if self.starts is not None else range(len(text))
        ends = self.ends if self.ends is not None else range(1, len(text) + 1)
        pieces, new_starts, new_ends = [], [], []
        position = 0
        for start, end, new in replacements:
            pieces.append(text[position:start])
            new_starts.extend(starts[position:start])
            new_ends.extend(ends[position:start])
            pieces.append(new)
            new_starts.extend([starts[start]] * len(new))
            new_ends.extend([ends[end - 1]] * len(new))
            position = end
        pieces.append(text[position:])
        new_starts.extend(starts[position:])
        new_ends.extend(ends[position:])
        return _Normalised(self.original, "".join(pieces), new_starts, new_ends)


def _normalise_characters(text):
    """NFKC, invisible characters dropped, ideographic full stops made ``.``."""
    if text.isascii() or (
        unicodedata.is_normalized("NFKC", text) and not _NEEDS_CHARACTER_PASS.search(text)
    ):
        return _Normalised(text)
    pieces, starts, ends = [], [], []
    position, length = 0, len(text)
    while position < length:
        if _INVISIBLE_RE.match(text, position):
            position += 1
            continue
        # A base character and its combining marks are normalised together.
        end = position + 1
        while end < length and unicodedata.combining(text[end]):
            end += 1
        chunk = text[position:end]
        normal = unicodedata.normalize("NFKC", chunk)
        if normal != chunk and _UNSAFE_NFKC.search(normal):
            normal = chunk
        normal = normal.replace("\u3002", ".")
        pieces.append(normal)
        starts.extend([position] * len(normal))
        ends.extend([end] * len(normal))
        position = end
    return _Normalised(text, "".join(pieces), starts, ends)


def _between_words(text, start, end, *, spaced):
    """``start, end`` widened over the spaces around, if a word stands on both sides.

    With ``spaced``, at least one space is required on each side. ``None``
    when a side has no word.
    """
    before = _SPACES_BEFORE.search(text, max(0, start - 20), start)
    after = _SPACES_AFTER.match(text, end)
    new_start, new_end = before.start(), after.end()
    if spaced and (new_start == start or new_end == end):
        return None
    if new_start == 0 or not text[new_start - 1].isalnum():
        return None
    if new_end == len(text) or not text[new_end].isalnum():
        return None
    return new_start, new_end


def _may_hide_a_dot_or_scheme(text):
    # Cheap substring tests first: the pattern, run on every comment, would
    # cost more than linkify-it's own pass on the usual text.
    lowered = text.lower()
    return (
        "dot" in lowered
        or "точк" in lowered
        or "тчк" in lowered
        or "дот" in lowered
        or "xxp" in lowered
        or "**p" in lowered
        or ":]" in text
        or ":)" in text
        or _BRACKETED_DOT.search(text) is not None
        or (not text.isascii() and _MIDDLE_DOT.search(text) is not None)
    )


def _deobfuscate_dots_and_schemes(normalised):
    text = normalised.text
    replacements = []
    if not _may_hide_a_dot_or_scheme(text):
        return normalised
    for match in _OBFUSCATION.finditer(text):
        kind, start, end = match.lastgroup, match.start(), match.end()
        if kind in ("scheme", "bracket_colon"):
            if start and _WORD_CHARACTER_BEFORE_SCHEME.match(text, start - 1):
                continue
            new = "https:" if match.group("secure") else "http:"
            if kind == "bracket_colon":
                new = match.group("known") + ":"
        elif kind == "middot":
            # Glued between two words it stands in for a dot; spaced, it separates.
            if not (start > 0 and end < len(text)) or not (
                text[start - 1].isalnum() and text[end].isalnum()
            ):
                continue
            new = "."
        else:
            span = _between_words(text, start, end, spaced=kind == "word_dot")
            if span is None:
                continue
            if kind == "word_dot":
                before = _WORD_BEFORE.search(text, max(0, span[0] - 40), span[0]).group()
                after = _WORD_AFTER.match(text, span[1]).group()
                if before.lower() in _DETERMINERS or after.lower() in _FUNCTION_WORDS:
                    continue
            if replacements and replacements[-1][1] > span[0]:
                continue
            start, end, new = *span, "."
            # "сайт точка ру": a top-level domain spelt in Cyrillic letters.
            spelt = _WORD_AFTER.match(text, end)
            if spelt and spelt.group().lower() in _SPELT_TOP_LEVEL_DOMAINS:
                end, new = spelt.end(), "." + _SPELT_TOP_LEVEL_DOMAINS[spelt.group().lower()]
        replacements.append((start, end, new))
    return normalised.rewrite(replacements)


def _deobfuscate_at(normalised):
    text = normalised.text
    replacements = []
    # The bare words count only beside an obfuscated domain, that is after a
    # rewrite; the other forms need a bracket or an "@".
    if "@" not in text and normalised.starts is None:
        lowered = text.lower()
        if not (("at" in lowered or "собака" in lowered) and _BRACKET.search(text)):
            return normalised
    for match in _AT_MARK.finditer(text):
        start, end = match.span()
        before = _SPACES_BEFORE.search(text, max(0, start - 20), start)
        after = _SPACES_AFTER.match(text, end)
        if match.group() == "@" and before.start() == start and after.end() == end:
            continue  # a plain address: linkify-it's business
        start, end = before.start(), after.end()
        mailbox = _MAILBOX_BEFORE.search(text, max(0, start - 64), start)
        if not mailbox:
            continue
        domain = _DOMAIN.match(text, end)
        if not domain or domain.group().rsplit(".", 1)[-1].lower() not in _TLD_SET:
            continue
        obfuscated = normalised.rewritten(*domain.span())
        if match.group("word") and not (
            _SPELT_OUT_DOT.search(normalised.original, *normalised.origin(*domain.span()))
            and mailbox.group().lower() not in _WORDS_BEFORE_AT
        ):
            continue  # "look at bbc.com", "mirrored at wikileaks(.)org": an ordinary "at"
        if not obfuscated and _is_capitalised(domain.group().rsplit(".", 1)[-1]):
            continue  # "met at Davos.It was": a sentence, not a mailbox
        if replacements and replacements[-1][1] > start:
            continue
        replacements.append((start, end, "@"))
    return normalised.rewrite(replacements)


def _normalise(text):
    normalised = _normalise_characters(text)
    normalised = _deobfuscate_dots_and_schemes(normalised)
    return _deobfuscate_at(normalised)


# --- Detection -------------------------------------------------------------

_UNICODE_EMAIL = re.compile(
    rf"(?<![\w.+%-])[\w+%-](?:[\w.+%-]*[\w+%-])?@(?P<domain>{_LABEL}(?:\.{_LABEL})+)"
)
_IPV6 = re.compile(
    r"(?:\b(?:https?|ftp)://)?\[(?P<address>[0-9a-f:.]*:[0-9a-f:.]*)\]"
    r"(?::\d{1,5})?(?:[/?#][^\s<>\"'\[\]]*)?",
    re.IGNORECASE,
)
_HTML_ANCHOR = re.compile(r"<a\s(?=[^<>]*\bhref\b)[^<>]*>", re.IGNORECASE)
_HTML_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)
_MARKDOWN_INLINE = re.compile(
    r"""
    !?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]
    \(\s*(?P<target><[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)
    (?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)
    """,
    re.VERBOSE,
)
# Anywhere after a space, not only at the start of a line: a comment form
# field is often one line.
_MARKDOWN_DEFINITION = re.compile(
    r"(?<!\S)\[(?P<label>[^\[\]\n]+)\]:[ \t]*(?P<target><[^<>\n]*>|\S+)"
)
_BBCODE = re.compile(r"\[(?P<tag>url|iurl|link|email)(?P<argument>=[^\]\n]*)?\]", re.IGNORECASE)
_BBCODE_ENDS = {
    tag: re.compile(rf"\[/{tag}\]", re.IGNORECASE) for tag in ("url", "iurl", "link", "email")
}
# A Markdown target that is a link attempt however relative: "/about", "#top",
# "?page=2", "./x", "mailto:x", "news/2014", "report.pdf".
_PATH_LIKE_TARGET = re.compile(
    r"\Z|[/#?]|\.\.?/|[a-z][a-z0-9+.\-]*:|[^\W\d_][\w.\-]*/|[\w\-]+\.[a-z][a-z0-9]{1,4}\Z",
    re.IGNORECASE,
)
_URL_LIKE_TARGET = re.compile(r"[/#?<]|\.\.?/|[a-z][a-z0-9+.\-]*:", re.IGNORECASE)


def _overlaps(start, end, spans):
    return any(start < other_end and other_start < end for other_start, other_end, _ in spans)


# linkify-it spends most of its time trying its fuzzy-host pattern at every
# position of the text. No link spans whitespace, and what linkify-it decides
# about a match depends only on the characters of its whitespace-delimited
# token and on a separator or the start of text before it. So it is fed only
# the tokens that can hold a link (a ".", "@", ":" or "/" followed by more than
# closing punctuation), joined by single spaces: same matches, a fraction of
# the text. A test checks the equivalence on the corpus and linkify-it's
# fixtures.
_LINK_SIGN = re.compile(r"[.@:/][^\s.,;:!?)\]}'\"»…]")
_TOKEN_TAIL = re.compile(r"\S*")


def _candidate_tokens(text):
    """``(start, token)`` for each whitespace-delimited token that can hold a link."""
    tokens = []
    token_end = 0
    for sign in _LINK_SIGN.finditer(text):
        position = sign.start()
        if position < token_end:
            continue  # a second sign in a token already taken
        start = position
        while start > token_end and not text[start - 1].isspace():
            start -= 1
        token_end = _TOKEN_TAIL.match(text, position).end()
        tokens.append((start, text[start:token_end]))
    return tokens


def _linkify_spans(text):
    """linkify-it's matches in ``text`` as ``(start, end, schema)``, glued ones included.

    The glued ones are found in a copy with glue blanked out by spaces of the
    same length, so that positions found in the copy are positions in the
    text; they are kept only where the first pass found nothing, because a
    first-pass link is the more faithful fragment (the copy cuts
    "http://x.com//a" at the blanked "//").
    """
    tokens = _candidate_tokens(text)
    if not tokens:
        return []
    compact = " ".join(token for _, token in tokens)
    # shifts[i]: what to add to a position in token i of ``compact``.
    compact_starts, shifts = [], []
    position = 0
    for start, token in tokens:
        compact_starts.append(position)
        shifts.append(start - position)
        position += len(token) + 1

    def spans_in(compact_text):
        spans = []
        for match in _linkify.match(compact_text) or ():
            shift = shifts[bisect.bisect_right(compact_starts, match.index) - 1]
            spans.append((match.index + shift, match.last_index + shift, match.schema))
        return spans

    spans = spans_in(compact)
    unglued = _GLUE.sub(lambda m: " " * len(m.group()), compact)
    if unglued != compact:
        spans += [span for span in spans_in(unglued) if not _overlaps(*span[:2], spans)]
    return spans


_NOT_BARE = re.compile(r"[/:?#@\[]")


def _kind(normalised, start, end, schema):
    """``"link"``, ``"name"`` or ``"missing_space"`` for a span linkify-it found."""
    raw = normalised.text[start:end]
    if schema or raw[:4].lower() == "www." or _NOT_BARE.search(raw):
        return "link"
    labels = raw.split(".")
    tld = labels[-1]
    if not _is_capitalised(tld) or tld.lower() in _WEB_TOP_LEVEL_DOMAINS:
        return "link"
    if normalised.rewritten(start, end):
        return "link"
    if all(_is_abbreviation(label) for label in labels[:-1]):
        return "name"
    # The sentence before ends in a word, a number or a name: "war.So",
    # "at 10.30.Next", "in St.Petersburg.Moscow".
    sentence_end = all(label.isdigit() for label in labels[:-1]) or all(
        _is_abbreviation(label) for label in labels[:-2]
    )
    if (
        sentence_end
        and labels[-2][-1:].isalnum()
        and (len(tld) > 2 or tld.lower() in _TWO_LETTER_WORDS)
    ):
        return "missing_space"
    return "link"


# linkify-it reads "href=example.com" as one host ("=" is a letter to it) and
# keeps a closing "[/url]" in a path, as it keeps "[other]" in
# "/blah_[other]". Neither is part of the address to quote.
_ATTRIBUTE_NAME = re.compile(r"[^\W\d_]+=(?=\S)")
_CLOSING_BBCODE_TAG = re.compile(r"\[/(?:url|iurl|link|email|img)\]\Z", re.IGNORECASE)


def _trim(text, start, end, schema):
    if not schema:
        attribute = _ATTRIBUTE_NAME.match(text, start, end)
        if attribute:
            start = attribute.end()
    closing = _CLOSING_BBCODE_TAG.search(text, start, end)
    if closing and closing.start() > start:
        end = closing.start()
    return start, end


def _find(normalised):
    """Sorted ``(start, end, kind)`` spans of the normalised text, names left out."""
    text = normalised.text
    found = []
    for start, end, schema in _linkify_spans(text):
        start, end = _trim(text, start, end, schema)
        found.append((start, end, _kind(normalised, start, end, schema)))

    extra = []
    if "@" in text:
        for match in _UNICODE_EMAIL.finditer(text):
            if match.group("domain").rsplit(".", 1)[-1].lower() in _TLD_SET:
                extra.append(match.span())
    if "[" in text:
        for match in _IPV6.finditer(text):
            try:
                ipaddress.IPv6Address(match.group("address"))
            except ValueError:
                continue
            extra.append(match.span())
    for start, end in extra:
        if not _overlaps(start, end, found):
            found.append((start, end, "link"))

    # Markup is reported whole only when it holds no link of its own.
    links = [span for span in found if span[2] == "link"]
    for start, end in _markup_spans(text):
        if not _overlaps(start, end, links):
            found.append((start, end, "link"))
    return sorted(span for span in found if span[2] != "name")


def _markup_spans(text):
    """Spans of link markup: the whole element when it is closed, else the opening tag."""
    if "<" in text:
        for match in _HTML_ANCHOR.finditer(text):
            closing = _HTML_ANCHOR_END.search(text, match.end())
            yield match.start(), closing.end() if closing else match.end()
    if "[" in text:
        for match in _MARKDOWN_INLINE.finditer(text):
            if _PATH_LIKE_TARGET.match(match.group("target").strip("<>")):
                yield match.span()
        if "]:" in text:
            for match in _MARKDOWN_DEFINITION.finditer(text):
                label = re.escape(match.group("label"))
                used = re.search(rf"\]\s?\[{label}\]|\[{label}\]\[\]", text, re.IGNORECASE)
                if used or _URL_LIKE_TARGET.match(match.group("target")):
                    yield match.span()
        for match in _BBCODE.finditer(text):
            closing = _BBCODE_ENDS[match.group("tag").lower()].search(text, match.end())
            if closing:
                yield match.start(), closing.end()
            elif match.group("argument") is not None:
                yield match.span()


# --- Public API ------------------------------------------------------------


@dataclass(frozen=True)
class LinkCheck:
    """What the no-links rule finds in a text.

    ``links`` are refused fragments; ``missing_spaces`` are sentence ends
    written without a space that read as a domain ("war.So"). Both are
    substrings of the checked text exactly as written, in order of appearance.
    """

    links: list[str] = field(default_factory=list)
    missing_spaces: list[str] = field(default_factory=list)

    def __bool__(self):
        return bool(self.links or self.missing_spaces)


def check_links(text: str) -> LinkCheck:
    """Find the links in ``text``, and the missing spaces that read like one.

    See the module docstring for what counts as a link and how normalisation,
    names and missing spaces are decided.
    """
    normalised = _normalise(text)
    links, missing_spaces = [], []
    for start, end, kind in _find(normalised):
        original_start, original_end = normalised.origin(start, end)
        fragment = text[original_start:original_end]
        (missing_spaces if kind == "missing_space" else links).append(fragment)
    return LinkCheck(links=links, missing_spaces=missing_spaces)


def find_links(text: str) -> list[str]:
    """Return the link fragments found in ``text``, in order of appearance.

    Each fragment is a substring of ``text`` exactly as written (no scheme
    added, no normalisation undone), so it can be quoted back to the
    commenter: "example[.]com" is returned as typed. An empty list means the
    text has no link. Links are URLs with or without a scheme, ``www.``
    addresses, bare domains under any ICANN top-level domain (IDN and
    punycode included), IPv4 and bracketed IPv6 addresses, e-mail addresses,
    obfuscated forms of all these, and link markup (HTML anchors, Markdown,
    BBCode). A domain glued to ``_``, ``-``, ``@``, ``.``, extra slashes, a
    misspelt scheme or an impossible port still counts as a link. Missing
    spaces after a full stop ("war.So") are not links: see ``check_links``.
    """
    return check_links(text).links
