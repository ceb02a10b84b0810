"""Behaviour of the WordPress export (WXR) parser in ``commentary.wordpress``.

``fixtures/wordpress-export.xml`` is shaped like a real WordPress 6.4 export (site "Eurasia
Desk"). No database is needed.
"""

import dataclasses
import datetime
import io
from pathlib import Path

import pytest

from commentary.wordpress import (
    WxrAuthor,
    WxrCategory,
    WxrComment,
    WxrError,
    WxrPost,
    WxrSite,
    parse_wxr,
    wordpress_html_to_paragraphs,
)

EXPORT = Path(__file__).resolve().parent / "fixtures" / "wordpress-export.xml"
UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def wxr(items="", *, namespace="http://wordpress.org/export/1.2/", channel=""):
    """A minimal export around ``items`` (XML for <item> elements), as bytes."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="{namespace}"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:excerpt="{namespace}excerpt/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Mini</title>
<link>https://mini.example</link>
<wp:wxr_version>{namespace[-4:-1]}</wp:wxr_version>
{channel}
{items}
</channel>
</rss>
""".encode()


def item(*, title="A post", post_id="<wp:post_id>7</wp:post_id>", status="publish", extra=""):
    return f"""<item>
<title>{title}</title>
<dc:creator>ed</dc:creator>
<content:encoded><![CDATA[Body]]></content:encoded>
{post_id}
<wp:post_date>2020-05-01 12:00:00</wp:post_date>
<wp:post_date_gmt>2020-05-01 10:00:00</wp:post_date_gmt>
<wp:status>{status}</wp:status>
<wp:post_type>post</wp:post_type>
{extra}
</item>"""


@pytest.fixture(scope="module")
def site():
    return parse_wxr(EXPORT)


def post_by_id(site, wp_id):
    return next(post for post in site.posts if post.wp_id == wp_id)


# --- the fixture export, field by field -------------------------------------------------


def test_site_fields(site):
    assert isinstance(site, WxrSite)
    assert site.title == "Eurasia Desk"
    assert site.link == "https://eurasiadesk.example"
    assert site.language == "en-GB"
    assert [post.wp_id for post in site.posts] == [101, 102, 103, 104]
    # One attachment and one page were skipped, counted by post type.
    assert site.skipped == {"attachment": 1, "page": 1}


def test_authors(site):
    assert site.authors == (
        WxrAuthor(
            login="anna.volkova",
            email="anna@eurasiadesk.example",
            display_name="Анна Волкова",
            first_name="Анна",
            last_name="Волкова",
        ),
        WxrAuthor(
            login="tomas",
            email="tomas.okonkwo@eurasiadesk.example",
            display_name="Tomás Okonkwo-Lindqvist",
            first_name="Tomás",
            last_name="Okonkwo-Lindqvist",
        ),
    )


def test_categories(site):
    assert site.categories == (
        WxrCategory(
            slug="eurasia-watch",
            name="Eurasia Watch",
            description=(
                "Anna Volkova’s weekly column on Moscow’s neighbourhood — «ближнее зарубежье»."
            ),
        ),
        WxrCategory(slug="energy-notes", name="Energy Notes", description=""),
    )


