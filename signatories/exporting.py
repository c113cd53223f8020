"""The delivery files: a letter's signatories as CSV or XLSX, for the organisers.

Two exports, each as rows under a header, written by one writer per format:

- the public list (`public_export`): what the letter's page shows and no more. Named, approved
  signatories in the page's order (countries by name, then organisation name), with the public
  CSV's columns, then one row per country of "and N organisations that asked not to be named",
  counted where the public counts put them (`counts.public_country`: an unnamed signatory that
  keeps its country private, or every unnamed one on a letter that hides their countries, counts
  under "Country not disclosed"). Initiators stay in their country, marked in their column.
- the contacts (`contacts_export`): every approved signature, named or not, with its contact,
  dates and source. For the letter's organisers only; every export of it is recorded
  (`record_export`).

The rows hold the values as stored; the writers make every text cell formula-safe: an
apostrophe before a would-be formula in CSV (as the public CSV does), the cell typed as text in
XLSX.
"""

import csv
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from campaigns.countries import country_name
from campaigns.models import Letter
from signatories.counts import NOT_DISCLOSED, not_disclosed_name, public_country
from signatories.models import PUBLIC_FIELDS, Signature
from signatories.spreadsheets import spreadsheet_safe

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The public CSV's columns (publication.views.signatories_csv): one file format for the list.
PUBLIC_COLUMNS = [
    "organisation", "website", "country_code", "country_name", "signed_date", "initiator",
]  # fmt: skip
CONTACT_COLUMNS = [
    "signature_id", "organisation", "website", "country_code", "country_name", "named",
    "country_private", "initiator", "contact_name", "contact_role", "contact_email", "language",
    "source", "imported_by", "submitted_at", "confirmed_at", "approved_at",
]  # fmt: skip

# What the contacts export reads beyond the public fields.
CONTACT_FIELDS = [
    "list_publicly", "hide_country", "contact_name", "contact_role", "contact_email", "language",
    "source", "imported_by__username", "created_at", "approved_at",
]  # fmt: skip


@dataclass
class Export:
    """One export of one letter: its header, its rows (read from the database as they are
    written), and the names it goes by."""

    letter: Letter
    kind: str  # "signatories" or "contacts"
    header: list[str]
    rows: Iterable[list]
    sheet_title: str

    @property
    def contacts(self) -> bool:
        return self.kind == "contacts"

    def filename(self, file_format: str) -> str:
        return f"{self.letter.slug}-{self.kind}.{file_format}"


def public_export(letter: Letter) -> Export:
    """The public list of `letter`, as its page shows it (see the module's docstring)."""
    return Export(
        letter=letter,
        kind="signatories",
        header=PUBLIC_COLUMNS,
        rows=_public_rows(letter),
        sheet_title=str(_("Signatories")),
    )


