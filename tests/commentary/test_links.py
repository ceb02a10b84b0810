"""Behaviour of ``find_links``, the detector behind the no-links rule on comments.

Most cases are linkify-it's own fixtures, read in place from the shared
folder beside the clone, so that we are measured against a suite we did not
write; then our own rules, and a labelled corpus of reader comments
(``data/link_corpus.tsv``) on which recall and false-positive rate are pinned.
No database is needed, and everything but the validator tests at the end
runs without Django (pytest -p no:django).
"""

import dataclasses
import json
import re
from collections import namedtuple
from pathlib import Path

import pytest
from linkify_it import LinkifyIt

from commentary import links
from commentary.links import TOP_LEVEL_DOMAINS, LinkCheck, check_links, find_links

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


# --- Normalisation: obfuscated links are found and quoted as typed ---------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("see example[.]com now", ["example[.]com"], id="bracketed dot"),
        pytest.param("see example(.)com now", ["example(.)com"], id="parenthesised dot"),
        pytest.param("see example{.}com now", ["example{.}com"], id="braced dot"),
        pytest.param("see example [dot] com", ["example [dot] com"], id="bracketed word dot"),
        pytest.param("see example(dot)com", ["example(dot)com"], id="parenthesised word dot"),
        pytest.param("see example dot com", ["example dot com"], id="spelt dot"),
        pytest.param("Example DOT Com", ["Example DOT Com"], id="spelt dot in capitals"),
        pytest.param(
            "chinadaily dot com dot cn", ["chinadaily dot com dot cn"], id="two spelt dots"
        ),
        pytest.param("сайт пример точка рф", ["пример точка рф"], id="spelt dot in Russian"),
        pytest.param("mysite тчк рф", ["mysite тчк рф"], id="abbreviated Russian dot"),
        pytest.param("mysite точка ру", ["mysite точка ру"], id="TLD spelt in Cyrillic"),
        pytest.param("ivan at mail dot ru", ["ivan at mail dot ru"], id="spelt e-mail"),
        pytest.param("ivan [at] mail.ru", ["ivan [at] mail.ru"], id="bracketed at"),
        pytest.param("ivan(at)mail(dot)ru", ["ivan(at)mail(dot)ru"], id="parenthesised at and dot"),
        pytest.param("ivan {at} mail.ru", ["ivan {at} mail.ru"], id="braced at"),
        pytest.param("ivan [@] mail.ru", ["ivan [@] mail.ru"], id="bracketed @"),
        pytest.param("ivan @ mail.ru", ["ivan @ mail.ru"], id="spaced @"),
        pytest.param("ivan@ mail.ru", ["ivan@ mail.ru"], id="@ spaced on one side"),
        pytest.param("ivan собака mail точка ру", ["ivan собака mail точка ру"], id="Russian at"),
        pytest.param(
            "иван (собака) почта.рф", ["иван (собака) почта.рф"], id="Russian bracketed at"
        ),
        pytest.param("hxxp://example.com/a", ["hxxp://example.com/a"], id="hxxp"),
        pytest.param("hXXps://example[.]com/a", ["hXXps://example[.]com/a"], id="hxxps defanged"),
        pytest.param("h**p://example.com", ["h**p://example.com"], id="h**p"),
        pytest.param("h**ps://example.com", ["h**ps://example.com"], id="h**ps"),
        pytest.param("http[:]//example.com", ["http[:]//example.com"], id="bracketed colon"),
        pytest.param("see ｅｘａｍｐｌｅ．ｃｏｍ", ["ｅｘａｍｐｌｅ．ｃｏｍ"], id="full-width"),
        pytest.param("𝐞𝐱𝐚𝐦𝐩𝐥𝐞.𝐜𝐨𝐦", ["𝐞𝐱𝐚𝐦𝐩𝐥𝐞.𝐜𝐨𝐦"], id="mathematical bold"),
        pytest.param("ﬁnance.com", ["ﬁnance.com"], id="ligature"),
        pytest.param("example\u200b.com", ["example\u200b.com"], id="zero-width space"),
        pytest.param("ex\u200dample.com", ["ex\u200dample.com"], id="zero-width joiner"),
        pytest.param("exa\u00admple.com", ["exa\u00admple.com"], id="soft hyphen"),
        pytest.param("exam\u202aple.com", ["exam\u202aple.com"], id="bidi embedding"),
        pytest.param("exam\u2066ple.com", ["exam\u2066ple.com"], id="bidi isolate"),
        pytest.param("\ufeffexample.com", ["example.com"], id="byte order mark before"),
        pytest.param("example。com", ["example。com"], id="ideographic full stop"),
        pytest.param("example｡com", ["example｡com"], id="half-width ideographic full stop"),
        pytest.param("example\u2024com", ["example\u2024com"], id="one dot leader"),
        pytest.param("example\ufe52com", ["example\ufe52com"], id="small full stop"),
        pytest.param("example·com", ["example·com"], id="middle dot between letters"),
        pytest.param("vk・com/id1", ["vk・com/id1"], id="katakana middle dot"),
    ],
)
def test_obfuscated_link_is_found_as_typed(text, expected):
    assert find_links(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("The dot com bubble burst in 2000.", id="dot com bubble"),
        pytest.param("a pale blue dot is all we have", id="dot before a function word"),
        pytest.param("the dot in the middle", id="determiner before dot"),
        pytest.param("Моя точка зрения проста.", id="точка зрения"),
        pytest.param("Это точка невозврата, и точка.", id="точка in prose"),
        pytest.param("Собака лает, караван идёт.", id="собака in prose"),
        pytest.param("Look at the map; we met at noon.", id="at in prose"),
        pytest.param("e-mail me at the office", id="at before prose"),
        pytest.param("(at the time) he was in Sochi", id="parenthesised at prose"),
        pytest.param("Home · About · Contact", id="spaced middle dots"),
        pytest.param("col·legi", id="Catalan middle dot, no TLD"),
        pytest.param("example dot", id="spelt dot at the end"),
        pytest.param("dot com", id="spelt dot at the start"),
        pytest.param("[.]com", id="bracketed dot with nothing before"),
        pytest.param("hxxp is how analysts defang links", id="hxxp without address"),
    ],
)
def test_prose_that_resembles_an_obfuscation_is_not_a_link(text):
    assert check_links(text) == LinkCheck()


