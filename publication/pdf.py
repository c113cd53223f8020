"""The letter as delivered, in a PDF: its text, then the annex of who signed, by country.

The annex names only what the public list names (approved signatories that agreed to be
listed, by organisation name); an unnamed signatory is only ever a number. Nothing is fetched
while rendering: a URL in the letter's body or anywhere else is refused, so the PDF never
makes a request on a signatory's or anyone's behalf.
"""

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from campaigns.countries import collation_key, country_name
from campaigns.models import Letter
from signatories.counts import NOT_DISCLOSED, LetterCounts, letter_counts
from signatories.listing import named_signatures

logger = logging.getLogger(__name__)
# At INFO, WeasyPrint logs each step and page of every PDF, and fontTools (which subsets the
# fonts when HarfBuzz's subsetter is missing) every table of every font: hundreds of lines a PDF.
for noisy in ("weasyprint.progress", "fontTools"):
    logging.getLogger(noisy).setLevel(logging.WARNING)


@functools.cache
def _refusing_fetcher() -> type:
    """A WeasyPrint URL fetcher that fetches nothing: every image, stylesheet or font the HTML
    points to is left out. (Made on first use: see render_letter_pdf.)"""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            logger.warning("A letter's PDF refers to %s; not fetched", url)
            raise ValueError(f"Not fetched: {url}")

    return RefusingFetcher


@dataclass
class AnnexCountry:
    """One country of the annex: who is named there, and how many more asked not to be."""

    code: str
    name: str
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, "ltr" or "rtl")
    unnamed: int = 0


def direction(text: str) -> str:
    """The text's direction, "rtl" or "ltr", by its first letter of a strong direction: what
    dir="auto" does in a browser, and WeasyPrint does not. An Arabic name set left to right
    shows its words in order but a trailing number or bracket at the wrong end."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


def annex(letter: Letter, counts: LetterCounts) -> list[AnnexCountry]:
    """The annex's countries, alphabetical by name, "Country not disclosed" last.

    Names come from the signatures and the unnamed from the counts; a country the counts miss
    (they drifted) still lists its named signatories."""
    countries: dict[str, AnnexCountry] = {}
    rows = (
        named_signatures(letter)
        .order_by("country", "organisation_name", "pk")
        .values_list("country", "organisation_name")
    )
    for code, name in rows.iterator(chunk_size=2000):
        if code not in countries:
            countries[code] = AnnexCountry(code, country_name(code))
        countries[code].names.append((name, direction(name)))
    for line in counts.by_country:
        if line.unnamed:
            if line.code not in countries:
                countries[line.code] = AnnexCountry(line.code, line.name)
            countries[line.code].unnamed = line.unnamed
    return sorted(
        countries.values(), key=lambda c: (c.code == NOT_DISCLOSED, collation_key(c.name))
    )


def page_numbers_css() -> SafeString:
    """The footer's CSS `content`: "Page X of Y" as translated, with the page counters in the
    places the translation gives them."""
    text = gettext("Page %(page)s of %(pages)s")
    parts = re.split(r"%\((page|pages)\)s", text)
    # re.split alternates text and the captured counter name: text, counter, text, …
    tokens = [
        f"counter({part})" if index % 2 else _css_string(part)
        for index, part in enumerate(parts)
        if index % 2 or part
    ]
    return mark_safe(" ".join(tokens))  # noqa: S308 - every string quoted by _css_string


def _css_string(text: str) -> str:
    """A CSS string literal; `<` escaped too, so nothing can close the <style> element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '\\"<\n' else char for char in text)
    return f'"{escaped}"'


def render_letter_pdf(letter: Letter) -> bytes:
    """The letter, with its annex of signatories, as an A4 PDF."""
    # Imported here: WeasyPrint takes a second and 40 MB to load (Pango, HarfBuzz), which only a
    # process that makes a PDF should pay.
    from weasyprint import HTML

    counts = letter_counts(letter)
    html = render_to_string(
        "publication/letter_pdf.html",
        {
            "letter": letter,
            "title_dir": direction(letter.title),
            "addressee_dir": direction(letter.addressee),
            # The text's own direction, whatever the page's: an English text in an Arabic PDF
            # reads left to right (WeasyPrint ignores dir="auto").
            "body_dir": direction(letter.body),
            "counts": counts,
            "annex": annex(letter, counts),
            "date": letter.delivered_at or timezone.now(),
            "page_numbers": page_numbers_css(),
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher()()).write_pdf()
