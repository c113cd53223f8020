"""What a signature's text may contain. Model field validators, so that every path that writes a
signature applies them: the sign form, the admin, and any import."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line breaks are fine in a comment; no other control or direction-override character belongs
# in what we publish or email (they hide text and spoof names).
ALLOWED_CONTROLS = frozenset("\n\r\t")
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _reject_controls(value: str, *, multiline: bool) -> None:
    for char in value:
        if multiline and char in ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) == "Cc" or char in BIDI_OVERRIDES:
            raise ValidationError(
                _("Remove the invisible control characters from this field."),
                code="control_characters",
            )


def no_control_characters(value: str) -> None:
    """For one-line fields: names, roles."""
    _reject_controls(value, multiline=False)


def no_control_characters_but_line_breaks(value: str) -> None:
    """For text that may run over lines: the comment."""
    _reject_controls(value, multiline=True)
