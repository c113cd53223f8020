"""The site's own address, for links that leave it (emails, the API's JSON)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` on this site, as an absolute URL built from SITE_URL."""
    return settings.SITE_URL + path
