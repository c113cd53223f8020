from django.contrib import admin
from django.urls import include, path

from config.views import favicon, healthz, privacy

urlpatterns = [
    path("", include("publication.urls")),
    path("", include("signatories.urls")),
    path("api/", include("publication.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("privacy/", privacy, name="privacy"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
]

handler404 = "config.views.not_found"
