"""The world map of a letter's signatories (publication.maps): one SVG drawn on the server."""

import json
import xml.etree.ElementTree as ET

import pytest
from django_countries import countries

from publication.maps import DATA, class_bounds, render_map
from signatories.counts import CountryLine, LetterCounts, letter_counts
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

SVG = "{http://www.w3.org/2000/svg}"


def draw(letter) -> ET.Element:
    letter.refresh_from_db()  # the approvals moved its published_version on
    return ET.fromstring(render_map(letter_counts(letter)))


def shaded(svg: ET.Element) -> dict[str, ET.Element]:
    return {
        element.get("data-country"): element
        for element in svg.iter()
        if element.get("data-country")
    }


def tooltip(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def fill(element: ET.Element) -> str:
    return element.get("fill")


def legend(svg: ET.Element) -> list[str]:
    """The legend's words, its ranges' en dashes written as hyphens."""
    return [text.text.replace("\N{EN DASH}", "-") for text in svg.iter(f"{SVG}text")]


@pytest.mark.django_db
def test_each_country_with_signatories_is_shaded_and_named_with_its_count(letter):
    approved(letter, country="KE", organisation_name="First in Kenya")
    approved(letter, country="KE", organisation_name="Second in Kenya")
    approved(letter, country="NG")
    approved(letter, country="FR", list_publicly=False)  # unnamed, its country shown
    approved(letter, country="SG")  # too small to see at this scale: a marker shows it

    svg = draw(letter)

    countries_shown = shaded(svg)
    assert set(countries_shown) == {"KE", "NG", "FR", "SG"}
    assert tooltip(countries_shown["KE"]) == "Kenya: 2 organisations"
    assert tooltip(countries_shown["NG"]) == "Nigeria: 1 organisation"
    assert tooltip(countries_shown["FR"]) == "France: 1 organisation"
    assert tooltip(countries_shown["SG"]) == "Singapore: 1 organisation"
    assert countries_shown["SG"].find(f"{SVG}circle") is not None
    assert fill(countries_shown["KE"]) != fill(countries_shown["NG"])  # 2 and 1: two classes
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == svg.find(f"{SVG}title").text
    assert "5 organisations from 4 countries have signed." in svg.get("aria-label")


@pytest.mark.django_db
def test_a_country_kept_private_is_counted_in_the_total_but_never_shaded():
    letter = LetterFactory()
    approved(letter, country="KE")
    approved(letter, country="BR", list_publicly=False, hide_country=True)  # asked for it
    approved(letter, country="BR", hide_country=True)  # named: the choice does not apply
    private = LetterFactory(hide_unnamed_countries=True)  # keeps every unnamed one's private
    approved(private, country="KE")
    approved(private, country="GH", list_publicly=False)

    svg, private_svg = draw(letter), draw(private)

    assert set(shaded(svg)) == {"KE", "BR"}
    assert tooltip(shaded(svg)["BR"]) == "Brazil: 1 organisation"
    assert "3 organisations from 2 countries" in svg.get("aria-label")
    assert set(shaded(private_svg)) == {"KE"}
    assert "2 organisations from 1 country" in private_svg.get("aria-label")


@pytest.mark.django_db
def test_a_letter_without_signatories_draws_the_world_in_grey(letter):
    svg = draw(letter)

    assert shaded(svg) == {}
    assert svg.get("aria-label") == "World map of the signatory organisations by country"
    assert "None" in legend(svg)


def test_names_are_escaped_and_every_country_shaded_stays_small():
    lines = [CountryLine(code, name, 1, 0) for code, name in countries]
    lines[0] = CountryLine(lines[0].code, 'A <b>"bold"</b> & odd name', 30, 0)
    counts = LetterCounts(signatories=len(lines) + 29, by_country=lines)

    text = render_map(counts)

    svg = ET.fromstring(text)
    assert tooltip(shaded(svg)[lines[0].code]) == 'A <b>"bold"</b> & odd name: 30 organisations'
    assert "<b>" not in text
    assert len(text.encode()) < 300 * 1024
    _x, _y, width, height = (float(n) for n in svg.get("viewBox").split())
    assert width > height > 0
    assert svg.get("width") is None  # scales to whatever width the page gives it


def test_the_classes_and_their_legend_follow_the_highest_count():
    small = [CountryLine("KE", "Kenya", 1, 0), CountryLine("NG", "Nigeria", 30, 0)]
    large = [CountryLine("KE", "Kenya", 1, 0), CountryLine("NG", "Nigeria", 400, 0)]

    small_svg = ET.fromstring(render_map(LetterCounts(31, by_country=small)))
    large_svg = ET.fromstring(render_map(LetterCounts(401, by_country=large)))

    assert class_bounds(30) == [1, 2, 5, 10, 25]
    assert legend(small_svg)[1:] == ["1", "2-4", "5-9", "10-24", "25+", "None"]
    assert class_bounds(400) == [1, 10, 25, 50, 100]
    assert legend(large_svg)[1:] == ["1-9", "10-24", "25-49", "50-99", "100+", "None"]
    swatches = [rect.get("fill") for rect in large_svg.iter(f"{SVG}rect")][-6:]
    assert fill(shaded(large_svg)["KE"]) == swatches[0]
    assert fill(shaded(large_svg)["NG"]) == swatches[4]


def test_every_country_a_signatory_can_choose_is_on_the_map():
    data = json.loads(DATA.read_text())
    drawn = set(data["paths"]) | set(data["dots"])

    missing = {code for code, _name in countries} - drawn

    assert missing == {"AQ"}  # Antarctica: left off the map


def test_the_legends_first_swatch_clears_a_chinese_heading():
    from django.utils import translation

    from publication.maps import FONT_SIZE

    with translation.override("zh-hans"):
        svg = ET.fromstring(render_map(LetterCounts(1, by_country=[CountryLine("CN", "", 1, 0)])))
    heading = next(svg.iter(f"{SVG}text"))
    first_swatch = [rect for rect in svg.iter(f"{SVG}rect")][-6]

    # Each Chinese character is a full em wide.
    heading_end = float(heading.get("x")) + len(heading.text) * FONT_SIZE
    assert float(first_swatch.get("x")) >= heading_end
