"""Link detection for reader comments.

The site's rule is "You can comment this article, but links are not allowed."
Recognition is linkify-it's (the library markdown-it uses), fed with every
top-level domain of the Public Suffix List so that bare domains such as
``президент.рф`` or ``example.shop`` are caught without a home-made URL regex.
"""

import re

import publicsuffixlist
from linkify_it import LinkifyIt

__all__ = ["find_links"]


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


# With the full list, some words that read like file extensions are real TLDs
# (.pm, .pl, .py, .zip, .mov, .app…), so "script.py" or "movie.mov" standing on
# their own are refused: they are resolvable host names, and telling a file
# name from a domain is not possible from the text alone. Extensions that are
# not TLDs (.js, .jpg, .txt) stay harmless. linkify-it still refuses a domain
# glued to a preceding ":" or "/", so "path:to:file.pm" and "/path/to/file.pl"
# pass.
TOP_LEVEL_DOMAINS = _icann_top_level_domains()

# Built once, at import: it sits on the path of every comment posted. Its
# patterns, with ~1,600 TLD alternatives, take tens of milliseconds to compile;
# linkify-it-py keeps them as strings, so they live in the re module's cache.
_linkify = LinkifyIt(options={"fuzzy_link": True, "fuzzy_email": True, "fuzzy_ip": True})
_linkify.tlds(TOP_LEVEL_DOMAINS, True)

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
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _spans(text):
    return [(m.index, m.last_index) for m in _linkify.match(text) or ()]


def find_links(text: str) -> list[str]:
    """Return the link fragments found in ``text``, in order of appearance.

    Each fragment is a substring of ``text`` exactly as written (no scheme
    added, no normalisation), so it can be quoted back to the commenter. An
    empty list means the text has no link. Links are URLs with or without a
    scheme, ``www.`` addresses, bare domains under any ICANN top-level domain,
    IPv4 addresses and e-mail addresses, including those inside HTML anchors
    or Markdown links. A domain glued to ``_``, ``-``, ``@``, ``.``, extra
    slashes, a misspelt scheme or an impossible port still counts as a link.
    """
    spans = _spans(text)

    # Blank glue with spaces of the same length so that positions found in the
    # copy are positions in the original text.
    unglued = _GLUE.sub(lambda m: " " * len(m.group()), text)
    if unglued != text:
        # Keep only additions: a first-pass link is the more faithful fragment
        # (the copy cuts "http://x.com//a" at the blanked "//").
        spans += [
            (start, end)
            for start, end in _spans(unglued)
            if all(end <= s or start >= e for s, e in spans)
        ]

    return [text[start:end] for start, end in sorted(spans)]
