"""Addresses per language: a prefix for every language but English, a switcher on every page,
`lang`/`dir` and hreflang links, and Accept-Language on a first visit to /."""

import re

import pytest

from campaigns.models import Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db

PREFIXES = {"ar": "/ar", "zh-hans": "/zh-hans", "en": "", "fr": "/fr", "ru": "/ru", "es": "/es"}


@pytest.mark.parametrize(("code", "prefix"), PREFIXES.items())
def test_each_language_has_its_address_with_lang_and_dir(client, letter, code, prefix):
    for path in (f"/letters/{letter.slug}/", f"/letters/{letter.slug}/sign/", "/privacy/"):
        response = client.get(prefix + path)
        assert response.status_code == 200, prefix + path
        direction = "rtl" if code == "ar" else "ltr"
        assert f'<html lang="{code}" dir="{direction}">' in response.text


def test_english_addresses_from_before_languages_keep_working(client, letter):
    slug = letter.slug
    addresses = [f"/letters/{slug}/", f"/letters/{slug}/signatories.csv", f"/api/letters/{slug}/",
                 "/healthz", "/letters/feed/", "/sitemap.xml"]  # fmt: skip
    for path in addresses:
        assert client.get(path).status_code in (200, 503), path  # healthz: 503 without a broker
    assert client.get(f"/en/letters/{letter.slug}/").status_code == 404  # English has no prefix
    assert client.get(f"/fr/api/letters/{letter.slug}/").status_code == 404  # one API address


def test_every_page_links_its_versions_in_each_language(client, letter):
    page = client.get(f"/fr/letters/{letter.slug}/?page=1").text
    links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
    assert links == {
        "ar": f"/ar/letters/{letter.slug}/?page=1",
        "zh-hans": f"/zh-hans/letters/{letter.slug}/?page=1",
        "en": f"/letters/{letter.slug}/?page=1",
        "x-default": f"/letters/{letter.slug}/?page=1",
        "fr": f"/fr/letters/{letter.slug}/?page=1",
        "ru": f"/ru/letters/{letter.slug}/?page=1",
        "es": f"/es/letters/{letter.slug}/?page=1",
    }


def test_the_switcher_works_without_javascript_and_lands_on_the_same_page(client, letter):
    page = client.get(f"/letters/{letter.slug}/").text
    assert 'action="/i18n/setlang/"' in page
    assert 'name="next" value="/letters/' in page
    assert (
        "csrfmiddlewaretoken" not in page.split('class="language-switcher')[1].split("</form>")[0]
    )
    response = client.post("/i18n/setlang/", {"language": "ru", "next": f"/letters/{letter.slug}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/ru/letters/{letter.slug}/"
    russian = client.get(response["Location"]).text
    shown_next = re.search(r'name="next" value="([^"]+)"', russian).group(1)
    back = client.post("/i18n/setlang/", {"language": "en", "next": shown_next})
    assert back["Location"] == f"/letters/{letter.slug}/"
    arabic = client.post("/i18n/setlang/", {"language": "ar", "next": shown_next})
    assert arabic["Location"] == f"/ar/letters/{letter.slug}/"


def test_a_first_visit_to_the_home_page_follows_accept_language(client):
    response = client.get("/", headers={"accept-language": "es-AR,es;q=0.9,en;q=0.5"})
    assert (response.status_code, response["Location"]) == (302, "/es/")
    assert "Accept-Language" in response["Vary"]
    assert client.get("/", headers={"accept-language": "en-GB,en"}).status_code == 200
    assert client.get("/", headers={"accept-language": "de-DE"}).status_code == 200  # not offered
    # An explicit prefix always wins, whatever the browser says.
    french = client.get("/fr/", headers={"accept-language": "ar"})
    assert french.status_code == 200 and '<html lang="fr"' in french.text


def test_arabic_pages_use_bootstraps_right_to_left_stylesheet(client, letter):
    assert "bootstrap.rtl" in client.get(f"/ar/letters/{letter.slug}/").text
    assert "bootstrap.rtl" not in client.get(f"/fr/letters/{letter.slug}/").text


def test_a_signature_through_fr_and_one_through_the_english_address_count_on_one_letter(client):
    from tests.signatories.helpers import confirm_path, form_data

    letter = LetterFactory(requires_approval=False, status=Letter.Status.OPEN)
    client.post(f"/fr/letters/{letter.slug}/sign/", form_data(contact_email="a@fr.example"))
    client.post(f"/letters/{letter.slug}/sign/", form_data(
        contact_email="b@en.example", organisation_name="English Group", country="GB"))  # fmt: skip
    for address in ("a@fr.example", "b@en.example"):
        path = confirm_path(address)
        assert not path.startswith("/fr/")  # the emailed links keep one address
        client.post(path)
    api = client.get(f"/api/letters/{letter.slug}/").json()
    assert api["signatories"] == 2
    assert letter.signatures.get(contact_email="a@fr.example").language == "fr"


@pytest.mark.parametrize("code", ["ar", "zh-hans", "fr", "ru", "es"])
def test_the_sign_form_and_headline_speak_each_language(client, code):
    from django.utils import translation

    from tests.signatories.test_counts import approved

    letter = LetterFactory()
    approved(letter, country="KE")
    with translation.override(code):
        button = translation.gettext("Sign the letter")
    assert button != "Sign the letter"  # the catalogue is compiled and complete for it
    form = client.get(f"{PREFIXES[code]}/letters/{letter.slug}/sign/").text
    assert f'value="{button}"' in form
    assert 'value="Sign the letter"' not in form
    page = client.get(f"{PREFIXES[code]}/letters/{letter.slug}/").text
    assert "has signed" not in page and "organisation from" not in page


def test_in_arabic_latin_names_and_the_letters_own_text_keep_their_direction(client):
    from tests.signatories.test_counts import approved

    letter = LetterFactory(title="Free the defenders (now)")
    approved(letter, country="KE", organisation_name="Rights Watch (Kenya).")
    page = client.get(f"/ar/letters/{letter.slug}/").text
    assert "<bdi>Rights Watch (Kenya).</bdi>" in page
    # An English text on an Arabic page: marked as English, its direction its own.
    assert '<h1 id="letter-title" lang="en" dir="auto">Free the defenders (now)</h1>' in page
    assert '<div class="letter-body" lang="en" dir="auto">' in page