def test_published_post_with_every_kind_of_comment(site):
    post = post_by_id(site, 101)
    assert isinstance(post, WxrPost)
    expected_comments = (
        WxrComment(
            wp_id=11,
            parent_wp_id=None,
            author_name="Dmitri K.",
            author_email="dmitri.k@mail.example",
            author_url="",
            date_gmt=utc(2024, 3, 6, 11, 5, 31),
            content=(
                "Good piece. The price gap is the whole story — Газпром needs this more than "
                "CNPC does."
            ),
            approved=True,
            comment_type="comment",
            approval="1",
        ),
        WxrComment(
            wp_id=12,
            parent_wp_id=None,
            author_name="Li Wei",
            author_email="li.wei@example.cn",
            author_url="",
            date_gmt=utc(2024, 3, 6, 17, 17, 2),
            content="Beijing is in no hurry.\n中国不着急。",
            approved=False,
            comment_type="comment",
            approval="0",
        ),
        WxrComment(
            wp_id=13,
            parent_wp_id=None,
            author_name="Cheap Pipeline Deals",
            author_email="sales@spam.example",
            author_url="http://spam.example/",
            date_gmt=utc(2024, 3, 7, 0, 0),
            content="Great article!!! Best prices on steel pipe, buy now.",
            approved=False,
            comment_type="comment",
            approval="spam",
        ),
        WxrComment(
            wp_id=14,
            parent_wp_id=11,
            author_name="Анна Волкова",
            author_email="anna@eurasiadesk.example",
            author_url="https://eurasiadesk.example",
            date_gmt=utc(2024, 3, 6, 12, 30),
            content="Спасибо, Дмитрий! Agreed — the price is where it stalls.",
            approved=True,
            comment_type="comment",
            approval="1",
        ),
    )
    assert post == WxrPost(
        wp_id=101,
        title="Eurasia Watch: Moscow and Beijing’s “No Limits” Partnership Finds Its Limits",
        slug="moscow-beijing-no-limits",
        link="https://eurasiadesk.example/2024/03/06/moscow-beijing-no-limits/",
        creator_login="anna.volkova",
        content_html=(
            "When Vladimir Putin and Xi Jinping declared a partnership “without limits” in "
            "February 2022, few expected the limits to show up in a gas pipeline.\n"
            "\n"
            "<h2>Power of Siberia 2 — still on paper</h2>\n"
            "Moscow wants Beijing to commit to the pipeline;\n"
            "Beijing wants a price that Gazprom cannot accept.\n"
            "\n"
            "<blockquote>“Россия и Китай — стратегические партнёры, но у каждого свои "
            "интересы.”\n"
            "\n"
            "— a Russian energy analyst, speaking to <em>Eurasia Desk</em></blockquote>\n"
            "\n"
            "The result is a partnership that looks solid from Red Square and Tiananmen, and "
            "rather thinner from Ürümqi."
        ),
        excerpt="Why the “no limits” partnership keeps running into a pipeline.",
        status="publish",
        post_type="post",
        date_gmt=utc(2024, 3, 6, 9, 0),  # wp:post_date_gmt, not the Moscow-time wp:post_date
        categories=("Eurasia Watch",),
        tags=("Россия", "China"),
        comments=expected_comments,
        language=None,  # only _edit_last in postmeta
    )
    # Only "1" is approved: a pending comment and spam are both unapproved, and
    # ``approval`` tells them apart.
    assert [(c.approved, c.approval) for c in post.comments] == [
        (True, "1"),
        (False, "0"),
        (False, "spam"),
        (True, "1"),
    ]
    for comment in post.comments:
        assert comment.date_gmt.utcoffset() == datetime.timedelta(0)


def test_published_post_with_cyrillic_slug_link_comment_and_pingback(site):
    post = post_by_id(site, 102)
    assert post == WxrPost(
        wp_id=102,
        title="Eurasia Watch: Баку, Ереван и каспийский транзит",
        # wp:post_name is percent-encoded UTF-8 in the export; the slug is decoded ...
        slug="баку-ереван",
        # ... the link is kept exactly as WordPress wrote it.
        link=(
            "https://eurasiadesk.example/2024/03/13/"
            "%d0%b1%d0%b0%d0%ba%d1%83-%d0%b5%d1%80%d0%b5%d0%b2%d0%b0%d0%bd/"
        ),
        creator_login="tomas",
        content_html=(
            "Пока Москва занята Украиной, Баку и Ереван торгуются о «Зангезурском коридоре».\n"
            "\n"
            "Анкара внимательно следит за переговорами.\n"
            "Тегеран — тоже."
        ),
        excerpt="",
        status="publish",
        post_type="post",
        date_gmt=utc(2024, 3, 13, 8, 30),
        categories=("Eurasia Watch", "Energy Notes"),
        tags=("South Caucasus", "Türkiye", "Россия"),
        comments=(
            WxrComment(
                wp_id=21,
                parent_wp_id=None,
                author_name="Gülnara Əliyeva",
                author_email="gulnara@example.az",
                author_url="https://baku-notes.example/",
                date_gmt=utc(2024, 3, 13, 16, 44, 10),
                # The link is returned verbatim: dropping or rejecting it is the importer's job.
                content=(
                    "The corridor text is public — see "
                    '<a href="https://www.example.org/zangezur-memo.pdf" rel="nofollow ugc">'
                    "the memorandum</a> or https://www.example.org/map."
                ),
                approved=True,
                comment_type="comment",
                approval="1",
            ),
            WxrComment(
                wp_id=22,
                parent_wp_id=None,
                author_name="Caspian Brief",
                author_email="",
                author_url="https://caspianbrief.example/2024/03/corridor/",
                date_gmt=utc(2024, 3, 14, 6, 2, 55),
                content="[&#8230;] Eurasia Desk argues that Ankara is watching closely [&#8230;]",
                approved=True,
                comment_type="pingback",
                approval="1",
            ),
        ),
        language="ru",  # from the "language" custom field
    )


