"""The letter's text in each language (django-modeltranslation finds this module).

modeltranslation adds `title_<code>`, `summary_<code>` and `body_<code>` for every language and
makes `title`, `summary` and `body` read the active language's. Its fallbacks are the same for
every letter; ours depend on the letter: a language without its own text shows the letter's
authoritative text, and all three fields come from the same language, so a reader never gets a
French title over an English body.
"""

from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import TranslationOptions, register

from campaigns.languages import TEXT_FIELDS, localized
from campaigns.models import Letter


@register(Letter)
class LetterTranslation(TranslationOptions):
    fields = TEXT_FIELDS


class LetterTextDescriptor(TranslationFieldDescriptor):
    """Reads the field in the language the letter is shown in (Letter.text_language); setting
    it still writes the active language's field, as modeltranslation does."""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return getattr(instance, localized(self.field.name, instance.text_language())) or ""


for _name in TEXT_FIELDS:
    setattr(Letter, _name, LetterTextDescriptor(Letter._meta.get_field(_name)))
