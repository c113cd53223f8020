"""Setting a line of text in any script with Pillow, for the share card (publication.cards).

No single font covers every script, and a title often mixes several (an Arabic title naming
"COP28", a Chinese one with a Latin acronym): each character is drawn with the Noto font for
its script, found through fontconfig, and a line mixing right-to-left and left-to-right text is
put in reading order here, one run per font (a simplified form of Unicode's bidirectional
algorithm: Pillow orders text only within one font). With libraqm, Pillow shapes each run
(joined Arabic letters, Indic clusters); without it, or without the Noto fonts, text is still
drawn, less well, and a warning logged once.
"""

import bisect
import functools
import logging
import shutil
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language
from PIL import ImageFont, features

logger = logging.getLogger(__name__)

LINE_HEIGHT = 1.3  # room for Arabic's tall letters and Vietnamese's stacked accents
ELLIPSIS = "\u2026"

DEBIAN_FONTS = Path("/usr/share/fonts/truetype/noto")
DEBIAN_CJK = Path("/usr/share/fonts/opentype/noto")
CJK_FACES = {"ja": ("JP", 0), "ko": ("KR", 1), "zh-hans": ("SC", 2), "zh-hant": ("TC", 3)}


@dataclass(frozen=True, eq=False)  # one object per face found: compared and hashed by identity
class Face:
    """A font file (one face of a collection), the characters it has and their language."""

    path: str | None  # None: Pillow's own font, for a machine without any of ours
    index: int = 0
    coverage: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # starts, ends; None: all
    language: str | None = None  # for shaping: Arabic's forms, the Japanese or Chinese glyphs

    def covers(self, char: str) -> bool:
        if self.coverage is None:
            return True
        starts, ends = self.coverage
        at = bisect.bisect_right(starts, ord(char)) - 1
        return at >= 0 and ord(char) <= ends[at]


DEFAULT_FACE = Face(None)


@dataclass(frozen=True)
class Cell:
    """One character of a paragraph, with the face that draws it and its bidi level: even
    levels read left to right, odd ones right to left (Unicode's bidirectional algorithm)."""

    char: str
    face: Face
    level: int


class Paragraph:
    """A text laid out for drawing: each character's face and level, found once."""

    def __init__(self, text: str, *, bold: bool):
        self.rtl = _is_rtl(text)
        faces = _faces(text, bold)
        self.cells = [
            Cell(char, face, level)
            for char, face, level in zip(text, faces, _levels(text, self.rtl), strict=True)
        ]


class Fonts:
    """The fonts of one card, by face and size. FreeType's faces must not be shared between
    threads drawing at once, so each card opens its own (a fraction of a millisecond)."""

    def __init__(self):
        self._fonts = {}
        self._lengths = {}

    def get(self, face: Face, size: int):
        key = (face, size)
        if key not in self._fonts:
            if face.path is None:
                self._fonts[key] = ImageFont.load_default(size=size)
            else:
                engine = ImageFont.Layout.RAQM if _has_raqm() else ImageFont.Layout.BASIC
                self._fonts[key] = ImageFont.truetype(
                    face.path, size, index=face.index, layout_engine=engine
                )
        return self._fonts[key]

    def length(self, text: str, face: Face, level: int, size: int) -> float:
        """The advance of a run; a title measured at several sizes repeats its words."""
        key = (text, face, level, size)
        if key not in self._lengths:
            font = self.get(face, size)
            self._lengths[key] = font.getlength(text, **_layout(font, face, level))
        return self._lengths[key]


def line_height(size: int) -> int:
    return round(size * LINE_HEIGHT)


