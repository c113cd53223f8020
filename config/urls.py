from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from config.views import favicon, healthz, privacy

# Public pages in every language: /fr/letters/<slug>/, /ar/letters/<slug>/sign/…; English has
# no prefix, so every address from before languages keeps working.
urlpatterns = i18n_patterns(
    path("", include("publication.urls")),
    path("", include("signatories.urls")),
    path("privacy/", privacy, name="privacy"),
    prefix_default_language=False,
)

urlpatterns += [
    path("", include("signatories.link_urls")),
    path("api/", include("publication.api_urls")),
    path("admin/", admin.site.urls),
    # Choosing a language changes nothing but the chooser's own cookie: no CSRF token needed,
    # so public pages stay cacheable for everyone.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
]

handler404 = "config.views.not_found"
