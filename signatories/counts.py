"""Signatory counts: kept per letter and country, read without touching the signatures.

Writers call `counts_apply` inside the transaction that moves a signature into or out of
"approved"; readers call `letter_counts`, which is cached under the letter's published_version,
so a change shows on the very next request.
"""

import functools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from campaigns.countries import collation_key, country_name
from campaigns.models import Letter
from config.release import release_id
from signatories.models import CountryCount, Signature

CACHE_SECONDS = 60 * 60  # entries are never stale (the key changes), only evicted


@functools.cache
def flag_url(code: str) -> str:
    """The flag django-countries ships for the country (a manifest lookup, done once)."""
    return static(f"flags/{code.lower()}.gif")


# The count row of signatures that keep their country private: they count in the total, not
# in any country, nor in the number of countries.
NOT_DISCLOSED = ""


def public_country(signature: Signature, letter: Letter) -> str:
    """Where a signature counts: its country, or NOT_DISCLOSED for an unnamed one that asked
    (or whose letter keeps every unnamed signatory's country private)."""
    if not signature.list_publicly and (signature.hide_country or letter.hide_unnamed_countries):
        return NOT_DISCLOSED
    return signature.country.code


def not_disclosed_name() -> str:
    return str(_("Country not disclosed"))


@dataclass(frozen=True)
class CountryLine:
    code: str  # NOT_DISCLOSED for the line of signatures that keep their country private
    name: str
    count: int
    unnamed: int

    @property
    def disclosed(self) -> bool:
        return self.code != NOT_DISCLOSED

    @property
    def named(self) -> int:
        return self.count - self.unnamed

    @property
    def flag_url(self) -> str:
        return flag_url(self.code)


@dataclass(frozen=True)
class LetterCounts:
    signatories: int = 0
    unnamed: int = 0
    by_country: list[CountryLine] = field(default_factory=list)

    @property
    def countries(self) -> int:
        return sum(line.disclosed for line in self.by_country)

    def alphabetical(self) -> list[CountryLine]:
        return sorted(
            self.by_country, key=lambda line: (not line.disclosed, collation_key(line.name))
        )


def publication_changed(letter_id: int) -> None:
    """Note that something public about the letter changed: every cache keyed on the old
    version is bypassed from the commit on."""
    Letter.objects.publication_changed(letter_id)


@dataclass(frozen=True)
class CountChange:
    country: str
    unnamed: bool
    delta: int  # +1: a signature became approved; -1: it stopped being approved


def counts_apply(*, letter_id: int, changes: list[CountChange]) -> None:
    """Apply one transition's changes to the counts, then mark the letter changed.

    Must run in the transaction that changes the signatures. Each UPDATE with F() is applied
    by the database to the row as it stands when its lock is granted, so concurrent approvals
    in one country add up. Rows are locked in one order (by country, then the letter row
    last) in every transaction, so two transitions never wait on each other in a circle.
    """
    for change in sorted(changes, key=lambda change: change.country):
        _count_change(letter_id, change)
    publication_changed(letter_id)


def _count_change(letter_id: int, change: CountChange) -> None:
    updates = {"signatories": F("signatories") + change.delta}
    if change.unnamed:
        updates["unnamed"] = F("unnamed") + change.delta
    rows = CountryCount.objects.filter(letter_id=letter_id, country=change.country)
    if rows.update(**updates):
        return
    try:
        with transaction.atomic():  # the first signature from this country creates its row
            CountryCount.objects.create(
                letter_id=letter_id,
                country=change.country,
                signatories=change.delta,
                unnamed=change.delta if change.unnamed else 0,
            )
    except IntegrityError:  # another transaction created it first: add to theirs
        rows.update(**updates)


def letter_counts(letter: Letter) -> LetterCounts:
    """The letter's counts: totals and by country, highest count first, then name."""
    key = f"letter-counts:{release_id()}:{letter.pk}:{letter.published_version}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            CountryCount.objects.filter(letter=letter, signatories__gt=0).values_list(
                "country", "signatories", "unnamed"
            )
        )
        cache.set(key, rows, CACHE_SECONDS)
    lines = [
        CountryLine(
            code=code,
            name=country_name(code) if code else not_disclosed_name(),
            count=count,
            unnamed=unnamed,
        )
        for code, count, unnamed in rows
    ]
    # Highest count first, then name; the undisclosed, if any, last.
    lines.sort(key=lambda line: (not line.disclosed, -line.count, collation_key(line.name)))
    return LetterCounts(
        signatories=sum(line.count for line in lines),
        unnamed=sum(line.unnamed for line in lines),
        by_country=lines,
    )


