"""The texts of a letter over time, for readers: when it last changed, and what each change
changed (campaigns.LetterVersion records them)."""

import difflib
from dataclasses import dataclass

from campaigns.models import Letter, LetterVersion


def last_text_change(letter: Letter):
    """When the text in force was recorded, if it replaced an earlier one; else None."""
    if letter.text_version < 2:
        return None
    current = letter.versions.filter(number=letter.text_version)
    return current.values_list("created_at", flat=True).first()


@dataclass(frozen=True)
class Change:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class VersionEntry:
    version: LetterVersion
    changes: list[Change]  # from the version before; empty for the first


def version_history(letter: Letter) -> list[VersionEntry]:
    versions = list(letter.versions.order_by("number"))
    entries = []
    for before, version in zip([None, *versions], versions, strict=False):
        changes = text_changes(before, version) if before is not None else []
        entries.append(VersionEntry(version, changes))
    return entries[::-1]


def text_changes(before: LetterVersion, after: LetterVersion) -> list[Change]:
    """Line by line, as a reader compares two texts: the title, then the body's lines. Whole
    lines only (no search for the closest pair of lines, which costs seconds on a long text
    rewritten throughout)."""
    old, new = _lines(before), _lines(after)
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            changes += [Change("same", line) for line in old[old_start:old_end]]
            continue
        changes += [Change("removed", line) for line in old[old_start:old_end]]
        changes += [Change("added", line) for line in new[new_start:new_end]]
    return changes


def _lines(version: LetterVersion) -> list[str]:
    return [version.title, "", *version.body.splitlines()]
