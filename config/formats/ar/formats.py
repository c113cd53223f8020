# Django's Arabic formats have a date but no date and time, which then falls back to the US
# order ("ديسمبر 5, 2026, 3:16 م"): day, month, year, then the time, as the date is written.
DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
