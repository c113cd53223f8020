"""Every string a user reads is marked for translation, and every catalogue translates it.

Four checks, each failing with what to fix and where:

1. each catalogue (locale/<language>/LC_MESSAGES/django.po) is complete: no untranslated or fuzzy
   entry, its plural forms as its header says, and `msgfmt --check-format` accepts it;
2. the catalogues are up to date: Django's makemessages, run on a copy of the project (never on
   the repo's own locale/), finds no string that the catalogues lack;
3. the templates hold no text outside {% translate %} and {% blocktranslate %};
4. the models' and forms' labels, help texts and error messages are marked.

The catalogues are GNU gettext's: msgfmt (Debian's gettext) must be installed, as for
`make messages`.
"""

import ast
import importlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.forms import BaseForm
from django.template.base import Lexer, TokenType
from django.utils import translation
from django.utils.functional import Promise

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
# The languages with a catalogue: all but the one the strings are written in.
LOCALES = sorted(translation.to_locale(code) for code, _name in settings.LANGUAGES if code != "en")
UPDATE = "run scripts/update-translations and translate the new entries"


def catalogue(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def relative(path: Path) -> str:
    return str(path.relative_to(BASE_DIR)) if path.is_relative_to(BASE_DIR) else str(path)


def gettext_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: install GNU gettext (Debian: apt-get install gettext)")
    return found


# The catalogues ---------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def describe(self) -> str:
        text = repr(self.msgid)
        if self.msgid_plural is not None:
            text += f" / plural {self.msgid_plural!r}"
        if self.msgctxt is not None:
            text = f"[context {self.msgctxt!r}] {text}"
        return text


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> tuple[Entry | None, list[Entry]]:
    """The header and the entries of a .po file, without the obsolete (#~) ones."""
    entries: list[Entry] = []
    comments: dict[str, list[str]] = {"flags": [], "references": []}
    current: Entry | None = None
    last: tuple[str, int | None] | None = None  # the keyword a continuation line extends

    def set_text(entry: Entry, keyword: str, index: int | None, text: str, extend: bool):
        if keyword == "msgstr":
            entry.msgstr[index or 0] = (entry.msgstr.get(index or 0, "") if extend else "") + text
        else:
            setattr(entry, keyword, ((getattr(entry, keyword) or "") if extend else "") + text)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            comments["flags"] += [flag.strip() for flag in line[2:].split(",")]
            continue
        if line.startswith("#:"):
            comments["references"] += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is None or last is None:
                raise ValueError(f"{relative(path)}:{number}: a string continues nothing")
            set_text(current, last[0], last[1], ast.literal_eval(line), extend=True)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{relative(path)}:{number}: cannot read {line!r}")
        keyword, index, quoted = match[1], match[2], match[3]
        text = ast.literal_eval(quoted)
        if keyword.startswith("msgstr"):
            keyword, index = "msgstr", int(index) if index is not None else None
        # An entry starts with its msgctxt, or with its msgid when it has none.
        if keyword == "msgctxt" or (keyword == "msgid" and (last is None or last[0] != "msgctxt")):
            current = Entry(msgid="", line=number)
            current.flags, current.references = set(comments["flags"]), comments["references"]
            comments = {"flags": [], "references": []}
            entries.append(current)
        set_text(current, keyword, index, text, extend=False)
        last = (keyword, index)
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    return header, [e for e in entries if e is not header]


def nplurals(header: Entry | None) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, "") if header else "")
    return int(match[1]) if match else None


def listing(entries, limit: int = 40) -> str:
    lines = [f"  line {entry.line}: {entry.describe()}" for entry in entries[:limit]]
    if len(entries) > limit:
        lines.append(f"  … and {len(entries) - limit} more")
    return "\n".join(lines)