def letters_totals(letters) -> dict[int, tuple[int, int]]:
    """{letter id: (signatories, countries)} for many letters in one query on the counts."""
    totals = (
        CountryCount.objects.filter(letter__in=letters, signatories__gt=0)
        .values("letter")
        .annotate(
            signatories=Sum("signatories"),
            countries=Count("id", filter=~Q(country=NOT_DISCLOSED)),
        )
    )
    return {row["letter"]: (row["signatories"], row["countries"]) for row in totals}


@dataclass(frozen=True)
class Drift:
    letter: Letter
    country: str
    stored: tuple[int, int]
    actual: tuple[int, int]


def recount(letter: Letter, *, repair: bool) -> list[Drift]:
    """Compare the letter's counts with its signatures; with `repair`, make them agree.

    Each drifted country is repaired under its count row's lock, counted again once the lock
    is held: a transition that held the row meanwhile has committed by then and is in the
    count, and one that comes after waits and adds its change to the repaired row. Rows are
    locked by country, the order transitions lock them in, so no deadlock. A check takes no
    locks, so a transition in flight may show as passing drift.
    """
    # Where unnamed signatures count depends on the letter's setting as stored, not as the
    # caller's copy of the letter may remember it.
    letter.refresh_from_db(fields=["hide_unnamed_countries"])
    stored = {
        row.country.code: (row.signatories, row.unnamed)
        for row in CountryCount.objects.filter(letter=letter)
    }
    actual = _counted(letter)
    drift = [
        Drift(letter, code, stored.get(code, (0, 0)), actual.get(code, (0, 0)))
        for code in sorted(set(stored) | set(actual))
        if stored.get(code, (0, 0)) != actual.get(code, (0, 0))
    ]
    if repair and drift:
        with transaction.atomic():
            for item in drift:
                row = _locked_row(letter.pk, item.country)
                signatories, unnamed = _counted(letter, country=item.country).get(
                    item.country, (0, 0)
                )
                row.signatories, row.unnamed = signatories, unnamed
                row.save(update_fields=["signatories", "unnamed"])
            publication_changed(letter.pk)
    return drift


def _counted(letter: Letter, country: str | None = None) -> dict[str, tuple[int, int]]:
    """{country: (approved, of which unnamed)} from the signatures themselves, each counted
    where public_country puts it."""
    hidden = Q(list_publicly=False)
    if not letter.hide_unnamed_countries:
        hidden &= Q(hide_country=True)
    approved = (
        Signature.objects.counted()
        .filter(letter=letter)
        .annotate(
            counted_in=Case(
                When(hidden, then=Value(NOT_DISCLOSED)),
                default=F("country"),
                output_field=CharField(),
            )
        )
    )
    if country is not None:
        approved = approved.filter(counted_in=country)
    rows = approved.values("counted_in").annotate(
        total=Count("id"), unnamed=Count("id", filter=Q(list_publicly=False))
    )
    return {row["counted_in"]: (row["total"], row["unnamed"]) for row in rows}


def _locked_row(letter_id: int, country: str) -> CountryCount:
    rows = CountryCount.objects.select_for_update().filter(letter_id=letter_id, country=country)
    row = rows.first()
    if row is None:
        try:
            with transaction.atomic():
                row = CountryCount.objects.create(letter_id=letter_id, country=country)
        except IntegrityError:  # a transition created it meanwhile: take its lock
            row = rows.get()
    return row


def reproject_on_letter_change(*, letter: Letter, changed: set[str], **kwargs) -> None:
    """campaigns.signals.letter_updated: when the letter starts or stops keeping unnamed
    signatories' countries private, its counts move in the same transaction."""
    if "hide_unnamed_countries" in changed:
        recount(letter, repair=True)
