from django.urls import path
from django.views.generic import TemplateView

from publication import api
from publication.caching import public_cache_page

app_name = "api"

urlpatterns = [
    path("letters/", api.letters, name="letters"),
    path("letters/<slug:slug>/", api.letter, name="letter"),
    path("letters/<slug:slug>/signatories/", api.letter_signatories, name="letter_signatories"),
    path(
        "schema/",
        public_cache_page(
            TemplateView.as_view(
                template_name="publication/api/openapi.json", content_type="application/json"
            )
        ),
        name="schema",
    ),
]