def test_draft_has_no_slug_and_no_date(site):
    post = post_by_id(site, 103)
    assert post == WxrPost(
        wp_id=103,
        title="Energy Notes: Turkish Stream’s arithmetic",
        slug="",
        link="https://eurasiadesk.example/?p=103",
        creator_login="tomas",
        content_html=(
            "Notes for next week: volumes through Turkish Stream, Kıyıköy landfall, transit to "
            "Hungary.\n\nTODO — check BOTAŞ figures."
        ),
        excerpt="",
        status="draft",
        post_type="post",
        # "0000-00-00 00:00:00": the draft's date floats; wp:post_date is only "last saved".
        date_gmt=None,
        categories=("Energy Notes",),
        tags=(),
        comments=(),
        language=None,
    )


def test_scheduled_post(site):
    post = post_by_id(site, 104)
    assert post == WxrPost(
        wp_id=104,
        title="Energy Notes: What the Caspian Pipeline Consortium’s Outages Mean for Kazakhstan",
        slug="cpc-outages-kazakhstan",
        link="https://eurasiadesk.example/?p=104",
        creator_login="anna.volkova",
        content_html=(
            "<p>Kazakhstan ships about 80% of its oil exports through the CPC line to "
            "Novorossiysk.</p>\n\n<ul>\n<li>Storm damage in 2022</li>\n\n"
            "<li>Court-ordered halts</li>\n</ul>\n"
            "Astana’s alternative — the Middle Corridor — is slow and expensive."
        ),
        excerpt="",
        status="future",
        post_type="post",
        date_gmt=utc(2024, 4, 2, 7, 30),
        categories=("Energy Notes",),
        tags=("Kazakhstan",),
        comments=(),
        language="en",  # an empty "language" field is passed over for "_language"
    )


def test_results_are_frozen(site):
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.posts[0].title = "Changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.posts[0].comments[0].approved = False


def test_source_may_be_a_path_string_bytes_or_a_file(site):
    data = EXPORT.read_bytes()
    assert parse_wxr(str(EXPORT)) == site
    assert parse_wxr(data) == site
    assert parse_wxr(io.BytesIO(data)) == site
    with EXPORT.open("rb") as handle:
        assert parse_wxr(handle) == site
    # A text-mode file works too (the XML parser takes the decoded str).
    assert parse_wxr(io.StringIO(data.decode())) == site


def test_xml_text_as_a_str_is_refused_rather_than_opened_as_a_path():
    with pytest.raises(TypeError, match="pass the XML as bytes"):
        parse_wxr(EXPORT.read_text(encoding="utf-8"))


# --- variants ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_all_wxr_versions_are_read(version):
    site = parse_wxr(
        wxr(
            item(extra="<excerpt:encoded>Short</excerpt:encoded>"),
            namespace=f"http://wordpress.org/export/{version}/",
        )
    )
    assert [(p.wp_id, p.title, p.excerpt, p.creator_login) for p in site.posts] == [
        (7, "A post", "Short", "ed")
    ]
    assert site.language is None
    assert site.authors == site.categories == ()
    assert site.skipped == {}


