"""Behaviour of ``find_links``, the detector behind the no-links rule on comments.

Most cases are linkify-it's own fixtures, read in place from the shared
folder beside the clone, so that we are measured against a suite we did not
write. No database is needed.
"""

import json
import re
from pathlib import Path

import pytest

from commentary.links import TOP_LEVEL_DOMAINS, find_links

# Found from this file rather than settings.BASE_DIR so that the module also
# runs without Django (pytest -p no:django); the layout is the same in CI.
SHARED = Path(__file__).resolve().parents[3] / "shared"
PEER_FIXTURES = SHARED / "peer-tests" / "linkify-it"
SEED_ARTICLE = SHARED / "seed" / "global-insights-2014-02-11.txt"

MISSING = object()


def _require(value, path):
    # A missing shared folder must fail the run, never skip: skipped peer tests
    # would let the detector drift from linkify-it's suite unnoticed.
    if value is MISSING:
        pytest.fail(
            f"{path} not found: the shared folder must sit beside the clone "
            f"({SHARED}); tests on shared data cannot be skipped.",
            pytrace=False,
        )
    return value


def _read(path):
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return MISSING


def _fixture_lines(name):
    """(line number, line) pairs, without the lines linkify-it treats as comments.

    As in linkify-it's own test (test/test.js), only lines *starting* with "%" are
    comments: an inline "% ..." tail stays in the tested text (linkify-it must
    and does ignore it), and cutting at any "%" would truncate URLs holding
    percent-escapes such as "%3A".
    """
    text = _read(PEER_FIXTURES / name)
    if text is MISSING:
        return MISSING
    lines = re.split(r"\r?\n", text)
    return [(number, re.sub(r"^%.*", "", line)) for number, line in enumerate(lines, start=1)]


def _missing_param(name, *, arity):
    return [pytest.param(*[MISSING] * arity, id=f"{name}-MISSING")]


def _case_id(name, number, text):
    return f"{name}:{number}: {text.strip()}"


def _peer_link_cases():
    # A non-blank line is a text; a non-blank line right after it is the link
    # expected from it and is consumed, otherwise the text is its own link.
    lines = _fixture_lines("links.txt")
    if lines is MISSING:
        return _missing_param("links.txt", arity=2)
    cases = []
    consumed = False
    for index, (number, line) in enumerate(lines):
        if consumed:
            consumed = False
            continue
        if not line.strip():
            continue
        following = lines[index + 1][1] if index + 1 < len(lines) else ""
        expected = following if following.strip() else line
        consumed = bool(following.strip())
        cases.append(pytest.param(line, expected, id=_case_id("links.txt", number, line)))
    return cases


def _disputed_texts():
    text = _read(PEER_FIXTURES / "site_policy_disputes.json")
    if text is MISSING:
        return MISSING
    disputes = json.loads(text)
    assert disputes["file"] == "not_links.txt"
    return {case["text"] for case in disputes["cases"] if case["site_has_link"]}


def _peer_not_link_cases(*, disputed):
    lines = _fixture_lines("not_links.txt")
    refused = _disputed_texts()
    if lines is MISSING or refused is MISSING:
        return _missing_param("not_links.txt or site_policy_disputes.json", arity=1)
    return [
        pytest.param(line, id=_case_id("not_links.txt", number, line))
        for number, line in lines
        if line.strip() and (line in refused) == disputed
    ]


@pytest.mark.parametrize(("text", "expected"), _peer_link_cases())
def test_peer_fixture_link_is_found(text, expected):
    text = _require(text, PEER_FIXTURES / "links.txt")
    # linkify-it's own test compares the match's url with normalisation
    # disabled, i.e. the raw text; our fragments are raw text too.
    assert expected in find_links(text)


@pytest.mark.parametrize("text", _peer_not_link_cases(disputed=False))
def test_peer_fixture_not_link_is_accepted(text):
    text = _require(text, PEER_FIXTURES / "not_links.txt")
    assert find_links(text) == []


@pytest.mark.parametrize("text", _peer_not_link_cases(disputed=True))
def test_peer_fixture_disputed_not_link_is_refused(text):
    text = _require(text, PEER_FIXTURES / "site_policy_disputes.json")
    fragments = find_links(text)
    assert fragments
    assert all(fragment in text for fragment in fragments)


