"""Country names, looked up fast: django-countries translates a name on every lookup, and a
letter page names a hundred countries and as many signatories' countries."""

from functools import cache

from django.utils import translation
from django_countries import countries


@cache
def _names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_name(code: str) -> str:
    """The country's name in the active language ("" for an unknown code)."""
    return _names(translation.get_language() or "en").get(code, "")
