from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from commentary.sitemaps import SITEMAPS, NewsSitemap, RobotsTxtView
from config import health

admin.site.site_header = format_lazy(_("{site} editorial desk"), site=settings.SITE_NAME)
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Articles, columns and comments")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    # Sitemaps and robots.txt sit outside any language prefix: crawlers find them at the root.
    path("robots.txt", RobotsTxtView.as_view(), name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    # Before the sections' pattern, which would otherwise take "news" for a section name.
    path(
        "sitemap-news.xml",
        sitemap_views.sitemap,
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="sitemap_news",
    ),
    path(
        "sitemap-<str:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    # The language switcher on every page posts here without a CSRF token: all a forged post
    # can do is set a reader's language cookie (the view redirects only within the site), and
    # without a per-reader token in the header every public page is the same bytes for every
    # reader, which the page cache, browsers and a CDN can share.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("moderation/", include("commentary.moderation.urls")),
]

# Readers' pages carry their interface language in the address, /en/… and /ru/…, so that each
# language version has its own URL for search engines (and hreflang links between them). An
# address without it ("/", or an old link) is redirected by LocaleMiddleware to the language
# of the reader's cookie or Accept-Language header. Staff tools (admin, moderation), the
# language switch and the crawlers' files above stay unprefixed.
urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("", include("commentary.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