def test_spelt_at_after_an_ordinary_word_is_left_out_of_the_fragment():
    # "at" joins a mailbox only when the domain's dot is spelt out; otherwise
    # the domain alone is quoted.
    assert find_links("look at bbc.com") == ["bbc.com"]
    assert find_links("mirrored at wikileaks(.)org") == ["wikileaks(.)org"]
    assert find_links("The report sits at ria\u00ad.ru/world") == ["ria\u00ad.ru/world"]


# --- Position mapping -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("example[.]com", ["example[.]com"], id="bracket kept"),
        pytest.param(
            "a ｅｘａｍｐｌｅ．ｃｏｍ b", ["ｅｘａｍｐｌｅ．ｃｏｍ"], id="full-width kept"
        ),
        pytest.param("example.com\u200b is", ["example.com"], id="trailing invisible left out"),
        pytest.param("ﬁnance.com", ["ﬁnance.com"], id="one character that became two"),
        pytest.param(
            "e\u0301xample.com", ["e\u0301xample.com"], id="two characters that became one"
        ),
        pytest.param(
            "Write to ivan [at] mail [dot] ru or see hxxps://x[.]com/a, or example.org.",
            ["ivan [at] mail [dot] ru", "hxxps://x[.]com/a", "example.org"],
            id="several rewrites in one text",
        ),
        pytest.param(
            "ｘ.com\u200b, президент.рф и y[.]org",
            ["ｘ.com", "президент.рф", "y[.]org"],
            id="mapping survives earlier rewrites",
        ),
    ],
)
def test_fragment_is_the_original_substring(text, expected):
    fragments = find_links(text)
    assert fragments == expected
    assert all(fragment in text for fragment in fragments)


