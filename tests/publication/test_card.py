"""The share card: a 1200 by 630 PNG with the title in any script, the counts and the site."""

import io
import logging

import pytest
from PIL import Image

from publication import cards, typesetting
from publication.cards import render_card
from signatories.counts import CountryLine, LetterCounts
from tests.factories import LetterFactory

ARABIC = "أوقفوا القمع"
CHINESE = "保护公民空间"
LONG = " ".join(["Coalition demands accountability for systematic violations"] * 12)

needs_noto = pytest.mark.skipif(
    typesetting._script_face("ARABIC", True) is None
    or typesetting._cjk_face("zh-hans", True) is None,
    reason="Noto Sans Arabic and Noto Sans CJK are not installed",
)


def counts(signatories, countries):
    lines = [CountryLine(f"C{n}", f"Country {n}", 1, 0) for n in range(countries)]
    return LetterCounts(signatories=signatories, by_country=lines)


def card(title="Protect civic space now", signed=(12, 3)):
    letter = LetterFactory.build(title=title)
    return Image.open(io.BytesIO(render_card(letter, counts(*signed)))).convert("RGB")


def ink(image, box):
    """How many pixels in `box` are not the background."""
    region = image.crop(box)
    background = region.getcolors(region.width * region.height)
    return region.width * region.height - dict((c, n) for n, c in background).get(
        cards.BACKGROUND, 0
    )


def ink_rows(image):
    """The rows below the accent bar with anything drawn on them."""
    return [y for y in range(cards.BAR, image.height) if ink(image, (0, y, image.width, y + 1))]


def blocks(rows, gap=16):
    """Rows grouped into blocks (the title, the headline, the footer) by the gaps between."""
    found = []
    for row in rows:
        if found and row - found[-1][-1] <= gap:
            found[-1].append(row)
        else:
            found.append([row])
    return [(block[0], block[-1]) for block in found]


def first_line(image):
    return (0, cards.TITLE_TOP, image.width, cards.TITLE_TOP + 90)


def test_card_is_a_1200_by_630_png():
    letter = LetterFactory.build()
    image = Image.open(io.BytesIO(render_card(letter, counts(12, 3))))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert len(render_card(letter, counts(12, 3))) < 150_000


def test_the_counts_change_the_card():
    letter = LetterFactory.build()
    made = {render_card(letter, c) for c in (counts(12, 3), counts(13, 3), counts(12, 4))}
    assert len(made) == 3


def test_headline_counts_organisations_and_countries():
    letter = LetterFactory.build()
    assert cards._headline(letter, counts(1, 1)) == "1 organisation from 1 country"
    assert cards._headline(letter, counts(1234, 56)) == "1,234 organisations from 56 countries"
    # Every signatory kept its country private: no "from 0 countries".
    assert cards._headline(letter, counts(2, 0)) == "2 organisations have signed"


def test_a_letter_without_signatories_invites_the_first():
    assert cards._headline(LetterFactory.build(), counts(0, 0)) == (
        "Be the first organisation to sign"
    )
    closed = LetterFactory.build(status="closed")
    assert cards._headline(closed, counts(0, 0)) == "No organisation has signed yet."


def looks_different(first, second):
    """Whether two titles' first lines differ on the card. A font without the letters draws
    the same empty box for each: titles of as many characters, spaced alike, would not."""
    one, other = card(first), card(second)
    return one.crop(first_line(one)) != other.crop(first_line(other))


@needs_noto
@pytest.mark.parametrize("title", [ARABIC, CHINESE])
def test_other_scripts_are_drawn_with_their_letters(title):
    image = card(title)
    assert ink(image, first_line(image)) > 2000
    assert looks_different(title, " ".join(word[::-1] for word in title.split()))


@needs_noto
def test_an_arabic_title_reads_from_the_right():
    image = card(ARABIC)
    left, top, _, bottom = first_line(image)
    assert ink(image, (left, top, image.width // 2, bottom)) == 0
    assert ink(image, (image.width - cards.MARGIN - 40, top, image.width - cards.MARGIN, bottom))


@needs_noto
def test_a_title_mixing_scripts_draws_each_with_its_letters():
    # Noto's Arabic font has no Latin letters, Noto Sans no Chinese: each part of a mixed
    # title needs the font of its own script.
    assert looks_different(f"{ARABIC} COP", f"{ARABIC} CUP")
    assert looks_different(f"Open letter {CHINESE}", f"Open letter {CHINESE[::-1]}")


@pytest.mark.parametrize("title", [LONG, "x" * 255, ARABIC * 20, CHINESE * 40])
def test_a_long_title_is_cut_and_stays_clear_of_the_rest(title):
    short, long = card("Short"), card(title)
    # Nothing in the margins on either side, nor below the footer.
    for image in (short, long):
        assert ink(image, (0, cards.BAR, cards.MARGIN, image.height)) == 0
        assert ink(image, (image.width - cards.MARGIN, cards.BAR, image.width, image.height)) == 0
        assert ink(image, (0, cards.FOOTER_BOTTOM + 12, image.width, image.height)) == 0
    # The headline and the footer are where they are with a short title, untouched.
    _, headline_block, footer_block = blocks(ink_rows(short))
    below_title = (0, headline_block[0] - 24, short.width, short.height)
    assert long.crop(below_title) == short.crop(below_title)
    assert blocks(ink_rows(long))[-2:] == [headline_block, footer_block]
    # What does not fit is left out: more of the title changes nothing.
    assert long == card(title + " and more words")


@needs_noto
def test_without_fontconfig_the_fonts_are_found_where_debian_puts_them(monkeypatch):
    title = f"Protect civic space {ARABIC} {CHINESE}"
    found = card(title)
    monkeypatch.setattr(typesetting.shutil, "which", lambda name: None)
    typesetting._forget_fonts()
    try:
        assert card(title) == found
    finally:
        typesetting._forget_fonts()


def test_without_the_noto_fonts_a_card_is_still_drawn(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(typesetting.shutil, "which", lambda name: None)  # no fontconfig
    monkeypatch.setattr(typesetting, "DEBIAN_FONTS", tmp_path)
    monkeypatch.setattr(typesetting, "DEBIAN_CJK", tmp_path)
    typesetting._forget_fonts()
    try:
        with caplog.at_level(logging.WARNING, logger="publication.cards"):
            image = card(f"Protect civic space {ARABIC} {CHINESE}")
            card("Another letter")
    finally:
        typesetting._forget_fonts()
    assert image.size == (1200, 630)
    assert ink(image, first_line(image)) > 2000
    missing = [r for r in caplog.records if "Noto Sans is not installed" in r.getMessage()]
    assert len(missing) == 1  # once, not once a card


def test_without_raqm_arabic_is_still_drawn(monkeypatch):
    monkeypatch.setattr(typesetting, "_has_raqm", lambda: False)
    image = card(ARABIC)
    assert ink(image, first_line(image)) > 2000
