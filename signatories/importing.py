"""Reading and checking a spreadsheet of signatures the organisers gathered outside the form.

The file is CSV (UTF-8, with or without a byte-order mark, comma- or semicolon-separated) or
XLSX (its first sheet); its first row names the columns (IMPORT_COLUMNS; case, spaces and
hyphens in a name do not matter). At most MAX_FILE_BYTES and MAX_ROWS rows under the header.

Each row is checked as the sign form checks it (the model's fields clean and validate the
text), and against duplicates: of a live signature on the letter (same inbox, or the same
organisation by its name key) and of an earlier row of the file. Problems are reported as
`row N: field: message`, N counted as a spreadsheet counts rows (the header is row 1).
Writing is signatories.services.signatures_import: all the rows, or none.
"""

import csv
import functools
import io
import zipfile
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from signatories import services
from signatories.domains import canonical_email
from signatories.models import Signature
from signatories.vetting import name_key

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Rows read in all, blank ones included: a file padded with empty rows is refused, not read.
MAX_ROWS_READ = 5 * MAX_ROWS
# An XLSX is a zip: its parts, unpacked, and its columns are bounded too, so that a small file
# cannot unpack into gigabytes (a "zip bomb") or a row into thousands of cells.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 50
IMPORT_COLUMNS = services.IMPORTED_FIELDS
YES = frozenset({"yes", "true", "1"})
NO = frozenset({"no", "false", "0"})
# How the file's first bytes give it away.
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003, which is not read


