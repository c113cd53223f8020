"""The page in each language: for the language switcher and the hreflang links of base.html."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

from config.kept_responses import NEUTRAL_PARAMETERS

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # in the language itself
    url: str  # this page in that language (the same address when it has only one)
    bidi: bool
    current: bool


@register.simple_tag(takes_context=True)
def page_in_default_language(context) -> str:
    """What the switcher sends as `next`: set_language translates an address from the
    default language's (it resolves addresses in the language of its own, unprefixed one)."""
    path = _page(context)
    return translate_url(path, settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    path = _page(context)
    current = get_language()
    versions = []
    for code, name in settings.LANGUAGES:
        versions.append(
            LanguageVersion(
                code=code,
                name=name,
                url=translate_url(path, code),
                bidi=get_language_info(code)["bidi"],
                current=code == current,
            )
        )
    return versions


def _page(context) -> str:
    """The page's address; an error page stands for no page of its own (its address is only
    what someone typed), so its versions are the home page's."""
    if "language_path" in context:
        return context["language_path"]
    request = context.get("request")
    if request is None:
        return "/"
    # Without the parameters that do not change the page: a kept page is given to every
    # later reader of its address (config.kept_responses), who must not see the first one's.
    query = request.GET.copy()
    for name in NEUTRAL_PARAMETERS:
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path
