"""The headline, "N organisations from M countries have signed", is one sentence in each
language, with the plural forms of each count: Arabic has six, Russian three (and a fourth for
fractions, never used here)."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from publication.headlines import headline
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved


@dataclass
class Counts:
    signatories: int
    countries: int


def said(code: str, n: int, m: int = 1) -> str:
    with translation.override(code):
        return headline(Counts(n, m))


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 организация из 1 страны подписала"),
        (2, "2 организации из 1 страны подписали"),
        (5, "5 организаций из 1 страны подписали"),
        (11, "11 организаций из 1 страны подписали"),
        (100, "100 организаций из 1 страны подписали"),
        (101, "101 организация из 1 страны подписала"),
    ],
)
def test_russian_headline_plural_forms(n, expected):
    assert said("ru", n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "وقّعت منظمة واحدة من دولة واحدة"),
        (2, "وقّعت منظمتان من دولة واحدة"),
        (5, "وقّعت 5 منظمات من دولة واحدة"),
        (11, "وقّعت 11 منظمة من دولة واحدة"),
        (100, "وقّعت 100 منظمة من دولة واحدة"),
        (101, "وقّعت 101 منظمة من دولة واحدة"),
    ],
)
def test_arabic_headline_plural_forms(n, expected):
    assert said("ar", n) == expected


def test_the_countries_have_their_own_plural_forms():
    assert said("ru", 5, 2) == "5 организаций из 2 стран подписали"
    assert said("ru", 21, 21) == "21 организация из 21 страны подписала"
    assert said("ar", 3, 2) == "وقّعت 3 منظمات من دولتين"
    assert said("ar", 12, 12) == "وقّعت 12 منظمة من 12 دولة"


def test_chinese_puts_the_countries_first_and_english_keeps_its_grammar():
    assert said("zh-hans", 3, 2) == "来自2个国家的3家组织已签署"
    assert said("en", 1) == "1 organisation from 1 country has signed"
    assert said("en", 1234, 2) == "1,234 organisations from 2 countries have signed"
    assert said("fr", 1234, 2) == "1\xa0234 organisations de 2 pays ont signé"


def test_when_every_country_is_private_the_headline_names_no_country():
    assert said("en", 2, 0) == "2 organisations have signed"
    assert said("ru", 2, 0) == "2 организации подписали"


@pytest.mark.django_db
def test_the_page_shows_the_translated_headline_with_its_counts_in_bold(client):
    letter = LetterFactory()
    approved(letter, country="KE")
    approved(letter, country="KE")

    arabic = client.get(f"/ar/letters/{letter.slug}/").text
    russian = client.get(f"/ru/letters/{letter.slug}/").text

    assert "وقّعت <strong>منظمتان</strong> من <strong>دولة واحدة</strong>" in arabic
    assert "<strong>2 организации</strong> из <strong>1 страны</strong> подписали" in russian


@pytest.mark.django_db
def test_a_count_of_countries_on_its_own_is_in_the_nominative(client):
    letter = LetterFactory()
    approved(letter, country="KE")
    approved(letter, country="KE")

    russian = client.get("/ru/").text
    arabic = client.get("/ar/").text

    assert "2 организации · 1 страна" in russian  # alone; "из 1 страны" after "from"
    assert "منظمتان · دولة واحدة" in arabic