# --- Link forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '<a href="/about">about us</a>', ['<a href="/about">about us</a>'], id="relative"
        ),
        pytest.param('<a href="">x</a>', ['<a href="">x</a>'], id="empty href"),
        pytest.param("<a href='#top'>top</a>", ["<a href='#top'>top</a>"], id="fragment href"),
        pytest.param('<A CLASS="x" HREF=/x>y</A>', ['<A CLASS="x" HREF=/x>y</A>'], id="capitals"),
        pytest.param("<a href='/x'> and more", ["<a href='/x'>"], id="unclosed anchor"),
        pytest.param('<a href="https://x.com/p">x</a>', ["https://x.com/p"], id="absolute href"),
        pytest.param("<a href=example.com>x</a>", ["example.com"], id="unquoted domain"),
    ],
)
def test_html_anchor_is_a_link_attempt(text, expected):
    assert find_links(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[the report](/news/1)", ["[the report](/news/1)"], id="inline relative"),
        pytest.param("[the report]()", ["[the report]()"], id="inline empty"),
        pytest.param("![chart](/img/c.png)", ["![chart](/img/c.png)"], id="image"),
        pytest.param("[text](page.html)", ["[text](page.html)"], id="file target"),
        pytest.param("[x](</a b>)", ["[x](</a b>)"], id="angle-bracket target"),
        pytest.param('[x](http://x.com "t")', ["http://x.com"], id="inline absolute"),
        pytest.param("see [here][1]. [1]: /analysis", ["[1]: /analysis"], id="reference"),
        pytest.param("see [here][r]\n\n[r]: analysis", ["[r]: analysis"], id="used reference"),
        pytest.param("[1]: <http://x.com>", ["http://x.com"], id="reference absolute"),
        pytest.param("<http://example.com/a>", ["http://example.com/a"], id="autolink"),
        pytest.param("<ivan@mail.ru>", ["ivan@mail.ru"], id="e-mail autolink"),
    ],
)
def test_markdown_link_is_a_link_attempt(text, expected):
    assert find_links(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[url]/x[/url]", ["[url]/x[/url]"], id="url relative"),
        pytest.param("[url=/x]our page[/url]", ["[url=/x]our page[/url]"], id="url= relative"),
        pytest.param("[URL=/x]y[/URL]", ["[URL=/x]y[/URL]"], id="capitals"),
        pytest.param("[link=/x]y", ["[link=/x]"], id="link= unclosed"),
        pytest.param("[url]http://x.com/a[/url]", ["http://x.com/a"], id="url absolute"),
        pytest.param("[url=http://x.com]x[/url]", ["http://x.com"], id="url= absolute"),
        pytest.param("[link=www.rusi.org]RUSI[/link]", ["www.rusi.org"], id="link= www"),
        pytest.param("[email]a@b.com[/email]", ["a@b.com"], id="email"),
    ],
)
def test_bbcode_link_is_a_link_attempt(text, expected):
    assert find_links(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("He said [sic] partnership.", id="sic"),
        pytest.param("[...] and the rest", id="ellipsis in brackets"),
        pytest.param("[1](2014)", id="footnote before year"),
        pytest.param("[sic](2013/2014)", id="brackets before years"),
        pytest.param("[1]: Reuters, 12 March", id="footnote definition"),
        pytest.param("<b>bold</b> and <i>Pravda</i>", id="formatting tags"),
        pytest.param("x < y and y > z", id="comparison"),
        pytest.param("<sarcasm>alliance of equals</sarcasm>", id="pseudo tag"),
        pytest.param("<a>no href</a>", id="anchor without href"),
        pytest.param("[quote]text[/quote]", id="bbcode quote"),
        pytest.param("the [url] tag alone", id="bbcode url alone"),
        pytest.param("[12:30] meeting", id="time in brackets"),
    ],
)
def test_markup_without_a_link_attempt_is_plain_text(text):
    assert find_links(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("http://[2001:db8::1]/x", ["http://[2001:db8::1]/x"], id="IPv6 with scheme"),
        pytest.param("[2001:db8::1]", ["[2001:db8::1]"], id="IPv6 in brackets"),
        pytest.param("at [::1]:8080 now", ["[::1]:8080"], id="IPv6 with port"),
        pytest.param("DNS 77.88.8.8", ["77.88.8.8"], id="IPv4"),
        pytest.param("http://194.67.220.15:8080/a", ["http://194.67.220.15:8080/a"], id="IPv4 URL"),
        pytest.param("иван@почта.рф", ["иван@почта.рф"], id="Cyrillic e-mail"),
        pytest.param(
            "пётр.иванов@пример.рф", ["пётр.иванов@пример.рф"], id="Cyrillic dotted e-mail"
        ),
        pytest.param("t.me/channel", ["t.me/channel"], id="telegram"),
        pytest.param("wa.me/79161234567", ["wa.me/79161234567"], id="whatsapp"),
        pytest.param("vk.com/id1", ["vk.com/id1"], id="vk"),
        pytest.param("bit.ly/x and t.co/x", ["bit.ly/x", "t.co/x"], id="shorteners"),
        pytest.param("Kremlin.Ru", ["Kremlin.Ru"], id="capitalised web TLD"),
        pytest.param("Meduza.Io", ["Meduza.Io"], id="capitalised two-letter TLD"),
        pytest.param("X.Com", ["X.Com"], id="single letter before a web TLD"),
        pytest.param("г.москва", ["г.москва"], id="abbreviation before lowercase TLD"),
        pytest.param("mr.green", ["mr.green"], id="title before lowercase TLD"),
        pytest.param("M.SC", ["M.SC"], id="TLD in capitals"),
        pytest.param("archive.zip", ["archive.zip"], id="file name under a TLD"),
    ],
)
def test_link_form_is_found(text, expected):
    assert find_links(text) == expected