def test_zeroed_gmt_date_of_a_published_post_falls_back_to_local_date_as_utc():
    zeroed = "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>"
    data = wxr(item(status="publish", extra=""))
    data = data.replace(b"<wp:post_date_gmt>2020-05-01 10:00:00</wp:post_date_gmt>", b"")
    data = data.replace(b"<wp:post_type>", zeroed.encode() + b"<wp:post_type>")
    (post,) = parse_wxr(data).posts
    assert post.date_gmt == utc(2020, 5, 1, 12, 0)
    (pending,) = parse_wxr(data.replace(b">publish<", b">pending<")).posts
    assert pending.date_gmt is None


def test_comment_with_zeroed_gmt_date_and_empty_type():
    comment = """<wp:comment>
<wp:comment_id>5</wp:comment_id>
<wp:comment_author>Old reader</wp:comment_author>
<wp:comment_date>2009-01-02 03:04:05</wp:comment_date>
<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>
<wp:comment_content>First!</wp:comment_content>
<wp:comment_approved>trash</wp:comment_approved>
<wp:comment_type></wp:comment_type>
</wp:comment>"""
    (post,) = parse_wxr(wxr(item(extra=comment))).posts
    assert post.comments == (
        WxrComment(
            wp_id=5,
            parent_wp_id=None,
            author_name="Old reader",
            author_email="",
            author_url="",
            date_gmt=utc(2009, 1, 2, 3, 4, 5),
            content="First!",
            approved=False,
            comment_type="comment",
            approval="trash",
        ),
    )


# --- errors -----------------------------------------------------------------------------


def assert_one_line(error):
    message = str(error.value)
    assert "\n" not in message
    assert isinstance(error.value, ValueError)
    return message


def test_not_xml():
    with pytest.raises(WxrError) as error:
        parse_wxr(b"Title,Author\nEurasia Watch,Anna\n")
    assert assert_one_line(error) == "line 1: malformed XML: syntax error at column 1"


def test_truncated_xml_reports_the_line():
    data = EXPORT.read_bytes()[:5000]
    with pytest.raises(WxrError) as error:
        parse_wxr(data)
    message = assert_one_line(error)
    last_line = data.count(b"\n") + 1
    assert message.startswith(f"line {last_line}: malformed XML: ")


def test_empty_file():
    with pytest.raises(WxrError, match="^not a WordPress export: the file is empty$"):
        parse_wxr(b"  \n")


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        # Not even XML: a login page saved instead of the export.
        b"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>Log In</title>",
    ],
    ids=["xhtml", "html"],
)
def test_html_root(data):
    with pytest.raises(WxrError) as error:
        parse_wxr(data)
    assert assert_one_line(error) == "not a WordPress export: the root element is <html>"


def test_plain_rss_feed_is_not_an_export():
    feed = b'<rss version="2.0"><channel><title>Feed</title><item/></channel></rss>'
    with pytest.raises(WxrError) as error:
        parse_wxr(feed)
    assert assert_one_line(error) == (
        "not a WordPress export: an RSS feed without <wp:wxr_version>"
    )


def test_unknown_wxr_namespace():
    with pytest.raises(WxrError, match=r"^unsupported WXR version: namespace .*/export/9\.9/$"):
        parse_wxr(wxr(namespace="http://wordpress.org/export/9.9/"))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>
