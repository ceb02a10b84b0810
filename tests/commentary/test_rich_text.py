"""Rich text in article bodies: what the editor offers, what is kept on save (pasted Word and
Google Docs HTML included), and footnotes linked for readers."""

import re

import pytest
from django.db import models
from django.template import Context, Template
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.fields import ProseEditorField

from commentary.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    BODY_EDITOR_EXTENSIONS,
    link_footnotes,
    paragraphs_to_html,
    sanitize_html,
)
from commentary.models import Article
from tests.factories import ArticleFactory

WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml>
 <o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings>
</xml><![endif]-->
<style>
<!-- p.MsoNormal {margin:0cm; font-size:12.0pt; font-family:"Calibri",sans-serif;} -->
</style>
</head>
<body lang=EN-US style='tab-interval:36.0pt;word-wrap:break-word'>
<!--StartFragment-->
<h2 style='margin-top:12.0pt'><span lang=EN-US>Why Sochi Mattered</span></h2>
<p class=MsoNormal style='margin-bottom:0cm;line-height:normal'><b><span lang=EN-US
style='font-size:12.0pt;font-family:"Times New Roman",serif'>Moscow</span></b><span
lang=EN-US style='font-size:12.0pt;font-family:"Times New Roman",serif'> and <i>Beijing</i>
agree on more than they admit.<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;
mso-list:l0 level1 lfo1'><![if !supportLists]><span
lang=EN-US style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span
lang=EN-US>Energy<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;
mso-list:l1 level1 lfo2'><![if !supportLists]><span
lang=EN-US><span style='mso-list:Ignore'>2.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span
lang=EN-US>Arms<o:p></o:p></span></p>
<p class=MsoNormal><span lang=EN-US>See <a href="https://www.worldpoliticsreview.com/"
style='color:blue'>WPR</a>.<sup>1</sup><o:p></o:p></span></p>
<!--EndFragment-->
</body>
</html>"""

GOOGLE_DOCS_PASTE = (
    '<meta charset="utf-8"><b style="font-weight:normal;" '
    'id="docs-internal-guid-5c1e7a2b-7fff-4a1f-9c3d-0d6a1b2c3d4e">'
    '<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;'
    "background-color:transparent;font-weight:700;font-style:normal;font-variant:normal;"
    'text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">'
    "Sanctions</span>"
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;'
    'background-color:transparent;font-weight:400;font-style:normal;"> have </span>'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:400;'
    'font-style:italic;">not</span>'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:400;"> worked.</span>'
    "</p><br>"
    '<ul style="margin-top:0;margin-bottom:0;padding-inline-start:48px;">'
    '<li dir="ltr" style="list-style-type:disc;font-size:11pt;" aria-level="1">'
    '<p dir="ltr" style="line-height:1.38;" role="presentation">'
    '<span style="font-size:11pt;font-weight:400;">Oil</span></p></li></ul>'
    "</b><br>"
)


# --- what the editor offers and what the sanitiser keeps agree ------------------------------


def test_the_allow_list_is_what_the_editor_can_make_plus_footnote_ids():
    editor = allowlist_from_extensions(BODY_EDITOR_EXTENSIONS)

    assert editor["tags"] == ALLOWED_TAGS
    assert editor["url_schemes"] == {"http", "https", "mailto"}
    for tag, attributes in ALLOWED_ATTRIBUTES.items():
        extra = attributes - editor["attributes"].get(tag, set())
        assert extra <= {"id"}, (tag, extra)


def test_the_body_is_a_prose_editor_field_stored_as_a_text_field():
    field = Article._meta.get_field("body")

    assert isinstance(field, ProseEditorField)
    _name, path, _args, _kwargs = field.deconstruct()
    assert path == "django.db.models.TextField"
    assert isinstance(field, models.TextField)


# --- pasted HTML comes out clean ------------------------------------------------------------


def test_pasted_word_html_becomes_plain_semantic_html():
    cleaned = sanitize_html(WORD_PASTE)

    assert cleaned == (
        "<h2>Why Sochi Mattered</h2>\n"
        "<p><strong>Moscow</strong> and <em>Beijing</em>\nagree on more than they admit.</p>\n"
        "<p>Energy</p>\n"
        "<p>2. Arms</p>\n"
        '<p>See <a href="https://www.worldpoliticsreview.com/" rel="noopener noreferrer">WPR</a>'
        ".<sup>1</sup></p>"
    )


def test_pasted_google_docs_html_keeps_its_bold_and_italic_and_nothing_else():
    cleaned = sanitize_html(GOOGLE_DOCS_PASTE)

    assert cleaned == (
        "<p><strong>Sanctions</strong> have <em>not</em> worked.</p><ul><li><p>Oil</p></li></ul>"
    )


@pytest.mark.parametrize("sample", [WORD_PASTE, GOOGLE_DOCS_PASTE], ids=["word", "google-docs"])
def test_pasted_html_loses_every_presentational_trace(sample):
    cleaned = sanitize_html(sample)

    for trace in ("style=", "class=", "id=", "lang=", "dir=", "<span", "<o:p", "o:p>", "<!--",
                  "[if", "endif", "<b>", "<b ", "<meta", "<xml", "mso-", "MsoNormal", "&nbsp;",
                  "Calibri"):  # fmt: skip
        assert trace not in cleaned, trace


def test_a_bold_tag_that_google_docs_marks_as_normal_is_not_bold():
    assert sanitize_html('<b style="font-weight: normal"><p>Plain</p></b>') == "<p>Plain</p>"


def test_presentational_bold_and_italic_tags_become_strong_and_em():
    assert sanitize_html("<p><b>Bold</b> and <i>italic</i></p>") == (
        "<p><strong>Bold</strong> and <em>italic</em></p>"
    )


def test_unsafe_markup_and_link_schemes_are_removed():
    cleaned = sanitize_html(
        '<p onclick="steal()">Text<script>alert(1)</script>'
        '<a href="javascript:alert(1)">bad</a> '
        '<a href="mailto:desk@example.org" target="_blank">mail</a>'
        "<img src=x onerror=alert(1)></p><style>p{color:red}</style>"
    )

    assert cleaned == (
        '<p>Text<a rel="noopener noreferrer">bad</a> '
        '<a href="mailto:desk@example.org" rel="noopener noreferrer">mail</a></p>'
    )


def test_tags_the_editor_cannot_edit_are_reduced_to_their_text():
    cleaned = sanitize_html(
        "<p><u>underlined</u> <abbr title='x'>NATO</abbr></p><h1>Big</h1><h5>Small</h5>"
        "<table><tr><td>cell</td></tr></table>"
    )

    assert cleaned == "<p>underlined NATO</p>BigSmallcell"


def test_only_footnote_ids_survive():
    cleaned = sanitize_html(
        '<p>A<sup id="fnref-1">1</sup><sup id="evil">2</sup></p>'
        '<ol start="2"><li id="fn-1" class="x">Note</li><li id="main">Other</li></ol>'
    )

    assert cleaned == (
        '<p>A<sup id="fnref-1">1</sup><sup>2</sup></p>'
        '<ol start="2"><li id="fn-1">Note</li><li>Other</li></ol>'
    )


def test_sanitising_twice_changes_nothing():
    once = sanitize_html(WORD_PASTE + GOOGLE_DOCS_PASTE)

    assert sanitize_html(once) == once


@pytest.mark.django_db
def test_saving_an_article_cleans_a_pasted_body():
    article = ArticleFactory(body=GOOGLE_DOCS_PASTE)
    article.refresh_from_db()

    assert article.body == (
        "<p><strong>Sanctions</strong> have <em>not</em> worked.</p><ul><li><p>Oil</p></li></ul>"
    )


def test_plain_text_still_becomes_escaped_paragraphs():
    html = sanitize_html(paragraphs_to_html(["Russia & China <agree>.", "Second."]))

    assert html == "<p>Russia &amp; China &lt;agree&gt;.</p>\n<p>Second.</p>"


# --- footnotes ------------------------------------------------------------------------------

ARTICLE_WITH_NOTES = (
    "<p>Russia<sup>1</sup> and China<sup>[2]</sup> agree; 10<sup>3</sup> troops moved.</p>"
    "<p>Again Russia<sup>1</sup>.</p>"
    "<h2>Notes</h2>"
    "<ol><li><p>Kremlin statement, Feb. 6, 2014.</p></li>"
    '<li><p>See <a href="https://example.org/" rel="noopener noreferrer">the report</a>.</p></li>'
    "</ol>"
)


def test_footnote_markers_link_to_their_notes_and_back():
    linked = link_footnotes(ARTICLE_WITH_NOTES)

    assert '<sup id="fnref-1"><a href="#fn-1" role="doc-noteref">1</a></sup>' in linked
    assert '<sup id="fnref-2"><a href="#fn-2" role="doc-noteref">[2]</a></sup>' in linked
    assert '<sup id="fnref-1-2"><a href="#fn-1" role="doc-noteref">1</a></sup>' in linked
    assert (
        '<li id="fn-1"><p>Kremlin statement, Feb. 6, 2014. '
        '<a href="#fnref-1" role="doc-backlink" aria-label="Back to the text">\u21a9\ufe0e</a>'
        "</p></li>"
    ) in linked
    assert '<li id="fn-2"><p>See <a href="https://example.org/"' in linked
    assert linked.count('role="doc-backlink"') == 2


def test_a_superscript_with_no_such_note_is_left_alone():
    linked = link_footnotes(ARTICLE_WITH_NOTES)

    assert "10<sup>3</sup> troops" in linked


def test_notes_without_a_list_or_a_heading_change_nothing():
    no_heading = "<p>Russia<sup>1</sup>.</p><ol><li>One</li></ol>"
    other_heading = "<p>Russia<sup>1</sup>.</p><h2>Background</h2><ol><li>One</li></ol>"

    assert link_footnotes(no_heading) == no_heading
    assert link_footnotes(other_heading) == other_heading
    assert link_footnotes("") == ""


def test_notes_headings_in_russian_and_with_a_colon_are_recognised():
    russian = "<p>Москва<sup>1</sup>.</p><h3>Примечания</h3><ol><li>Заявление МИД.</li></ol>"
    colon = "<p>Moscow<sup>1</sup>.</p><h4>Notes:</h4><ol><li>Statement.</li></ol><p>End.</p>"

    assert 'id="fn-1"' in link_footnotes(russian)
    linked = link_footnotes(colon)
    assert '<li id="fn-1">Statement. <a href="#fnref-1"' in linked
    assert linked.endswith("</ol><p>End.</p>")


def test_linked_footnotes_survive_the_sanitiser_ids_and_all():
    linked = link_footnotes(ARTICLE_WITH_NOTES)
    cleaned = sanitize_html(linked)

    assert 'id="fnref-1"' in cleaned
    assert 'id="fn-2"' in cleaned


def test_the_footnotes_filter_links_the_body_in_a_template():
    template = Template("{% load article_tags %}{{ body|footnotes }}")

    rendered = template.render(Context({"body": ARTICLE_WITH_NOTES}))

    assert re.search(r'<sup id="fnref-1"><a href="#fn-1"', rendered)
    assert "&lt;" not in rendered
