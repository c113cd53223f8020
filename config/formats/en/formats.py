# English as the rest of the world writes it (5 March 2026, 14:30), not Django's US default:
# letters gather organisations from every region. The other languages keep Django's formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
