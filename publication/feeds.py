"""What feed readers and search engines read: an Atom feed of the public letters and a
sitemap of the public pages. Both come from Django's own frameworks (syndication, sitemaps)."""

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from campaigns.models import Letter

FEED_LETTERS = 50


class LetterFeed(Feed):
    """Public letters, the newest first (by when they opened)."""

    feed_type = Atom1Feed
    title = _("Open letters")
    subtitle = _("Letters organisations can sign, and letters they signed.")

    def link(self):
        return reverse("publication:home")

    def items(self):
        return Letter.objects.public().order_by(
            F("opened_at").desc(nulls_last=True), "-created_at"
        )[:FEED_LETTERS]

    def item_title(self, letter):
        return letter.title

    def item_description(self, letter):
        return letter.summary

    def item_pubdate(self, letter):
        return letter.opened_at or letter.created_at

    def item_updateddate(self, letter):
        return letter.updated_at


class LanguageVersions:
    """Each page once per language, each entry linking its versions in the others (hreflang)."""

    i18n = True
    alternates = True
    x_default = True


class HomeSitemap(LanguageVersions, Sitemap):
    changefreq = "daily"

    def items(self):
        return ["publication:home"]

    def location(self, name):
        return reverse(name)


class LetterSitemap(LanguageVersions, Sitemap):
    changefreq = "hourly"

    def items(self):
        return Letter.objects.public().order_by("pk")

    def lastmod(self, letter):
        return letter.updated_at


SITEMAPS = {"home": HomeSitemap, "letters": LetterSitemap}
