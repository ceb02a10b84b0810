"""WSGI entry point: gunicorn serves ``config.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Cached pages for anonymous readers are answered before Django handles the request
# (commentary/page_cache); imported once Django is set up, as it reads the models.
from commentary.page_cache import CachedPages  # noqa: E402

application = CachedPages(application)