def test_every_disputed_case_is_a_line_of_not_links():
    # Otherwise a typo in the JSON would silently turn a refusal into nothing.
    refused = _require(_disputed_texts(), PEER_FIXTURES / "site_policy_disputes.json")
    lines = _require(_fixture_lines("not_links.txt"), PEER_FIXTURES / "not_links.txt")
    assert refused <= {line for _, line in lines}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Read [the report](http://x.com) first.", ["http://x.com"]),
        ('<a href="https://example.com/page">click</a>', ["https://example.com/page"]),
        ("<a href='example.org'>here</a>", ["example.org"]),
        ("Write to ivan.petrov@example.com please.", ["ivan.petrov@example.com"]),
        ("See www.example.org for more.", ["www.example.org"]),
        ("Join https://t.me/channel now", ["https://t.me/channel"]),
        ("Сайт пример.рф.", ["пример.рф"]),
        ("президент.рф", ["президент.рф"]),
        ("xn--e1afmkfd.xn--p1ai", ["xn--e1afmkfd.xn--p1ai"]),
        ("DNS 8.8.8.8 is fast", ["8.8.8.8"]),
        (
            "Подробности: https://пример.рф/статья?id=1 — там всё.",
            ["https://пример.рф/статья?id=1"],
        ),
        ("Смотрите example.com и пишите в комментариях.", ["example.com"]),
        ("Buy at shop.москва or site.онлайн", ["shop.москва", "site.онлайн"]),
        ("ftp://files.example.net/a.zip", ["ftp://files.example.net/a.zip"]),
        ("visit example.com:8080/x", ["example.com:8080/x"]),
        ("mailto:someone@ibm.com", ["mailto:someone@ibm.com"]),
    ],
    ids=repr,
)
def test_link_is_found(text, expected):
    assert find_links(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "U.S.",
        "e.g.",
        "i.e.",
        "3.5 billion",
        "St. Petersburg",
        "т.е.",
        "10.30",
        "2013-2014",
        "3.5%",
        "The U.S. and the U.N. agreed, e.g. on trade, i.e. 3.5 billion dollars in 2013-2014.",
        "Meeting at 10.30 in St. Petersburg; growth was 3.5% (Ph.D. thesis, No.1, a.m.).",
        "Xi’s visit to Sochi marks the first time a Chinese leader has done so.",
        "Это, т.е. всё сказанное, было в 10.30 утра в Санкт-Петербурге, т.д. и т.п.",
        "Рост составил 3.5% за 2013-2014 гг., т.е. 3.5 млрд руб.",
        "Ratio 3:1 at 10:30, version 1.2.3 of node.js",
        "snake_case_name and _emphasis_ and co-operation, pre- and post-war",
        "@username said hi",
        "",
    ],
    ids=repr,
)
def test_plain_prose_has_no_link(text):
    assert find_links(text) == []


def test_bare_cyrillic_domain_is_a_link():
    assert find_links("Заходите на пример.рф") == ["пример.рф"]


def test_punycode_domain_is_a_link():
    assert find_links("xn--e1afmkfd.xn--p1ai") == ["xn--e1afmkfd.xn--p1ai"]


def test_fragments_keep_their_spelling_and_order():
    text = "Пишите на IVAN@Example.COM, заходите на Пример.РФ и HTTP://WWW.Example.org/Path"
    assert find_links(text) == ["IVAN@Example.COM", "Пример.РФ", "HTTP://WWW.Example.org/Path"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see _example.com_ now", ["example.com"]),
        ("__http://example.com__", ["http://example.com"]),
        ("hppt://example.com and ///test.com", ["example.com", "test.com"]),
        ("@example.com", ["example.com"]),
        ("http://.example.com", ["example.com"]),
        ("google.com:500000", ["google.com"]),
    ],
    ids=repr,
)
def test_domain_glued_to_its_neighbours_is_still_a_link(text, expected):
    assert find_links(text) == expected


def test_link_found_whole_is_not_reported_twice():
    # The second pass blanks "//" in a copy; a link the first pass found whole
    # must not come back as a second, shorter fragment.
    assert find_links("http://example.com//a_b_ and x.com") == ["http://example.com//a_b_", "x.com"]


@pytest.mark.parametrize(
    "tld",
    [
        "com",
        "shop",
        "рф",
        "москва",
        "рус",
        "укр",
        "бел",
        "онлайн",
        "сайт",
        "орг",
        "дети",
        "католик",
        "ком",
        "срб",
        "қаз",
        "中国",
        "xn--p1ai",
        "xn--80adxhks",
        "xn--fiqs8s",
    ],
)
def test_top_level_domains_come_from_the_public_suffix_list(tld):
    assert tld in TOP_LEVEL_DOMAINS


def test_seed_article_has_no_link():
    article = _require(_read(SEED_ARTICLE), SEED_ARTICLE)
    assert find_links(article) == []