def test_every_language_has_a_catalogue():
    missing = [relative(catalogue(locale)) for locale in LOCALES if not catalogue(locale).exists()]
    assert not missing, (
        f"No catalogue for {', '.join(missing)}: add the language to locale/ "
        f"(mkdir -p locale/<locale>/LC_MESSAGES), then {UPDATE}."
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(locale):
    path = catalogue(locale)
    header, entries = read_po(path)
    problems = []
    forms = nplurals(header)
    if forms is None:
        problems.append("its header has no Plural-Forms (nplurals=…): add the language's rule")
    if header is not None and "fuzzy" in header.flags:
        problems.append("its header is marked fuzzy: msgfmt ignores it; remove the flag")
    untranslated = [
        entry
        for entry in entries
        if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    if untranslated:
        problems.append(
            f"{len(untranslated)} untranslated entries (an empty msgstr): translate them\n"
            + listing(untranslated)
        )
    fuzzy = [entry for entry in entries if "fuzzy" in entry.flags]
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy entries (a guess by msgmerge, unused by Django): check each "
            "translation, then remove its `#, fuzzy` line\n" + listing(fuzzy)
        )
    wrong_forms = [
        entry
        for entry in entries
        if forms is not None
        and entry.msgid_plural is not None
        and sorted(entry.msgstr) != list(range(forms))
    ]
    if wrong_forms:
        problems.append(
            f"{len(wrong_forms)} plural entries without exactly the {forms} forms of the header's "
            f"Plural-Forms (msgstr[0] … msgstr[{forms - 1}]): give each its forms\n"
            + listing(wrong_forms)
        )
    checked = subprocess.run(
        [gettext_tool("msgfmt"), "--check-format", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        problems.append(
            "`msgfmt --check-format` refuses it: keep each placeholder (%(name)s, %d, {name}) "
            "of the msgid in its msgstr, exactly\n" + checked.stderr.strip()
        )
    assert not problems, f"{relative(path)}:\n- " + "\n- ".join(problems)


# The catalogues are up to date ------------------------------------------------------------------

# scripts/update-translations runs makemessages with these.
MAKEMESSAGES_IGNORES = [".venv", "tests", "bench", "staticfiles", "node_modules"]


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """The catalogues as scripts/update-translations would leave them, made on a copy of the
    project: makemessages writes next to the sources it reads (and into any locale/ it walks
    past), so it never runs on the repo itself. Returns the copy's locale/ folder."""
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(
        BASE_DIR,
        copy,
        symlinks=True,
        # Besides makemessages' ignores, what is no source: .git, the databases, the
        # compiled catalogues, the emails the local sender keeps.
        ignore=shutil.ignore_patterns(
            ".*", *MAKEMESSAGES_IGNORES, "__pycache__", "*.mo", "db.sqlite3*", "outbox"
        ),
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # tests/ is not copied
        "DEBUG": "true",  # as scripts/update-translations
        "PATH": os.pathsep.join(
            [str(Path(gettext_tool("xgettext")).parent), os.environ.get("PATH", "")]
        ),
    }
    environment.pop("DATABASE_URL", None)
    made = subprocess.run(
        [
            sys.executable, "manage.py", "makemessages", "--no-obsolete", "--verbosity", "0",
            *(f"--locale={locale}" for locale in LOCALES),
            *(f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES),
        ],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert made.returncode == 0, f"makemessages failed on a copy of the project:\n{made.stderr}"
    return copy / "locale"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_every_marked_string(locale, fresh_catalogues):
    _header, committed = read_po(catalogue(locale))
    _header, fresh = read_po(fresh_catalogues / locale / "LC_MESSAGES" / "django.po")
    known = {entry.key for entry in committed}
    new = [entry for entry in fresh if entry.key not in known]
    assert not new, (
        f"{relative(catalogue(locale))} lacks {len(new)} strings marked in the code or "
        f"templates: {UPDATE}.\n"
        + "\n".join(
            f"  {entry.describe()} (from {', '.join(entry.references[:3]) or '?'})" for entry in new
        )
    )


# The templates ----------------------------------------------------------------------------------

TEMPLATES_DIR = BASE_DIR / "templates"
TEMPLATES = sorted(
    path for path in TEMPLATES_DIR.rglob("*") if path.suffix in (".html", ".txt") and path.is_file()
)
# What stands for a tag or a variable in the text left to check: not a letter, and it cannot
# start an HTML tag.
PLACEHOLDER = "\ue000"
# Django tags whose content is not shown as written: translated, or a comment.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
# Attributes a person reads (or hears, from a screen reader).
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description"}
WORD = re.compile(r"[^\W\d_]{2,}")
# Words that are no word of any language, so nothing to translate.
NOT_WORDS = {
    "JSON",  # a format's name: the letter page's link to its data (beside "… (CSV)", "… (PDF)")
}


def template_text(source: str) -> str:
    """The template with its tags and variables replaced by PLACEHOLDER, and what is inside
    {% blocktranslate %} and {% comment %} blanked, keeping the line breaks (so line numbers
    hold)."""
    parts = []
    closing = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if closing is None and name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            elif name == closing:
                closing = None
        if token.token_type == TokenType.TEXT and closing is None:
            parts.append(token.contents)
        else:
            parts.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
    return "".join(parts)


class TextFinder(HTMLParser):
    """The text a person reads in an HTML page: its content outside <script> and <style>,
    comments and tags left out, and the attributes read out loud."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._raw = tag
        values = dict(attrs)
        read = [value for name, value in attrs if name in READ_ATTRIBUTES]
        if tag == "meta" and (values.get("name") or values.get("property")) in (
            "description",
            "og:title",
            "og:description",
            "twitter:title",
            "twitter:description",
        ):
            read.append(values.get("content"))
        if tag == "input" and (values.get("type") or "").lower() in ("submit", "button", "reset"):
            read.append(values.get("value"))
        start, text = self.getpos()[0], self.get_starttag_text() or ""
        for value in read:
            if value:
                at = text.find(value)
                self.found.append((start + text[: max(at, 0)].count("\n"), value))

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw is None:
            self.found.append((self.getpos()[0], data))


def unmarked_text(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the words in a template that no translation covers."""
    finder = TextFinder()
    finder.feed(template_text(path.read_text(encoding="utf-8")))
    finder.close()
    found = []
    for line, text in finder.found:
        for match in WORD.finditer(text):
            if match[0] in NOT_WORDS:
                continue
            lines_before = text[: match.start()].count("\n")
            shown = text.split("\n")[lines_before].replace(PLACEHOLDER, "…").strip()
            found.append((line + lines_before, shown))
    return sorted(set(found))  # a line with several words is reported once


def test_templates_are_found():
    assert len(TEMPLATES) > 50, f"Found only {len(TEMPLATES)} templates under {TEMPLATES_DIR}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES_DIR)))
def test_template_has_no_unmarked_text(path):
    found = unmarked_text(path)
    assert not found, (
        'Text a reader sees is not marked for translation: wrap it in {% translate "…" %} '
        "(or {% blocktranslate %}…{% endblocktranslate %} around text with variables), then "
        f"{UPDATE}. (If it is no word of any language, add it to NOT_WORDS in {__name__}.)\n"
        + "\n".join(f"  {relative(path)}:{line}: {text}" for line, text in found)
    )


# The models and forms ---------------------------------------------------------------------------

MODEL_APPS = ["campaigns", "signatories", "publication"]
# Fields whose verbose_name is the one Django makes from their name, in English. Marking one
# (verbose_name=_("…")) changes the model's state: it takes a migration (an AlterField, no SQL),
# so each goes with one. A field fixed must leave this list (the test says so).
KNOWN_UNMARKED_FIELDS = {
    # Shown nowhere: the admin neither lists nor edits them, no form asks for them.
    "campaigns.LetterVersion.letter",
    "signatories.Signature.confirmation_token_hash",
    "signatories.SignatureEvent.signature",  # the trail is an inline of its signature
    "signatories.Inbox.key",
    "signatories.Inbox.created_at",
    "signatories.Inbox.day",
    "signatories.Inbox.emails_on_day",
    "signatories.CountryCount.letter",
    "signatories.CountryCount.country",
    "signatories.CountryCount.signatories",
    "signatories.CountryCount.unnamed",
    "signatories.Update.letter",  # its pages are under the letter's
    "signatories.UpdateDelivery.update",
    "signatories.UpdateDelivery.signature",
    "signatories.UpdateDelivery.due_at",
}


def models_to_check():
    return [model for app in MODEL_APPS for model in apps.get_app_config(app).get_models()]


def field_name(model, name: str) -> str:
    return f"{model._meta.label}.{name}"


def test_model_labels_are_marked():
    problems, fixed = [], []
    for model in models_to_check():
        options = model._meta
        for option in ("verbose_name", "verbose_name_plural"):
            if option in options.original_attrs and not isinstance(
                getattr(options, option), Promise
            ):
                problems.append(f"{options.label}: Meta.{option} = {getattr(options, option)!r}")
        for model_field in options.get_fields():
            if not model_field.concrete or model_field.auto_created or not model_field.editable:
                continue
            name = field_name(model, model_field.name)
            unmarked = [
                f"{name}: {attribute} = {value!r}"
                for attribute in ("verbose_name", "help_text")
                for value in [getattr(model_field, attribute)]
                if value and not isinstance(value, Promise)
            ]
            if name in KNOWN_UNMARKED_FIELDS:
                if not unmarked:
                    fixed.append(name)
                unmarked = [line for line in unmarked if ": verbose_name = " not in line]
            problems += unmarked
    assert not problems, (
        "Model labels a person reads are not marked for translation: write them "
        '_("…") (from django.utils.translation import gettext_lazy as _), with a migration for '
        f"a field's verbose_name, then {UPDATE}.\n  " + "\n  ".join(problems)
    )
    assert not fixed, (
        f"These fields are marked now: take them out of KNOWN_UNMARKED_FIELDS in {__name__}: "
        + ", ".join(fixed)
    )


# The forms a person fills in: the sign form, the letter's form, and the admin's forms.
FORM_MODULES = [
    "campaigns.forms",
    "signatories.forms",
    "signatories.admin.importing",
    "signatories.admin.launch",
    "signatories.admin.signatures",
    "signatories.admin.updates",
]
# How each form is built, when it needs more than nothing: one entry per way it is shown.
FORM_ARGUMENTS = {
    "signatories.forms.SignatureForm": [{}, {"challenge": True}],
    "signatories.admin.launch.DeliverForm": [{"letter": "a letter"}],
}


def form_classes():
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseForm)
            and value.__module__ == module_name
        ]
    return found


def build(form_class, arguments: dict):
    from campaigns.models import Letter

    made = {key: Letter() if value == "a letter" else value for key, value in arguments.items()}
    try:
        return form_class(**made)
    except TypeError as error:
        pytest.fail(
            f"{form_class.__module__}.{form_class.__qualname__} cannot be built with {arguments}: "
            f"{error}. Say how in FORM_ARGUMENTS ({__name__})."
        )


def texts_of(form) -> dict[str, object]:
    """(field, what) → the text, for every label, help text and error message of the form."""
    texts = {}
    for name, form_field in form.fields.items():
        texts[(name, "label")] = form_field.label
        texts[(name, "help_text")] = form_field.help_text
        for key, message in form_field.error_messages.items():
            texts[(name, f"error_messages[{key!r}]")] = message
    return texts


def is_translated(english, shown_in: dict[str, object]) -> bool:
    """Marked lazily, or made by gettext when the form was built: then some language (French,
    or another where French happens to write it the same) shows it otherwise."""
    if not english or isinstance(english, Promise):
        return True
    return any(str(text) != str(english) for text in shown_in.values())


@pytest.mark.parametrize(
    "form_class", form_classes(), ids=lambda form: f"{form.__module__}.{form.__qualname__}"
)
def test_form_texts_are_marked(form_class):
    name = f"{form_class.__module__}.{form_class.__qualname__}"
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    problems = []
    for arguments in FORM_ARGUMENTS.get(name, [{}]):
        built = {}
        for language in ["en", "fr", *(code for code, _name in settings.LANGUAGES)]:
            if language not in built:
                with translation.override(language):
                    built[language] = texts_of(build(form_class, arguments))
        for (form_field, what), english in built["en"].items():
            if model is not None and field_name(model, form_field) in KNOWN_UNMARKED_FIELDS:
                continue
            others = {
                code: texts.get((form_field, what)) for code, texts in built.items() if code != "en"
            }
            if not is_translated(english, others):
                problems.append(f"{form_field}: {what} = {str(english)!r}")
    assert not problems, (
        f'{name} shows text that is not marked for translation: wrap it in _("…") '
        f"(gettext_lazy), then {UPDATE}.\n  " + "\n  ".join(sorted(set(problems)))
    )
