from django.contrib.sitemaps.views import sitemap
from django.urls import path

from publication import renditions, views
from publication.caching import public_cache_page
from publication.feeds import SITEMAPS, LetterFeed

app_name = "publication"

urlpatterns = [
    path("", views.home, name="home"),
    # Before the letters' own addresses: "feed" is not a letter (the slug is reserved).
    path("letters/feed/", public_cache_page(LetterFeed()), name="letter_feed"),
    path("sitemap.xml", public_cache_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("letters/<slug:slug>/", views.letter_detail, name="letter_detail"),
    path("letters/<slug:slug>/embed/", views.letter_embed, name="letter_embed"),
    path("letters/<slug:slug>/versions/", views.letter_versions, name="letter_versions"),
    path("letters/<slug:slug>/map.svg", renditions.letter_map, name="letter_map"),
    path("letters/<slug:slug>/card.png", renditions.letter_card, name="letter_card"),
    path("letters/<slug:slug>/letter.pdf", renditions.letter_pdf, name="letter_pdf"),
    path("letters/<slug:slug>/signatories.csv", views.signatories_csv, name="signatories_csv"),
]