def fit(paragraph, fonts, sizes, max_lines, width, room=None):
    """The largest of `sizes` at which the paragraph fits in `max_lines` of `width` pixels (and
    `room` pixels of height); at the smallest, what does not fit is cut with an ellipsis."""
    for size in sizes:
        lines_here = max_lines if room is None else min(max_lines, room // line_height(size))
        lines = _wrap(paragraph.cells, fonts, size, width, lines_here)
        if len(lines) <= lines_here:
            return size, lines
    lines = lines[: max(lines_here, 1)]
    lines[-1] = truncated(lines[-1], fonts, size, paragraph.rtl, width)
    return size, lines


def draw_lines(draw, fonts, paragraph, size, lines, top, fill, *, left, right):
    """Draw `lines` (from `fit`) from `top`, against `left` or, for right-to-left text,
    against `right`."""
    step = line_height(size)
    # The first baseline sits an ascender below the top: Noto's are about 1.07 em.
    baseline = top + round(size * 1.07)
    for cells in lines:
        start = right - text_width(cells, fonts, size) if paragraph.rtl else left
        draw_runs(draw, fonts, cells, size, start, baseline, fill)
        baseline += step


def draw_runs(draw, fonts, cells, size, left, baseline, fill):
    x = left
    for text, face, level in _visual_runs(cells):
        font = fonts.get(face, size)
        layout = _layout(font, face, level)
        shown = text
        if level % 2 and not layout:
            shown = text[::-1]  # no bidi without raqm: at least the letters in reading order
        draw.text((x, baseline), shown, font=font, fill=fill, anchor="ls", **layout)
        x += fonts.length(text, face, level, size)


def _layout(font, face: Face, level: int) -> dict:
    """The direction and language of a run, for a font laid out by raqm (Pillow's default
    font never is)."""
    if getattr(font, "layout_engine", None) != ImageFont.Layout.RAQM:
        return {}
    kwargs = {"direction": "rtl" if level % 2 else "ltr"}
    if face.language:
        kwargs["language"] = face.language
    return kwargs


def _runs(cells):
    """Consecutive characters of one face and level, in the order they are stored."""
    runs = []
    for cell in cells:
        if runs and runs[-1][1] == cell.face and runs[-1][2] == cell.level:
            runs[-1][0] += cell.char
        else:
            runs.append([cell.char, cell.face, cell.level])
    return [tuple(run) for run in runs]


def _visual_runs(cells):
    """The runs of a line in the order they are drawn, left to right (rule L2: from the
    highest level down to the lowest odd one, reverse every sequence at that level or above).
    Each run is drawn in its own direction, which puts its characters in order."""
    runs = _runs(cells)
    levels = [level for _, _, level in runs]
    odd = [level for level in levels if level % 2]
    if not odd:
        return runs
    for level in range(max(levels), min(odd) - 1, -1):
        start = 0
        while start < len(runs):
            if runs[start][2] < level:
                start += 1
                continue
            end = start
            while end < len(runs) and runs[end][2] >= level:
                end += 1
            runs[start:end] = runs[start:end][::-1]
            start = end
    return runs


def text_width(cells, fonts, size) -> float:
    return sum(fonts.length(text, face, level, size) for text, face, level in _runs(cells))


def _breakable(before: str, after: str) -> bool:
    """May a line end between these two characters? After a space, and between two
    characters of the scripts written without spaces (Chinese, Japanese), as browsers do, but
    not before closing punctuation nor after opening punctuation."""
    if after.isspace() or _closing(after) or unicodedata.category(before) in ("Ps", "Pi"):
        return False
    if before.isspace():
        return True
    return _wide(before) or _wide(after)


def _closing(char: str) -> bool:
    """Never starts a line: a closing bracket or quote, or in Chinese and Japanese a comma,
    a full stop, a length mark or a small kana."""
    category = unicodedata.category(char)
    if category in ("Pe", "Pf"):
        return True
    return _wide(char) and (category in ("Po", "Lm") or "SMALL" in unicodedata.name(char, ""))


def _between_letters(before: str, after: str) -> bool:
    """Not between a letter and a mark of it, nor next to a joiner."""
    joiners = ("\u200c", "\u200d")
    return unicodedata.category(after)[0] != "M" and after not in joiners and before not in joiners


def _wide(char: str) -> bool:
    """A character of Chinese or Japanese, where lines break between any two. Korean is
    written with spaces between words, so its lines break at those."""
    if unicodedata.east_asian_width(char) not in ("W", "F"):
        return False
    return unicodedata.category(char)[0] in "LPNS" and not unicodedata.name(char, "").startswith(
        "HANGUL"
    )


def _wrap(cells, fonts, size, width, max_lines):
    """Greedy line breaking: as many words on each line as fit; a word longer than a whole
    line (a long address, a compound) is broken where it must. A line's width is the sum of
    its words' (shaping never joins across a break), so each word is measured once. Stops
    once there are more than `max_lines`."""
    segments, start = [], 0
    for at in range(1, len(cells)):
        if _breakable(cells[at - 1].char, cells[at].char):
            segments.append(cells[start:at])
            start = at
    if start < len(cells):
        segments.append(cells[start:])
    lines, line, line_width = [], [], 0.0
    for segment in segments:
        if len(lines) > max_lines:
            break
        word = _stripped(segment)
        if line and line_width + text_width(word, fonts, size) <= width:
            line += segment
            line_width += text_width(segment, fonts, size)
            continue
        if line:
            lines.append(_stripped(line))
        line, line_width = [], 0.0
        if text_width(word, fonts, size) <= width:
            line, line_width = list(segment), text_width(segment, fonts, size)
            continue
        for cell in word:  # too long for a line of its own: break it between any letters
            if (
                line
                and _between_letters(line[-1].char, cell.char)
                and text_width([*line, cell], fonts, size) > width
            ):
                lines.append(line)
                line = []
            line.append(cell)
        line = [*line, *segment[len(word) :]]
        line_width = text_width(line, fonts, size)
    if _stripped(line):
        lines.append(_stripped(line))
    return lines


def _stripped(cells):
    start, end = 0, len(cells)
    while start < end and cells[start].char.isspace():
        start += 1
    while end > start and cells[end - 1].char.isspace():
        end -= 1
    return cells[start:end]


def truncated(cells, fonts, size, rtl, width):
    """The line cut, by whole words if it can, so that it and an ellipsis fit in `width`."""
    cells = list(cells)
    last = cells[-1].face if cells else DEFAULT_FACE
    face = last if last.covers(ELLIPSIS) else _primary_face(True)
    ellipsis = Cell(ELLIPSIS, face, 1 if rtl else 0)
    while cells and text_width([*cells, ellipsis], fonts, size) > width:
        spaces = [at for at, cell in enumerate(cells) if cell.char.isspace()]
        cells = _stripped(cells[: spaces[-1]] if spaces else cells[:-1])
    return [*_stripped(cells), ellipsis]


# Bidirectional text --------------------------------------------------------------------------


def _is_rtl(text: str) -> bool:
    """The direction of a paragraph is that of its first letter with a direction (P2, P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def _levels(text: str, rtl: bool) -> list[int]:
    """Each character's bidi level, by Unicode's algorithm without what titles do not hold
    (explicit embeddings and isolates, bracket pairs): letters take their direction, numbers
    read left to right (inside right-to-left text too) with their separators and signs, and
    what has no direction (spaces, punctuation) takes that of the letters on both sides when
    they agree, else the paragraph's."""
    base = "R" if rtl else "L"
    classes = [unicodedata.bidirectional(char) for char in text]
    for at, bidi in enumerate(classes):
        numbers = ("EN", "AN")
        if bidi == "ET" or (
            bidi in ("CS", "ES")
            and 0 < at < len(classes) - 1
            and classes[at - 1] in numbers
            and classes[at + 1] in numbers
        ):
            # "1,234", "3.5", "20%": a separator between digits, or a sign, is of the number
            # (W4, W5, simplified: a sign before the digits is taken in too).
            near = classes[at - 1 : at] + classes[at + 1 : at + 2]
            if any(other in numbers for other in near):
                classes[at] = "EN"
    kinds, strong = [], base
    for bidi in classes:
        if bidi == "L":
            strong = kind = "L"
        elif bidi in ("R", "AL"):
            strong = kind = "R"
        elif bidi in ("EN", "AN"):
            kind = "N" + strong  # a number after a right-to-left letter belongs to it (W2, W7)
        elif bidi == "NSM" and kinds:
            kind = kinds[-1]  # a combining mark goes with its letter
        else:
            kind = None
        kinds.append(kind)
    sides = [_side(kind) for kind in kinds]
    resolved = list(sides)
    at = 0
    while at < len(sides):
        if sides[at] is not None:
            at += 1
            continue
        end = at
        while end < len(sides) and sides[end] is None:
            end += 1
        before = sides[at - 1] if at else base
        after = sides[end] if end < len(sides) else base
        resolved[at:end] = [before if before == after else base] * (end - at)  # N1, N2
        at = end
    levels = []
    for kind, side in zip(kinds, resolved, strict=True):
        if kind == "NR" or (kind == "NL" and rtl):
            levels.append(2)  # numbers among right-to-left text (I1, I2)
        elif side == "R":
            levels.append(1)
        else:
            levels.append(2 if rtl else 0)
    return levels


def _side(kind):
    """How a character counts for the neutrals beside it: numbers count as right to left after
    a right-to-left letter (N1)."""
    if kind in ("L", "NL"):
        return "L"
    if kind in ("R", "NR"):
        return "R"
    return None


# Fonts ---------------------------------------------------------------------------------------


def _faces(text: str, bold: bool) -> list[Face]:
    """The face that draws each character: Noto Sans if it has it, else the Noto font of the
    character's script. Combining marks, joiners, spaces, digits and punctuation stay in the
    face of the character before them when it has them, so a word is drawn in one font."""
    primary = _primary_face(bold)
    cjk = _cjk_language(text)
    faces, previous = [], None
    for char in text:
        category = unicodedata.category(char)
        keep = category[0] != "L"  # marks, joiners, spaces, digits, punctuation
        if previous is not None and keep and previous.covers(char):
            face = previous
        elif primary.covers(char):
            face = primary
        else:
            face = _face_for(char, bold, cjk) or primary
        faces.append(face)
        previous = face
    return faces


def _cjk_language(text: str) -> str:
    """Which of Noto Sans CJK's faces draws the Han characters: they are written differently in
    Japan, Korea and China; kana or hangul in the text tell, else the language of the page."""
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if name.startswith("HANGUL"):
            return "ko"
    language = (get_language() or "").lower()
    if language.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return "zh-hant"
    if language.startswith(("ja", "ko")):
        return language[:2]
    return "zh-hans"


CJK_SCRIPTS = (
    "CJK",
    "HIRAGANA",
    "KATAKANA",
    "HANGUL",
    "BOPOMOFO",
    "IDEOGRAPHIC",
    "KANGXI",
    "FULLWIDTH",
    "HALFWIDTH",
)
# Scripts whose Noto Sans font is not named "Noto Sans <Script>", in order of preference.
SCRIPT_FAMILIES = {"ARABIC": ("Noto Sans Arabic", "Noto Naskh Arabic")}
SCRIPT_LANGUAGES = {"ARABIC": "ar"}


def _face_for(char: str, bold: bool, cjk: str) -> Face | None:
    script = unicodedata.name(char, "").split(" ")[0]
    if script.startswith(CJK_SCRIPTS):
        face = _cjk_face(cjk, bold)
    else:
        face = _script_face(script, bold) if script else None
    if face is not None and face.covers(char):
        return face
    return _covering_face(char, bold)


@functools.cache
def _has_raqm() -> bool:
    if features.check("raqm"):
        return True
    logger.warning(
        "Pillow has no libraqm: share cards draw Arabic and other complex scripts unshaped"
    )
    return False


@functools.cache
def _primary_face(bold: bool) -> Face:
    face = _find_face("Noto Sans", bold, debian_file=f"NotoSans-{_style(bold)}.ttf")
    if face is None:
        face = _fontconfig("sans-serif", bold)
        logger.warning(
            "Noto Sans is not installed (Debian: fonts-noto-core); share cards use %s",
            face.path if face else "Pillow's default font",
        )
    return face or DEFAULT_FACE


@functools.cache
def _script_face(script: str, bold: bool) -> Face | None:
    families = SCRIPT_FAMILIES.get(script, (f"Noto Sans {script.title()}",))
    for family in families:
        file = f"{family.replace(' ', '')}-{_style(bold)}.ttf"
        face = _find_face(family, bold, debian_file=file, language=SCRIPT_LANGUAGES.get(script))
        if face is not None:
            return face
    return None


@functools.cache
def _cjk_face(language: str, bold: bool) -> Face | None:
    region, index = CJK_FACES[language]
    face = _find_face(
        f"Noto Sans CJK {region}",
        bold,
        debian_file=f"NotoSansCJK-{_style(bold)}.ttc",
        debian_dir=DEBIAN_CJK,
        index=index,
        language=language,
    )
    if face is None:
        logger.warning("Noto Sans CJK is not installed (Debian: fonts-noto-cjk)")
    return face


def _forget_fonts() -> None:
    """Look the fonts up again at the next card (after fonts were installed or removed)."""
    for cached in (_primary_face, _script_face, _cjk_face):
        cached.cache_clear()
    with _covering_lock:
        _covering.clear()


_covering_lock = threading.Lock()
_covering: dict[tuple[str, bool], Face | None] = {}


def _covering_face(char: str, bold: bool) -> Face | None:
    """Any installed font that has the character, as fontconfig's fallback picks it; kept
    per script (or per character, for one without a name), so a title asks once or so."""
    key = (unicodedata.name(char, char).split(" ")[0], bold)
    with _covering_lock:
        if key in _covering and (_covering[key] is None or _covering[key].covers(char)):
            return _covering[key]
    face = _fontconfig(f":charset={ord(char):x}", bold)
    if face is not None and not face.covers(char):
        face = None
    with _covering_lock:
        _covering[key] = face
    return face


def _style(bold: bool) -> str:
    return "Bold" if bold else "Regular"


def _find_face(family, bold, *, debian_file, debian_dir=None, index=0, language=None):
    """The family's face, through fontconfig if it is there, else at its Debian path."""
    face = _fontconfig(family, bold, language=language)
    if face is not None:
        return face
    path = (debian_dir or DEBIAN_FONTS) / debian_file
    if path.is_file():
        return Face(str(path), index, _file_coverage(path, index), language)
    return None


def _fontconfig(pattern: str, bold: bool, *, language=None) -> Face | None:
    """fontconfig's match for `pattern`: a family's face, or None if it is not installed (when
    fontconfig offers another family instead); a pattern of a charset takes any family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    weight = "bold" if bold else "regular"
    try:
        found = subprocess.run(  # noqa: S603 (a fixed program, a pattern of ours)
            [fc_match, "-f", "%{file}\t%{index}\t%{family}\t%{charset}", f"{pattern}:{weight}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        path, index, families, charset = found.split("\t")
    except (OSError, subprocess.SubprocessError, ValueError):
        logger.warning("fc-match failed for %r", pattern, exc_info=True)
        return None
    family = pattern.split(":")[0]
    names = [name.strip().lower() for name in families.split(",")]
    if family not in ("", "sans-serif") and family.lower() not in names:
        return None
    return Face(path, int(index or 0), _parse_charset(charset), language)


def _parse_charset(charset: str):
    """fontconfig's charset ("20-7e a0-17f ...", hexadecimal) as sorted starts and ends."""
    starts, ends = [], []
    for part in charset.split():
        low, _, high = part.partition("-")
        starts.append(int(low, 16))
        ends.append(int(high or low, 16))
    return tuple(starts), tuple(ends)


def _file_coverage(path: Path, index: int):
    """The characters of a font file, from its cmap (fontTools comes with WeasyPrint); None,
    taken as "all", if it cannot be read."""
    try:
        from fontTools.ttLib import TTFont

        cmap = sorted(TTFont(path, fontNumber=index, lazy=True).getBestCmap())
    except Exception:  # any unreadable font: draw with it regardless
        logger.warning("Could not read the characters of %s", path, exc_info=True)
        return None
    return tuple(cmap), tuple(cmap)
