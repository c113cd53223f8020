"""Values made safe for a spreadsheet: a cell must never run as a formula.

A signatory's name or website is typed by whoever signed, and an organiser opens the list in a
spreadsheet: "=HYPERLINK(...)" or "@SUM(...)" there would run. In CSV a leading apostrophe makes
the spreadsheet read such a cell as text; in XLSX each cell says its own type, and the
exports write every text as text (signatories.exporting).
"""

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """`value` for a CSV cell: prefixed with an apostrophe if a spreadsheet would run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
