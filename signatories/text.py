"""What a signature's text may contain, and how it is cleaned before it is stored.

Names are published and emailed, so nothing in them may hide text, spoof direction, or look
like a name while showing nothing. The rules live on the model's fields (`CleanTextField`,
`WebsiteField`), so that every path that writes a signature applies them: the sign form and the
admin through the fields' form fields, imports through `full_clean`.
"""

import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Controls and direction overrides hide text and reorder what is shown: refused outright.
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset("\u2028\u2029\u0085")
# Joiners that Arabic, Persian and Indic scripts need between letters; anywhere else they are
# as invisible as the other format characters, which are removed.
JOINERS = frozenset("\u200c\u200d")
# Letters and symbols that show as nothing.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Accents stacked on one letter: Vietnamese needs two, Hebrew with cantillation four.
MAX_COMBINING_MARKS = 4


def refuse_hidden_text(value: str, *, multiline: bool) -> None:
    """Raise ValidationError for control, direction-override and (in one-line text) line
    separator characters, and for stacks of combining marks."""
    stacked = 0
    for char in value:
        category = unicodedata.category(char)
        if multiline and char in "\n\r\t":
            stacked = 0
            continue
        if category == "Cc" or char in BIDI_OVERRIDES:
            raise ValidationError(
                _("Remove the invisible control characters from this field."),
                code="control_characters",
            )
        if char in LINE_SEPARATORS and not multiline:
            raise ValidationError(_("This field takes a single line."), code="line_break")
        stacked = stacked + 1 if category in ("Mn", "Me") else 0
        if stacked > MAX_COMBINING_MARKS:
            raise ValidationError(
                _("Too many accents are stacked on one letter."), code="combining_marks"
            )


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The text as we store it: composed (NFC), format characters removed (joiners kept
    between letters), blank-looking characters removed, spaces folded."""
    value = unicodedata.normalize("NFC", value)
    kept = []
    for index, char in enumerate(value):
        if char in BLANK_LOOKING:
            continue
        if unicodedata.category(char) == "Cf":
            between_letters = 0 < index < len(value) - 1 and (
                _letterlike(value[index - 1]) and _letterlike(value[index + 1])
            )
            if not (char in JOINERS and between_letters):
                continue
        if multiline and char in LINE_SEPARATORS:
            char = "\n"
        kept.append(char)
    value = "".join(kept)
    if multiline:
        return "\n".join(" ".join(line.split()) for line in value.splitlines()).strip()
    return " ".join(value.split())


def _letterlike(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"  # letters, and the marks (viramas) on them


def require_visible_name(value: str) -> None:
    if value and not any(unicodedata.category(char)[0] in "LN" for char in value):
        raise ValidationError(
            _("Enter a name with at least one letter or digit."), code="no_visible_name"
        )


def name_for_matching(name: str) -> str:
    """A name reduced to what tells organisations apart: compatibility forms folded (NFKC),
    case and accents folded, invisible characters and extra spaces gone. For search and for
    spotting the same organisation signing twice."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    kept = (
        char
        for char in folded
        if unicodedata.category(char) not in ("Mn", "Me", "Cf", "Cc") and char not in BLANK_LOOKING
    )
    return " ".join("".join(kept).split())


class CleanTextFormField(forms.CharField):
    def __init__(self, *, multiline=False, visible=False, **kwargs):
        self.multiline, self.visible = multiline, visible
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        refuse_hidden_text(value, multiline=self.multiline)
        return clean_text(value, multiline=self.multiline)

    def validate(self, value):
        super().validate(value)
        if self.visible:
            require_visible_name(value)


class CleanTextField(models.CharField):
    """Text a signer types: refused if it hides text, cleaned of invisible characters.
    `visible`: it must show a letter or digit (a name). `multiline`: line breaks allowed."""

    def __init__(self, *args, multiline=False, visible=False, **kwargs):
        self.multiline, self.visible = multiline, visible
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        if self.visible:
            kwargs["visible"] = True
        return name, path, args, kwargs

    def clean(self, value, model_instance):
        # Here rather than in to_python, which also runs on every save: a row written some
        # other way (a fixture, an old row) must still save, and is judged when validated.
        if isinstance(value, str):
            refuse_hidden_text(value, multiline=self.multiline)
            value = clean_text(value, multiline=self.multiline)
        return super().clean(value, model_instance)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.visible:
            require_visible_name(value)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": CleanTextFormField,
            "multiline": self.multiline,
            "visible": self.visible,
        }
        if self.multiline:
            defaults["widget"] = forms.Textarea
        return super().formfield(**{**defaults, **kwargs})


def refuse_user_info(value: str) -> None:
    """https://amnesty.org@evil.example/ shows one site and opens another."""
    if "@" in (urlsplit(value).netloc or ""):
        raise ValidationError(
            _("Enter the website's address without a name or password in it."), code="user_info"
        )


WEBSITE_VALIDATORS = [URLValidator(schemes=["http", "https"]), refuse_user_info]


class WebsiteFormField(forms.URLField):
    default_validators = WEBSITE_VALIDATORS

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)

    def to_python(self, value):
        refuse_hidden_text(value or "", multiline=False)
        return super().to_python(value)


class WebsiteField(models.URLField):
    """An organisation's website: http or https only, no user name or password in it."""

    default_validators = WEBSITE_VALIDATORS

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebsiteFormField, **kwargs})
