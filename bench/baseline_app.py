"""The benchmark's baseline: a minimal WSGI application that answers each measured address
with the bytes the real site gave for it, from memory.

``bench/pages.py`` fetches every page once from the site, writes the bodies and a manifest
into a folder and serves this module under the same gunicorn settings as the site, so the
difference between the two is what Django, the database and the cache cost, not the HTTP
server, the network stack or the size of the page::

    BENCH_BASELINE_DIR=<folder> gunicorn bench.baseline_app:application

``manifest.json`` maps each address (path and query string, as sent) to the file that
holds its body and its ``Content-Type``. Any other address answers 404.
"""

import json
import os
from pathlib import Path


def load_pages(folder):
    """``{address: (content_type, body)}`` from the folder's manifest."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        address: (entry["content_type"], (folder / entry["file"]).read_bytes())
        for address, entry in manifest.items()
    }


PAGES = load_pages(os.environ["BENCH_BASELINE_DIR"])
NOT_FOUND = b"Not found\n"


def application(environ, start_response):
    # gunicorn passes the address exactly as the client sent it (still percent-encoded),
    # which is how the manifest names it.
    address = environ.get("RAW_URI") or environ.get("PATH_INFO", "")
    page = PAGES.get(address)
    if page is None:
        start_response(
            "404 Not Found",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(NOT_FOUND)))],
        )
        return [NOT_FOUND]
    content_type, body = page
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
