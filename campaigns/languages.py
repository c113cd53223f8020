"""The languages a letter's text is written in.

A letter's title, summary and body are stored once per language of the site, in fields named
after django-modeltranslation's convention (`title_fr`, `body_zh_hans`…; registered in
campaigns/translation.py). One language is the letter's authoritative one: its text is the one
that binds, that versions record, and that readers see when their language has no text.
"""

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

TEXT_FIELDS = ("title", "summary", "body")


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def localized(field: str, language: str) -> str:
    """The name of `field` in `language`: ("title", "zh-hans") -> "title_zh_hans"."""
    return build_localized_fieldname(field, language)


def text_field_names(language: str) -> list[str]:
    return [localized(field, language) for field in TEXT_FIELDS]


def all_text_field_names() -> list[str]:
    return [name for code in codes() for name in text_field_names(code)]


def name_of(language: str) -> str:
    """The language's name in itself, as the switcher shows it."""
    return dict(settings.LANGUAGES).get(language, language)
