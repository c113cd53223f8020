"""The headline of a letter: "N organisations from M countries have signed", in every
language, on the page, the embed, the PDF, the map, the share card and the share text.

One sentence to translate, not pieces glued in English order: Chinese puts the countries first
("来自 M 个国家的 N 个组织已签署"), and the verb agrees with N (Arabic has six plural forms,
Russian three). The two counts are phrases with their own plural forms, put into the sentence,
whose form follows N.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, npgettext, pgettext


def headline(counts, *, verb: bool = True, strong: bool = False) -> str:
    """The headline for `counts` (signatories, countries); "" when nobody has signed.
    `verb`: "… have signed" (a sentence) or "N organisations from M countries" (a caption).
    `strong`: HTML, the two counts in <strong>."""
    n = counts.signatories
    if not n:
        return ""
    emphasis = (lambda text: format_html("<strong>{}</strong>", text)) if strong else str
    organisations = emphasis(
        ngettext("%(n)s organisation", "%(n)s organisations", n) % {"n": intcomma(n)}
    )
    if not counts.countries:  # every signatory keeps its country private
        sentence = ngettext("%(organisations)s has signed", "%(organisations)s have signed", n)
        parts = {"organisations": organisations}
    else:
        m = counts.countries
        # After "from": Russian and Arabic write it in another case than alone (из 1 страны,
        # 1 страна), so it has its own entry.
        countries = emphasis(
            npgettext("from M countries", "%(m)s country", "%(m)s countries", m)
            % {"m": intcomma(m)}
        )
        if verb:
            sentence = ngettext(
                "%(organisations)s from %(countries)s has signed",
                "%(organisations)s from %(countries)s have signed",
                n,
            )
        else:
            sentence = npgettext(
                "N organisations from M countries",
                "%(organisations)s from %(countries)s",
                "%(organisations)s from %(countries)s",
                n,
            )
        parts = {"organisations": organisations, "countries": countries}
    if strong:
        return mark_safe(conditional_escape(sentence) % parts)  # noqa: S308 (escaped above)
    return sentence % parts


def headline_html(counts) -> SafeString:
    return headline(counts, strong=True)


def as_sentence(text: str) -> str:
    """The headline ended as a sentence, before more text: "…have signed." ("…已签署。")."""
    return pgettext("a sentence ended by a full stop", "%(sentence)s.") % {"sentence": text}


def nobody_yet() -> str:
    return gettext("No organisation has signed yet.")
