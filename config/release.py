"""An identifier of the code and assets this process serves.

Cached HTML, counts and ETags are keyed on it as well as on the data's version: a deploy that
changes a template, the CSS, the Markdown sanitiser or a dependency is seen at once, even on a
closed letter whose data never changes again, and no page names hashed static files that the
new release no longer has.
"""

import hashlib
import os
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings

# What a release is made of: the project's code, templates and static files (the static
# manifest, when collectstatic made one, names every hashed file), and the installed packages.
SOURCES = ("config", "campaigns", "signatories", "publication", "templates", "static", "locale")
SUFFIXES = {".py", ".html", ".txt", ".json", ".css", ".js", ".svg", ".md", ".mo"}
# Settings that show on public pages: the same code under other settings is another release.
PAGE_SETTINGS = (
    "SITE_URL",
    "CONTACT_EMAIL",
    "LANGUAGE_CODE",
    "LANGUAGES",
    "TIME_ZONE",
    "STATIC_URL",
)


@cache
def release_id() -> str:
    """A short hash of this release, computed once per process; RELEASE replaces the code's
    part of it (a git commit, say, where the deploy knows one)."""
    release = os.environ.get("RELEASE")
    if release:
        return release + "-" + _settings_digest()
    return fingerprint(Path(settings.BASE_DIR))


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(_release_files(root)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    for name, version in sorted(_packages()):
        digest.update(f"{name}=={version}".encode())
    digest.update(_settings_digest().encode())
    return digest.hexdigest()[:12]


def _settings_digest() -> str:
    values = "|".join(f"{name}={getattr(settings, name, None)!r}" for name in PAGE_SETTINGS)
    return hashlib.sha256(values.encode()).hexdigest()[:8]


def _release_files(root: Path):
    for source in SOURCES:
        for path in (root / source).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file() and "migrations" not in path.parts:
                yield path


def _packages():
    for distribution in metadata.distributions():
        yield (distribution.metadata["Name"] or "").lower(), distribution.version
