from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config.views import favicon, healthz
from publication.caching import public_cache_page

urlpatterns = [
    path("", include("publication.urls")),
    path("", include("signatories.urls")),
    path("api/", include("publication.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "privacy/",
        public_cache_page(TemplateView.as_view(template_name="privacy.html")),
        name="privacy",
    ),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
]