class ImportFileError(Exception):
    """The file as a whole cannot be read: not CSV or XLSX, empty, too large, undecodable."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    field: str
    message: str

    def __str__(self):
        return f"row {self.row}: {self.field}: {self.message}"


@dataclass
class Row:
    """One row of the file: what it said (column -> text), and what became of it."""

    number: int
    values: dict[str, str]  # column -> text
    cells: list[str]  # the text under each named column, in the file's order
    data: dict | None = None  # the cleaned fields, when the row is valid
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Check:
    """A file checked against a letter: every row, and every problem (the header's included)."""

    columns: list[str]
    rows: list[Row]
    header_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.header_errors, *(error for row in self.rows for error in row.errors)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def signatures(self) -> list[dict]:
        return [row.data for row in self.rows]


# Reading the file ------------------------------------------------------------------------------


def read_table(content: bytes) -> list[list[str]]:
    """The file's rows as lists of text, the header first, blank rows kept (they keep the
    numbering), trailing blank rows dropped. Raises ImportFileError."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(megabytes)d MB: split it into several imports.")
            % {"megabytes": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith(XLS_MAGIC):
        raise ImportFileError(
            _("This is an Excel 97-2003 (.xls) file: save it as XLSX or as CSV (UTF-8).")
        )
    table = _read_xlsx(content) if content.startswith(XLSX_MAGIC) else _read_csv(content)
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise ImportFileError(_("The file is empty."))
    return table


def _too_many_rows() -> "ImportFileError":
    return ImportFileError(
        _("The file has more than %(rows)d rows under its header: split it into several "
          "imports.") % {"rows": MAX_ROWS}
    )  # fmt: skip


def _read_csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text: save it as CSV (UTF-8) or as XLSX.")
        ) from None
    header = text.split("\n", 1)[0]
    # Spreadsheets set to a language that writes decimal commas save CSV with semicolons.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        table, filled = [], 0
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            table.append([cell.strip() for cell in row])
            filled += any(table[-1])
            if filled > MAX_ROWS + 1 or len(table) > MAX_ROWS_READ:
                raise _too_many_rows()
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV could not be read near row %(row)d: %(error)s")
            % {"row": len(table) + 1, "error": error}
        ) from None
    return table


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only imports need it

    try:
        unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(content)).infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise ImportFileError(
                _("The spreadsheet is too large once unpacked: save it as CSV, or split it.")
            )
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(_("The file could not be read as XLSX.")) from None
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ImportFileError(
                _("The sheet has cells beyond column %(columns)d: only the import's columns "
                  "may be filled.") % {"columns": MAX_COLUMNS}
            )  # fmt: skip
        table, filled = [], 0
        for cells in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            table.append([_cell_text(value) for value in cells])
            filled += any(table[-1])
            if filled > MAX_ROWS + 1 or len(table) > MAX_ROWS_READ:
                raise _too_many_rows()
    except ImportFileError:
        raise
    except Exception:  # a damaged sheet fails in many ways; none must become an error page
        raise ImportFileError(_("The file could not be read as XLSX.")) from None
    finally:
        workbook.close()
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_name(header: str) -> str:
    """A header cell as a column name: "Contact email" and "contact-email" are contact_email."""
    return "_".join(header.strip().lower().replace("-", " ").split())


# Checking the rows -----------------------------------------------------------------------------


class YesNoField(forms.Field):
    """yes/no, true/false or 1/0, in any case; empty is the column's default."""

    def __init__(self, *, default: bool, **kwargs):
        super().__init__(required=False, **kwargs)
        self.default = default

    def to_python(self, value):
        text = (value or "").strip().lower()
        if not text:
            return self.default
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValidationError(_("Write yes or no (or true/false, 1/0)."), code="invalid")


@functools.cache
def _country_codes() -> dict[str, str]:
    """English country names, in lower case, to their ISO codes."""
    with translation.override("en"):
        return {str(name).casefold(): code for code, name in countries}


@functools.lru_cache(maxsize=1024)
def country_code(value: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country given by its code or its English name (as
    django-countries spells it, or a former name like "Turkey"), in any case; "" if it is
    neither."""
    text = " ".join(value.replace("\u2019", "'").split())
    if len(text) == 2 and countries.alpha2(text.upper()):
        return text.upper()
    code = _country_codes().get(text.casefold())
    if code is None:
        code = countries.by_name(text, language="en") or ""
    return code


class CountryNameField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        code = country_code(text)
        if not code:
            raise ValidationError(
                _("“%(value)s” is not a country: write its two-letter ISO code (KE) or its "
                  "English name (Kenya)."),
                code="invalid_country",
                params={"value": text[:60]},
            )  # fmt: skip
        return code


class ImportedRowForm(forms.ModelForm):
    """The fields of one row, as the sign form defines them from the model (whose fields
    clean and validate the text), with the country by name too and yes/no columns; the
    form's defences against scripts and its declarations (the organisers hold the consent)
    have no place here. _check_row applies it to each row."""

    country = CountryNameField()
    list_publicly = YesNoField(default=True)
    # As on the sign form: an unnamed organisation may keep its country out of public counts.
    hide_country = YesNoField(default=False)
    initiator = YesNoField(default=False)

    class Meta:
        model = Signature
        fields = IMPORT_COLUMNS


REQUIRED_COLUMNS = [name for name, field in ImportedRowForm.base_fields.items() if field.required]


def check(letter, content: bytes) -> Check:
    """Read the file and check every row for `letter`. Raises ImportFileError when the file
    cannot be read at all."""
    return check_table(letter, read_table(content))


def check_table(letter, table: list[list[str]]) -> Check:
    """Check rows as read_table gives them (the header first) for `letter`: what the preview
    stores, so that the confirmation checks again exactly what was shown."""
    header, body = table[0], table[1:]
    columns = [column_name(cell) for cell in header]
    header_errors = _check_header(columns)
    if header_errors:
        return Check(columns=columns, rows=[], header_errors=header_errors)
    rows = []
    for number, cells in enumerate(body, start=2):
        if not any(cells):
            continue  # a blank line in the middle: not a signature, and nothing to say
        values = dict(zip(columns, cells, strict=False))
        values.pop("", None)
        named = [name for name in columns if name]
        row = Row(number=number, values=values, cells=[values.get(name, "") for name in named])
        for index, cell in enumerate(cells):
            if cell and (index >= len(columns) or not columns[index]):
                row.errors.append(
                    RowError(number, _column_label(index), _("a value under no column"))
                )
        _check_row(row)
        rows.append(row)
    if not rows:
        header_errors.append(RowError(1, _("file"), _("there are no rows under the header")))
    _check_duplicates(letter, rows)
    return Check(columns=[name for name in columns if name], rows=rows, header_errors=header_errors)


def _column_label(index: int) -> str:
    return str(_("column %(number)d") % {"number": index + 1})


def _check_header(columns: list[str]) -> list[RowError]:
    errors = []
    seen = set()
    for name in columns:
        if not name:
            continue  # allowed while nothing is written under it
        if name not in IMPORT_COLUMNS:
            errors.append(
                RowError(
                    1,
                    name,
                    _("unknown column; the columns are: %(columns)s")
                    % {"columns": ", ".join(IMPORT_COLUMNS)},
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, _("this column is there twice")))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, _("this column is required")))
    return errors


# The fields whose model field checks more than the form field did: the texts (the country
# and the yes/no columns are fully checked by their form fields).
MODEL_CHECKED = frozenset(IMPORT_COLUMNS) - {
    "country",
    "list_publicly",
    "hide_country",
    "initiator",
}


@functools.cache
def _row_fields() -> dict[str, forms.Field]:
    return ImportedRowForm().fields


def _check_row(row: Row) -> None:
    """What ImportedRowForm(data=row.values).is_valid() does, field by field (the form field's
    clean, then the model field's), without building a form and an instance per row: an
    import runs to thousands of rows."""
    data = {}
    for name, form_field in _row_fields().items():
        try:
            value = form_field.clean(row.values.get(name, ""))
            if name in MODEL_CHECKED:
                value = Signature._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            row.errors.extend(RowError(row.number, name, message) for message in error.messages)
        else:
            data[name] = value
    if not row.errors:
        row.data = data


def _check_duplicates(letter, rows: list[Row]) -> None:
    """A row duplicates a live signature on the letter, or an earlier row, when it has the
    same inbox or the same organisation (by its name key)."""
    by_inbox, by_name = {}, {}
    signed = Signature.objects.live().filter(letter=letter)
    for pk, inbox, organisation in signed.values_list("pk", "email_canonical", "organisation_name"):
        by_inbox.setdefault(inbox, pk)
        key = name_key(organisation)
        if key:
            by_name.setdefault(key, pk)
    in_file_inbox, in_file_name = {}, {}
    for row in rows:
        if row.data is None:
            continue
        inbox = canonical_email(row.data["contact_email"])
        key = name_key(row.data["organisation_name"])
        if inbox in by_inbox:
            row.errors.append(
                RowError(
                    row.number,
                    "contact_email",
                    _("this address has already signed the letter (signature #%(pk)d)")
                    % {"pk": by_inbox[inbox]},
                )
            )
        elif inbox in in_file_inbox:
            row.errors.append(
                RowError(
                    row.number,
                    "contact_email",
                    _("the same address as row %(row)d") % {"row": in_file_inbox[inbox]},
                )
            )
        else:
            in_file_inbox[inbox] = row.number
        if key and key in by_name:
            row.errors.append(
                RowError(
                    row.number,
                    "organisation_name",
                    _("this organisation has already signed the letter (signature #%(pk)d)")
                    % {"pk": by_name[key]},
                )
            )
        elif key and key in in_file_name:
            row.errors.append(
                RowError(
                    row.number,
                    "organisation_name",
                    _("the same organisation as row %(row)d") % {"row": in_file_name[key]},
                )
            )
        elif key:
            in_file_name[key] = row.number
        if row.errors:
            row.data = None


# Importing -------------------------------------------------------------------------------------


def import_checked(letter, checked: Check, *, by, approve: bool) -> list[Signature]:
    """Write a file that passed its check, all in one transaction (services.signatures_import)."""
    if not checked.ok:
        raise ValueError("only a file without errors is imported")
    return services.signatures_import(
        letter=letter, rows=checked.signatures, by=by, approve=approve
    )
