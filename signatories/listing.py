"""The public list of named signatories: by country (alphabetical), then organisation name.

Pages are located with the per-country counts, not by counting or skipping through the whole
list: a page costs at most three small indexed queries, however many thousands signed.

The counts only locate; they never decide who is shown. Should a count be off (a bug, a
restore), the span that reaches the end of a country by its count reads on to the real end, and
the last page also shows named signatories of countries the counts do not list, so nobody
drops off the list while the drift waits for the nightly repair.
"""

from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from math import ceil

from django_countries import countries

from campaigns.countries import country_name
from campaigns.models import Letter
from signatories.counts import CountryLine, LetterCounts
from signatories.models import PUBLIC_FIELDS, Signature
from signatories.text import name_for_matching

SEARCH_RESULTS_SHOWN = 100


class PageOutOfRange(ValueError):
    pass


@dataclass
class SignatoryPage:
    """One page of the list. Its signatures are read on first use, so a page whose HTML is
    already cached costs no query."""

    letter: Letter
    spans: list[tuple[CountryLine, int, int]]
    number: int
    num_pages: int
    count: int
    country: str = ""
    # Countries the counts show with named signatories; the last page looks beyond them.
    listed: frozenset[str] = frozenset()

    @cached_property
    def signatures(self) -> list[Signature]:
        signatures = _fetch(self.letter, self.spans)
        if not self.has_next:
            signatures += _unlisted(self.letter, self.listed, self.country)
        return signatures

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def by_country(self) -> list[tuple[str, list[Signature]]]:
        """[(country name, signatures)] in page order, for headings."""
        return [
            (country_name(code), list(group))
            for code, group in groupby(self.signatures, key=lambda s: s.country.code)
        ]


def named_signatures(letter: Letter):
    return Signature.objects.named().filter(letter=letter).only(*PUBLIC_FIELDS)


def signatory_page(
    letter: Letter, counts: LetterCounts, *, number: int, per_page: int, country: str = ""
) -> SignatoryPage:
    """Page `number` (from 1) of the named signatories, optionally of one country.

    Raises PageOutOfRange for a page before the first or past the last (page 1 always exists).
    """
    lines = [
        line
        for line in counts.alphabetical()
        if line.named > 0 and (not country or line.code == country)
    ]
    total = sum(line.named for line in lines)
    num_pages = max(1, ceil(total / per_page))
    if not 1 <= number <= num_pages:
        raise PageOutOfRange(number)
    start, end = (number - 1) * per_page, number * per_page
    # Which countries the page spans, and where in the first and last it starts and ends.
    spans: list[tuple[CountryLine, int, int]] = []
    position = 0
    for line in lines:
        first, last = max(start, position), min(end, position + line.named)
        if first < last:
            spans.append((line, first - position, last - position))
        position += line.named
        if position >= end:
            break
    return SignatoryPage(
        letter=letter,
        spans=spans,
        number=number,
        num_pages=num_pages,
        count=total,
        country=country,
        listed=frozenset(line.code for line in lines),
    )


def _fetch(letter: Letter, spans: list[tuple[CountryLine, int, int]]) -> list[Signature]:
    ordered = named_signatures(letter).order_by("organisation_name", "pk")
    whole = [line.code for line, offset, stop in spans if offset == 0 and stop == line.named]
    fetched: dict[str, list[Signature]] = {code: [] for code in whole}
    if whole:  # countries shown in full: together they fit on one page, so one query
        for signature in ordered.filter(country__in=whole):
            fetched[signature.country.code].append(signature)
    for line, offset, stop in spans:  # the first and last country may be cut: slice them
        if line.code not in fetched:
            in_country = ordered.filter(country=line.code)
            # A span that ends where the count says the country ends reads to its real end.
            cut = in_country[offset:] if stop == line.named else in_country[offset:stop]
            fetched[line.code] = list(cut)
    return [signature for line, _, _ in spans for signature in fetched[line.code]]


def _unlisted(letter: Letter, listed: frozenset[str], country: str) -> list[Signature]:
    """Named signatories from countries the counts do not list: none unless a count drifted.

    Asked for by the countries not listed (IN, not NOT IN), so the index answers with a probe
    per country rather than a scan of the letter's signatures."""
    others = [code for code in countries.countries if code not in listed]
    if country:
        others = [code for code in others if code == country]
    if not others:
        return []
    ordered = named_signatures(letter).filter(country__in=others)
    return list(ordered.order_by("country", "organisation_name", "pk"))


def search(letter: Letter, query: str) -> list[Signature]:
    """Named signatories whose name contains `query`, alphabetical, the first hundred."""
    # By the normalised name: case, accents and invisible characters do not matter, and
    # nothing a searcher types (a NUL, say) reaches the database as it was typed.
    folded = name_for_matching(query)
    if not folded:
        return []
    matches = named_signatures(letter).filter(name_normalised__contains=folded)
    return list(matches.order_by("organisation_name", "pk")[:SEARCH_RESULTS_SHOWN])


def initiators(letter: Letter) -> list[Signature]:
    return list(named_signatures(letter).filter(initiator=True).order_by("organisation_name"))