def contacts_export(letter: Letter) -> Export:
    """Every approved signature of `letter`, named or not, with its contact details."""
    return Export(
        letter=letter,
        kind="contacts",
        header=CONTACT_COLUMNS,
        rows=_contact_rows(letter),
        sheet_title=str(_("Contacts")),
    )


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _moment(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def in_page_order(signatures):
    """`signatures` of one letter ordered as the letter's page lists them: countries by their
    name, then organisation name. One small query finds the countries present, so the rows
    themselves stream in a single ordered query."""
    codes = signatures.order_by().values_list("country", flat=True).distinct()
    by_name = sorted(set(codes), key=lambda code: (country_name(code), code))
    position = Case(
        *[When(country=code, then=Value(index)) for index, code in enumerate(by_name)],
        default=Value(len(by_name)),
        output_field=IntegerField(),
    )
    return signatures.order_by(position, "organisation_name", "pk")


def _public_rows(letter: Letter) -> Iterator[list]:
    named = Signature.objects.named().filter(letter=letter).only(*PUBLIC_FIELDS)
    for signature in in_page_order(named).iterator(chunk_size=2000):
        code = signature.country.code
        yield [
            signature.organisation_name,
            signature.website,
            code,
            country_name(code),
            signature.confirmed_at.date().isoformat() if signature.confirmed_at else "",
            _yes_no(signature.initiator),
        ]
    for code, count in unnamed_by_country(letter):
        sentence = ngettext(
            "and %(count)d organisation that asked not to be named",
            "and %(count)d organisations that asked not to be named",
            count,
        ) % {"count": count}
        name = country_name(code) if code != NOT_DISCLOSED else not_disclosed_name()
        yield [sentence, "", code, name, "", ""]


def unnamed_by_country(letter: Letter) -> list[tuple[str, int]]:
    """[(country code or NOT_DISCLOSED, approved signatures not named)] where the public counts
    put them, in the page's order: countries by name, "Country not disclosed" last."""
    groups = (
        Signature.objects.counted()
        .filter(letter=letter, list_publicly=False)
        .values_list("country", "hide_country")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counted: dict[str, int] = {}
    for code, hide_country, count in groups:
        # The one rule for where an unnamed signature counts, applied to its group.
        where = public_country(
            Signature(country=code, list_publicly=False, hide_country=hide_country), letter
        )
        counted[where] = counted.get(where, 0) + count
    return sorted(
        counted.items(),
        key=lambda item: (item[0] == NOT_DISCLOSED, country_name(item[0]), item[0]),
    )


def _contact_rows(letter: Letter) -> Iterator[list]:
    approved = (
        Signature.objects.counted()
        .filter(letter=letter)
        .select_related("imported_by")
        .only(*PUBLIC_FIELDS, *CONTACT_FIELDS)
    )
    for signature in in_page_order(approved).iterator(chunk_size=2000):
        code = signature.country.code
        yield [
            signature.pk,
            signature.organisation_name,
            signature.website,
            code,
            country_name(code),
            _yes_no(signature.list_publicly),
            _yes_no(signature.hide_country),
            _yes_no(signature.initiator),
            signature.contact_name,
            signature.contact_role,
            signature.contact_email,
            signature.language,
            signature.source,
            signature.imported_by.get_username() if signature.imported_by else "",
            _moment(signature.created_at),
            _moment(signature.confirmed_at),
            _moment(signature.approved_at),
        ]


# Writers ---------------------------------------------------------------------------------------


def write_csv(export: Export, out) -> int:
    """Write `export` as UTF-8 CSV to the text stream `out`; return the rows under the header.

    Begins with a byte-order mark, as the public CSV does, so that spreadsheets read it as
    UTF-8."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(export.header)
    written = 0
    for row in export.rows:
        writer.writerow([_csv_cell(value) for value in row])
        written += 1
    return written


def write_xlsx(export: Export, out) -> int:
    """Write `export` as an XLSX workbook to the binary stream `out`; return the rows under
    the header.

    Rows are written as they are read (openpyxl's write-only mode). The CSV's apostrophe is
    not needed here: each cell is typed as text, so "=1+1" is kept as those four characters."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in export.header:
        cell = _text_cell(sheet, name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for row in export.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += 1
    workbook.save(out)
    return written


def _csv_cell(value):
    return spreadsheet_safe(value) if isinstance(value, str) else value


def _xlsx_cell(sheet, value):
    return _text_cell(sheet, value) if isinstance(value, str) else value


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    return cell


def write(export: Export, file_format: str, out) -> int:
    """Write `export` in `file_format` ("csv": to a text stream, "xlsx": to a binary one)."""
    return (write_csv if file_format == "csv" else write_xlsx)(export, out)


# The record ------------------------------------------------------------------------------------


def record_export(*, export: Export, file_format: str, rows: int, by=None) -> None:
    """Record that `export` was made: a log line with numbers only, and, when a person made it,
    an entry in the letter's admin history (who, what, when)."""
    logger.info(
        "export letter=%s kind=%s format=%s rows=%s by=%s",
        export.letter.pk,
        export.kind,
        file_format,
        rows,
        by.pk if by is not None else "command",
    )
    if by is None:
        return
    what = "contact details" if export.contacts else "public list of signatories"
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Letter),
        object_id=str(export.letter.pk),
        object_repr=str(export.letter)[:200],
        action_flag=CHANGE,
        change_message=f"Exported the {what} ({file_format.upper()}, {rows} rows)",
    )