# --- Names, numbers and file names stay plain text ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "г.Москва",
        "в г.Москва и г.Владивосток",
        "M.Sc.",
        "B.Sc",
        "Ph.D.",
        "St.Petersburg",
        "St.George's day",
        "Mr.Putin",
        "Mr.Green",
        "Dr.House",
        "Dr.Who",
        "Mt.Everest",
        "Ms.Rice",
        "Jr.Smith",
        "Gen.Motors",
        "U.S.Army",
        "the U.S.It was",
        "ул.Ленина, д.5",
        "Пр.Мира",
        "им.Ленина",
        "В.В.Путин",
        "А.С.Пушкин",
        "U.S.",
        "e.g.",
        "i.e.",
        "a.m. and p.m.",
        "No.1",
        "т.е. т.д. т.п. т.к. т.н.",
        "3.5% and 3,5%",
        "10.30",
        "11.02.2014",
        "2013-2014",
        "v2.0",
        "1.2.3.400",
        "report.pdf",
        "data.xlsx",
        "photo.jpg",
        "script.js",
        "memo_final_v3.docx",
        "the .ru zone and the .com era",
    ],
)
def test_name_abbreviation_number_or_file_name_is_not_a_link(text):
    assert check_links(text) == LinkCheck()


# --- Missing spaces ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("about the war.So what", ["war.So"], id="war.So"),
        pytest.param("in Syria.It is", ["Syria.It"], id="Syria.It"),
        pytest.param("in 2014.How else", ["2014.How"], id="year before"),
        pytest.param("at 10.30.Next day", ["10.30.Next"], id="time before"),
        pytest.param("cares about Russia.Today the", ["Russia.Today"], id="long TLD"),
        pytest.param("было в Москве.Дети смотрели", ["Москве.Дети"], id="Cyrillic"),
        pytest.param("war.So and peace.No", ["war.So", "peace.No"], id="two"),
    ],
)
def test_missing_space_after_a_full_stop_is_a_hint_not_a_link(text, expected):
    assert check_links(text) == LinkCheck(links=[], missing_spaces=expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("war.so", id="lowercase"),
        pytest.param("war.SO", id="capitals"),
        pytest.param("war[.]So", id="obfuscated"),
        pytest.param("http://war.So", id="scheme"),
        pytest.param("war.So/path", id="path"),
        pytest.param("www.war.So", id="www"),
        pytest.param("news.bbc.Co", id="three labels"),
        pytest.param("Meduza.Io", id="two letters that are no word"),
        pytest.param("Google.Com", id="web TLD"),
        pytest.param("ivan@war.So", id="e-mail"),
    ],
)
def test_capitalised_domain_that_is_no_sentence_end_is_a_link(text):
    assert check_links(text) == LinkCheck(links=[text], missing_spaces=[])


def test_check_links_separates_links_from_missing_spaces():
    text = "See example.com about the war.So what."
    assert check_links(text) == LinkCheck(links=["example.com"], missing_spaces=["war.So"])
    assert find_links(text) == ["example.com"]


def test_check_links_on_clean_text_is_empty_and_falsy():
    result = check_links("Nothing to see here, e.g. 3.5% in 2014.")
    assert result == LinkCheck(links=[], missing_spaces=[])
    assert not result
    assert check_links("x.com")


def test_link_check_is_frozen():
    result = check_links("x.com")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.links = []


# --- The labelled corpus ----------------------------------------------------

CORPUS = Path(__file__).parent / "data" / "link_corpus.tsv"
CorpusLine = namedtuple("CorpusLine", "number label language text")


def _corpus():
    rows = []
    with CORPUS.open(encoding="utf-8") as corpus:
        for number, line in enumerate(corpus, start=1):
            label, language, text = line.rstrip("\n").split("\t")
            rows.append(CorpusLine(number, label, language, text))
    return rows


