"""Country names, looked up fast: django-countries translates a name on every lookup, and a
letter page names a hundred countries and as many signatories' countries."""

from functools import cache

import pyuca
from django.utils import translation
from django_countries import countries


@cache
def _names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_name(code: str) -> str:
    """The country's name in the active language ("" for an unknown code)."""
    return _names(translation.get_language() or "en").get(code, "")


@cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()  # reads the collation table once per process


def collation_key(name: str):
    """Sorts names the way readers of their script expect (the Unicode Collation Algorithm:
    "Égypte" with the E's, Cyrillic and Arabic names in alphabetical order), where sorting by
    code points would put every accented or non-Latin name in the wrong place. django-countries
    sorts its own lists (the sign form's select) the same way once pyuca is installed."""
    return _collator().sort_key(name)
