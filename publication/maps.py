"""The world map of a letter's signatories: an SVG drawn on the server, each country shaded by
how many organisations signed from it, with its legend inside.

The shapes come from publication/data/world.json (built by scripts/build-world-map, already
projected). The SVG stands alone: presentation attributes only, no <style>, script, font or
image from anywhere, so it shows the same as an <img>, opened directly or under a strict CSP.
The counts table on the letter's page stays the accessible view; the map names itself and the
totals for assistive technology and gives each shaded country a tooltip.
"""

import bisect
import functools
import json
import unicodedata
from pathlib import Path

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from publication.headlines import as_sentence, headline
from signatories.counts import LetterCounts

DATA = Path(__file__).resolve().parent / "data" / "world.json"

# Light mode: ColorBrewer "Blues", each class clearly darker than the last, the lightest still
# apart from the grey of countries without signatories. Text is near-black on white (14:1).
NEUTRAL = "#e4e4e4"
COLOURS = ("#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")
BACKGROUND = "#fff"
INK = "#1f2937"
BORDER_WIDTH = ".5"
MARKER_RADIUS = 3.5  # a country too small to see at this scale is also shown by a dot

# The legend, under the map, in viewBox units (the map is about 1000 wide).
FONT_SIZE = 16
SWATCH = 16
ROW = 28  # height of one legend row
GAP = 8  # between a swatch and its label
SPACING = 22  # between one legend item and the next
CHAR_WIDTH = 0.6  # of FONT_SIZE: an estimate of a character's width to lay out the legend
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@functools.cache
def world() -> dict:
    """The shapes, read once per process: {"viewBox", "paths": {code: d}, "land": d (shapes
    that are no ISO country), "dots": {code: [x, y]}}."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def nice_numbers():
    """1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500…: round class bounds."""
    yield from (1, 2, 5)
    power = 10
    while True:
        yield from (power, power * 5 // 2, power * 5)
        power *= 10


def class_bounds(highest: int) -> list[int]:
    """The lower bounds of the five classes: 1, then four consecutive round numbers ending
    with the largest one at most a quarter of the highest count (never below 2, 5, 10, 25).

    Round numbers read better than quantiles and stay put as counts grow; scaling them with
    the highest count keeps a large coalition from having every country in the top class.
    """
    ceiling = max(highest / 4, 25)
    series = []
    for number in nice_numbers():
        if number > ceiling:
            break
        series.append(number)
    return [1, *series[-4:]]


def class_labels(bounds: list[int]) -> list[str]:
    labels = []
    for low, following in zip(bounds, [*bounds[1:], None], strict=True):
        if following is None:
            labels.append(_("%(low)d+") % {"low": low})
        elif following - 1 == low:
            labels.append(str(low))
        else:
            range_ = _("%(low)d–%(high)d")  # noqa: RUF001 - an en dash, as ranges are written
            labels.append(range_ % {"low": low, "high": following - 1})
    return labels


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _summary(counts: LetterCounts) -> str:
    title = _("World map of the signatory organisations by country")
    if not counts.signatories:
        return title
    return f"{title}: {as_sentence(headline(counts))}"


def _legend(bounds: list[int], top: float, width: float) -> tuple[list[str], float]:
    """The legend's elements, laid out in rows from `top`, and the height they take."""
    heading = _("Organisations per country")
    items = [(colour, label) for colour, label in zip(COLOURS, class_labels(bounds), strict=True)]
    items.append((NEUTRAL, pgettext("no organisations from the country", "None")))

    def text_width(text: str) -> float:
        # Chinese characters (East Asian wide) take a whole em, Latin ones about 0.6.
        ems = sum(1 if unicodedata.east_asian_width(c) in "WF" else CHAR_WIDTH for c in text)
        return ems * FONT_SIZE

    parts = []
    x, y = GAP, top
    parts.append(f'<text x="{x}" y="{_number(y + SWATCH - 3)}">{escape(heading)}</text>')
    x += text_width(heading) + SPACING
    for colour, label in items:
        item_width = SWATCH + GAP + text_width(label)
        if x + item_width > width - GAP:  # no room left on this row: start another
            x, y = GAP, y + ROW
        parts.append(
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{SWATCH}" height="{SWATCH}" '
            f'fill="{colour}" stroke="{INK}" stroke-width=".5"/>'
        )
        parts.append(
            f'<text x="{_number(x + SWATCH + GAP)}" y="{_number(y + SWATCH - 3)}">'
            f"{escape(label)}</text>"
        )
        x += item_width + SPACING
    return parts, y + ROW - top


def render_map(counts: LetterCounts) -> str:
    """The letter's map as SVG text: countries with signatories shaded by class, each with
    data-country="<alpha-2 code>" and a tooltip; those without in grey; the legend under it.

    Only disclosed countries are drawn: the signatures that keep their country private count
    in the total the map's label gives, never on a country.
    """
    data = world()
    paths, dots = data["paths"], data["dots"]
    _x, _y, width, map_height = (float(n) for n in data["viewBox"].split())
    drawable = paths.keys() | dots.keys()
    shown = [line for line in counts.by_country if line.disclosed and line.code in drawable]
    bounds = class_bounds(max((line.count for line in shown), default=0))
    shaded = {line.code for line in shown}

    neutral = [d for code, d in paths.items() if code not in shaded]
    countries = []
    # Countries shown by a marker last, so that no neighbour is drawn over their marker.
    for line in sorted(shown, key=lambda line: (line.code in dots, line.code)):
        colour = COLOURS[bisect.bisect_right(bounds, line.count) - 1]
        tooltip = ngettext(
            "%(country)s: %(n)d organisation", "%(country)s: %(n)d organisations", line.count
        ) % {"country": line.name, "n": line.count}
        title = f"<title>{escape(tooltip)}</title>"
        code = escape(line.code)
        if line.code in dots:
            x, y = dots[line.code]
            shape = f'<path d="{paths[line.code]}"/>' if line.code in paths else ""
            countries.append(
                f'<g data-country="{code}" fill="{colour}">{title}{shape}'
                f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{MARKER_RADIUS}" '
                f'stroke="{INK}" stroke-width="1"/></g>'
            )
        else:
            countries.append(
                f'<path data-country="{code}" fill="{colour}" d="{paths[line.code]}">{title}</path>'
            )

    legend, legend_height = _legend(bounds, map_height + GAP, width)
    height = map_height + GAP + legend_height
    label = escape(_summary(counts))
    return "".join(
        [
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {_number(width)} {_number(height)}" role="img" aria-label="{label}">',
            f"<title>{label}</title>",
            f'<rect width="{_number(width)}" height="{_number(height)}" fill="{BACKGROUND}"/>',
            f'<g stroke="{BACKGROUND}" stroke-width="{BORDER_WIDTH}" stroke-linejoin="round" '
            'fill-rule="evenodd">',
            f'<path fill="{NEUTRAL}" d="{"".join(neutral)}{data["land"]}"/>',
            *countries,
            "</g>",
            f'<g font-family="{FONT}" font-size="{FONT_SIZE}" fill="{INK}">',
            *legend,
            "</g></svg>\n",
        ]
    )
