"""The letter's share card: the 1200 by 630 PNG that social media show with a link to it.

It holds the letter's title, how many organisations from how many countries have signed and
the site's name, drawn on the server with Pillow from fonts installed on the machine (nothing
is fetched). Titles come in any script, often several in one: publication.typesetting sets
them.
"""

import functools
import io

from django.conf import settings
from django.utils.translation import get_language_bidi, gettext
from PIL import Image, ImageDraw

from publication.headlines import headline
from publication.typesetting import (
    Fonts,
    Paragraph,
    draw_lines,
    draw_runs,
    fit,
    line_height,
    text_width,
    truncated,
)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80  # on the left and right: nothing is drawn closer to the edges
BAR = 14  # the accent bar along the top edge
TITLE_TOP = BAR + 64
FOOTER_BOTTOM = HEIGHT - 52
CONTENT_WIDTH = WIDTH - 2 * MARGIN
EDGES = {"left": MARGIN, "right": WIDTH - MARGIN}

BACKGROUND = (255, 255, 255)
ACCENT = (13, 110, 253)  # the site's primary colour (Bootstrap's blue, as in the favicon)
INK = (33, 37, 41)
MUTED = (73, 80, 87)

# The title is as large as lets it fit in at most TITLE_LINES lines, down to the smallest size,
# then cut with an ellipsis: at a thumbnail's width (about 500 pixels) 48 is still legible.
TITLE_SIZES = (72, 64, 56, 48)
TITLE_LINES = 4
HEADLINE_SIZES = (46, 40, 34)
HEADLINE_LINES = 2
FOOTER_SIZE = 32
LOGO = 44

# The PNG's palette: every pixel of the card is the background, one of three colours or a
# blend of the two (the anti-aliased edges); BLENDS steps of each keep the edges smooth, at
# less than half the size of an RGB file. (zlib's highest level, `optimize`, would save a
# further tenth and cost 60 ms a card.)
BLENDS = 21


def render_card(letter, counts) -> bytes:
    """The share card of `letter` with `counts` (a signatories.counts.LetterCounts), as PNG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    fonts = Fonts()
    draw.rectangle((0, 0, WIDTH - 1, BAR - 1), fill=ACCENT)

    footer_top = _draw_footer(image, draw, fonts)

    headline = Paragraph(_headline(letter, counts), bold=True)
    size, lines = fit(headline, fonts, HEADLINE_SIZES, HEADLINE_LINES, CONTENT_WIDTH)
    headline_top = footer_top - 40 - len(lines) * line_height(size)
    draw_lines(draw, fonts, headline, size, lines, headline_top, ACCENT, **EDGES)

    title = Paragraph(" ".join(letter.title.split()), bold=True)
    room = headline_top - 40 - TITLE_TOP
    size, lines = fit(title, fonts, TITLE_SIZES, TITLE_LINES, CONTENT_WIDTH, room=room)
    draw_lines(draw, fonts, title, size, lines, TITLE_TOP, INK, **EDGES)

    out = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(out, "PNG")
    return out.getvalue()


@functools.cache
def _palette() -> Image.Image:
    colours = [BACKGROUND]
    for ink in (INK, ACCENT, MUTED):
        for step in range(1, BLENDS + 1):
            share = step / BLENDS
            pairs = zip(BACKGROUND, ink, strict=True)
            colours.append(tuple(round(back + (fore - back) * share) for back, fore in pairs))
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return palette


def _headline(letter, counts) -> str:
    if not counts.signatories:
        if letter.is_open:
            return gettext("Be the first organisation to sign")
        return gettext("No organisation has signed yet.")
    return headline(counts, verb=False)


def _site_name() -> str:
    return getattr(settings, "SITE_NAME", "") or gettext("Undersigned")


def _draw_footer(image, draw, fonts) -> int:
    """The site's mark and name along the bottom, on the reading side; returns its top."""
    name = Paragraph(_site_name(), bold=True)
    rtl = get_language_bidi()
    top = FOOTER_BOTTOM - LOGO
    logo_left = WIDTH - MARGIN - LOGO if rtl else MARGIN
    image.paste(_logo(), (logo_left, top))
    cells = name.cells
    room = CONTENT_WIDTH - LOGO - 18
    if text_width(cells, fonts, FOOTER_SIZE) > room:
        cells = truncated(cells, fonts, FOOTER_SIZE, name.rtl, room)
    width = text_width(cells, fonts, FOOTER_SIZE)
    left = logo_left - 18 - width if rtl else logo_left + LOGO + 18
    baseline = top + LOGO // 2 + round(FOOTER_SIZE * 0.36)  # the x-height centred on the mark
    draw_runs(draw, fonts, cells, FOOTER_SIZE, left, baseline, MUTED)
    return top


@functools.cache
def _logo() -> Image.Image:
    """The favicon's mark (a tick on a rounded square), drawn large and scaled down smooth."""
    scale = 4
    size = LOGO * scale
    mark = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(mark)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 6 // 32, fill=ACCENT)
    tick = [(size * x / 32, size * y / 32) for x, y in ((8, 17), (13, 22), (24, 10))]
    draw.line(tick, fill=BACKGROUND, width=round(size * 3.5 / 32), joint="curve")
    for x, y in (tick[0], tick[-1]):  # round caps
        r = size * 3.5 / 64
        draw.ellipse((x - r, y - r, x + r, y + r), fill=BACKGROUND)
    return mark.resize((LOGO, LOGO), Image.Resampling.LANCZOS)