"""


def test_xml_bomb_is_refused():
    with pytest.raises(WxrError) as error:
        parse_wxr(BILLION_LAUGHS)
    assert assert_one_line(error) == (
        "refused XML entity declaration <!ENTITY lol ...>: entities are not allowed in a "
        "WordPress export (they can expand without bound)"
    )


def test_even_a_harmless_entity_is_refused_which_plain_elementtree_would_accept():
    # Proves defusedxml does the parsing: the standard library expands this happily.
    from xml.etree import ElementTree

    data = wxr(item(title="&desk;")).replace(
        b"<rss", b'<!DOCTYPE rss [<!ENTITY desk "Eurasia Desk">]>\n<rss', 1
    )
    title = ElementTree.fromstring(data).find("channel/item/title")  # noqa: S314 - our constant
    assert title.text == "Eurasia Desk"
    with pytest.raises(WxrError, match=r"^refused XML entity declaration <!ENTITY desk \.\.\.>"):
        parse_wxr(data)


def test_external_entity_is_refused():
    data = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b"<rss><channel><title>&secret;</title></channel></rss>"
    )
    with pytest.raises(WxrError, match=r"^refused XML entity declaration <!ENTITY secret"):
        parse_wxr(data)


def test_missing_post_id():
    data = wxr(item() + item(title="Eurasia Watch: Тбилиси", post_id=""))
    with pytest.raises(WxrError) as error:
        parse_wxr(data)
    assert assert_one_line(error) == 'item 2 ("Eurasia Watch: Тбилиси"): missing wp:post_id'


def test_missing_post_id_in_the_fixture_names_the_item():
    data = EXPORT.read_bytes().replace(b"<wp:post_id>103</wp:post_id>", b"")
    with pytest.raises(WxrError) as error:
        parse_wxr(data)
    # Items are counted in file order, the skipped attachment included.
    assert assert_one_line(error) == (
        'item 4 ("Energy Notes: Turkish Stream’s arithmetic"): missing wp:post_id'
    )


def test_bad_values_name_the_item_and_field():
    with pytest.raises(WxrError) as error:
        parse_wxr(wxr(item(post_id="<wp:post_id>12a</wp:post_id>")))
    assert assert_one_line(error) == (
        "item 1 (\"A post\"): wp:post_id is not a whole number: '12a'"
    )

    bad_date = item().replace("2020-05-01 10:00:00", "2020-02-30 10:00:00")
    with pytest.raises(WxrError) as error:
        parse_wxr(wxr(bad_date))
    assert assert_one_line(error) == (
        'item 1 ("A post"): wp:post_date_gmt is not a date (YYYY-MM-DD HH:MM:SS): '
        "'2020-02-30 10:00:00'"
    )

    comment = "<wp:comment><wp:comment_author>X</wp:comment_author></wp:comment>"
    with pytest.raises(WxrError) as error:
        parse_wxr(wxr(item(title="", extra=comment)))
    assert assert_one_line(error) == "item 1, comment 1: missing wp:comment_id"


def test_long_titles_are_shortened_in_messages():
    title = "Eurasia Watch: " + "very " * 30 + "long"
    with pytest.raises(WxrError) as error:
        parse_wxr(wxr(item(title=title, post_id="")))
    message = assert_one_line(error)
    assert message.startswith('item 1 ("Eurasia Watch: very very')
    assert message.endswith('..."): missing wp:post_id')
    assert len(message) < 100


def test_skipped_items_are_not_validated_but_need_a_type():
    page = "<item><title>About</title><wp:post_type>page</wp:post_type></item>"
    menu = "<item><wp:post_type>nav_menu_item</wp:post_type></item>"
    site = parse_wxr(wxr(page + menu + menu))
    assert site.posts == ()
    assert site.skipped == {"page": 1, "nav_menu_item": 2}

    with pytest.raises(WxrError, match=r'^item 1 \("About"\): missing wp:post_type$'):
        parse_wxr(wxr("<item><title>About</title></item>"))


def test_missing_author_login():
    author = "<wp:author><wp:author_email>x@example.org</wp:author_email></wp:author>"
    with pytest.raises(WxrError, match="^author 1: missing wp:author_login$"):
        parse_wxr(wxr(channel=author))


def test_unreadable_path_raises_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        parse_wxr(tmp_path / "missing.xml")


# --- wordpress_html_to_paragraphs -------------------------------------------------------


def test_paragraphs_from_blank_lines_and_line_breaks():
    text = "First paragraph.\n\nSecond line one\nSecond line two\n\n\n  Third.  "
    assert wordpress_html_to_paragraphs(text) == (
        "<p>First paragraph.</p>\n<p>Second line one<br>\nSecond line two</p>\n<p>Third.</p>"
    )


def test_windows_line_endings_and_whitespace_only_blank_lines():
    assert wordpress_html_to_paragraphs("One\r\n \t\r\nTwo\r\nthree") == (
        "<p>One</p>\n<p>Two<br>\nthree</p>"
    )


def test_block_elements_are_left_alone_even_across_blank_lines():
    text = (
        "Intro with <em>inline</em> HTML.\n"
        "<h2>Heading</h2>\n"
        "After the heading\n\n"
        "<blockquote>Quoted\n\nstill quoted</blockquote>\n\n"
        "<ul>\n<li>one</li>\n\n<li>two</li>\n</ul>\n"
        "<figure><img src='a.jpg' alt=''><figcaption>Map</figcaption></figure>\n\n"
        "<table><tr><td>1</td></tr></table>\n"
        '<p class="lead">Already a paragraph</p>\n'
        "<hr />\n"
        "End."
    )
    assert wordpress_html_to_paragraphs(text) == (
        "<p>Intro with <em>inline</em> HTML.</p>\n"
        "<h2>Heading</h2>\n"
        "<p>After the heading</p>\n"
        "<blockquote>Quoted\n\nstill quoted</blockquote>\n"
        "<ul>\n<li>one</li>\n\n<li>two</li>\n</ul>\n"
        "<figure><img src='a.jpg' alt=''><figcaption>Map</figcaption></figure>\n"
        "<table><tr><td>1</td></tr></table>\n"
        '<p class="lead">Already a paragraph</p>\n'
        "<hr />\n"
        "<p>End.</p>"
    )


def test_nested_and_uppercase_block_elements():
    text = "<DIV><div>inner\n\nstill inner</div>\n\nouter</DIV>\n\nafter"
    assert wordpress_html_to_paragraphs(text) == (
        "<DIV><div>inner\n\nstill inner</div>\n\nouter</DIV>\n<p>after</p>"
    )


def test_unclosed_block_element_ends_at_the_next_blank_line():
    assert wordpress_html_to_paragraphs("<p>Never closed\n\nNext") == (
        "<p>Never closed\n<p>Next</p>"
    )


def test_gutenberg_comments_and_paragraphs_pass_through():
    text = "<!-- wp:paragraph -->\n<p>Block editor text</p>\n<!-- /wp:paragraph -->"
    assert wordpress_html_to_paragraphs(text) == text


def test_nothing_is_escaped_and_shortcodes_stay():
    text = '[caption id="x"]<img src="m.png"> Map &amp; key[/caption]\n\nAT&T <b>bold'
    assert wordpress_html_to_paragraphs(text) == (
        '<p>[caption id="x"]<img src="m.png"> Map &amp; key[/caption]</p>\n<p>AT&T <b>bold</p>'
    )


def test_empty_input():
    assert wordpress_html_to_paragraphs("") == ""
    assert wordpress_html_to_paragraphs(" \n\n ") == ""


def test_fixture_posts_and_idempotence(site):
    html = wordpress_html_to_paragraphs(post_by_id(site, 101).content_html)
    assert html == (
        "<p>When Vladimir Putin and Xi Jinping declared a partnership “without limits” in "
        "February 2022, few expected the limits to show up in a gas pipeline.</p>\n"
        "<h2>Power of Siberia 2 — still on paper</h2>\n"
        "<p>Moscow wants Beijing to commit to the pipeline;<br>\n"
        "Beijing wants a price that Gazprom cannot accept.</p>\n"
        "<blockquote>“Россия и Китай — стратегические партнёры, но у каждого свои "
        "интересы.”\n\n"
        "— a Russian energy analyst, speaking to <em>Eurasia Desk</em></blockquote>\n"
        "<p>The result is a partnership that looks solid from Red Square and Tiananmen, and "
        "rather thinner from Ürümqi.</p>"
    )
    for post in site.posts:
        once = wordpress_html_to_paragraphs(post.content_html)
        assert wordpress_html_to_paragraphs(once) == once