def test_corpus_is_large_balanced_and_well_formed():
    rows = _corpus()
    assert len(rows) >= 300
    assert {row.label for row in rows} == {"link", "clean"}
    assert {row.language for row in rows} == {"en", "ru"}
    for language in ("en", "ru"):
        for label in ("link", "clean"):
            assert sum(r.language == language and r.label == label for r in rows) >= 75
    assert 0.4 <= sum(row.label == "link" for row in rows) / len(rows) <= 0.6
    assert all(row.text and row.text == row.text.strip() for row in rows)
    assert len({row.text for row in rows}) == len(rows), "duplicate lines"


def test_corpus_recall_and_false_positive_rate():
    rows = _corpus()
    missed = [row for row in rows if row.label == "link" and not find_links(row.text)]
    flagged = [row for row in rows if row.label == "clean" and find_links(row.text)]
    recall = 1 - len(missed) / sum(row.label == "link" for row in rows)
    false_positive_rate = len(flagged) / sum(row.label == "clean" for row in rows)
    report = "\n".join(
        [f"recall {recall:.2%}, false-positive rate {false_positive_rate:.2%}"]
        + [f"missed link, line {r.number}: {r.text}" for r in missed]
        + [f"false positive, line {r.number}: {r.text} -> {find_links(r.text)}" for r in flagged]
    )
    assert recall >= 0.99 and false_positive_rate <= 0.01, report


def test_corpus_fragments_are_substrings_of_the_comment():
    for row in _corpus():
        result = check_links(row.text)
        assert all(fragment in row.text for fragment in result.links + result.missing_spaces)


# --- Speed-ups keep linkify-it's reading --------------------------------------


@pytest.fixture(scope="module")
def plain_linkify():
    # The straightforward set-up: the whole text, the TLDs as a plain list.
    reference = LinkifyIt(options={"fuzzy_link": True, "fuzzy_email": True, "fuzzy_ip": True})
    return reference.tlds(list(TOP_LEVEL_DOMAINS), True)


def _plain_spans(reference, text):
    spans = [(m.index, m.last_index, m.schema) for m in reference.match(text) or ()]
    unglued = links._GLUE.sub(lambda m: " " * len(m.group()), text)
    if unglued != text:
        spans += [
            (m.index, m.last_index, m.schema)
            for m in reference.match(unglued) or ()
            if all(m.last_index <= s or m.index >= e for s, e, _ in spans)
        ]
    return spans


def _equivalence_texts():
    texts = [row.text for row in _corpus()]
    for name in ("links.txt", "not_links.txt"):
        lines = _fixture_lines(name)
        if lines is not MISSING:
            texts += [line for _, line in lines if line.strip()]
    article = _read(SEED_ARTICLE)
    if article is not MISSING:
        texts.append(article)
    return texts


def test_reading_only_candidate_tokens_with_a_factored_tld_pattern_changes_nothing(
    plain_linkify,
):
    # _linkify_spans feeds linkify-it only the tokens that can hold a link,
    # with the TLDs as one prefix-factored pattern; the matches must be those
    # of the whole text read with the plain list.
    for text in _equivalence_texts():
        normalised = links._normalise(text).text
        assert links._linkify_spans(normalised) == _plain_spans(plain_linkify, normalised), text


# --- The validator (needs Django's settings) ---------------------------------


def _validation_error(value):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from commentary.validators import validate_no_links

    with translation.override("en"):
        try:
            validate_no_links(value)
        except ValidationError as error:
            return [(e.code, message) for e in error.error_list for message in e.messages]
    return None


def test_validator_accepts_clean_text():
    assert _validation_error("The U.S. and г.Москва, e.g. 3.5% in 2014.") is None


def test_validator_names_every_link():
    assert _validation_error("See example.com and ivan [at] mail.ru") == [
        (
            "link",
            "Links are not allowed in comments. Please remove: “example.com”, “ivan [at] mail.ru”.",
        )
    ]


def test_validator_asks_for_the_missing_space():
    assert _validation_error("About the war.So what?") == [
        (
            "missing_space",
            "Please add a space after the full stop in “war.So” — it reads like a web address.",
        )
    ]


def test_validator_asks_for_several_missing_spaces_in_the_plural():
    assert _validation_error("The war.So what? Syria.It is.") == [
        (
            "missing_space",
            "Please add a space after the full stop in “war.So”, “Syria.It”"
            " — they read like web addresses.",
        )
    ]


def test_validator_reports_links_and_missing_spaces_together():
    assert _validation_error("See x.com about the war.So what") == [
        ("link", "Links are not allowed in comments. Please remove: “x.com”."),
        (
            "missing_space",
            "Please add a space after the full stop in “war.So” — it reads like a web address.",
        ),
    ]
