"""A letter's text in each language: its own where it has one, else the authoritative text
with a note; edited in the admin as title_<code>, summary_<code>, body_<code>; one letter, one
set of counts, whatever the language. Country names sorted and dates written per language."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from campaigns import services as letter_services
from campaigns.errors import DeliveredLetter
from campaigns.models import Letter
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db

PREFIXES = {"ar": "/ar", "zh-hans": "/zh-hans", "en": "", "fr": "/fr", "ru": "/ru", "es": "/es"}
NOTE = "text-language-note"


def page(client, code, letter) -> str:
    return client.get(f"{PREFIXES[code]}/letters/{letter.slug}/").text


def test_a_language_with_its_own_text_shows_it_and_the_others_show_the_authoritative_one(client):
    letter = LetterFactory(
        title="Free the defenders", body="We **urge** you.", summary="English summary.",
        title_fr="Libérez les défenseurs", body_fr="Nous vous **exhortons**.",
        summary_fr="Résumé en français.",
    )  # fmt: skip

    french, english, spanish = (page(client, code, letter) for code in ("fr", "en", "es"))

    assert "Libérez les défenseurs" in french and "Nous vous <strong>exhortons</strong>" in french
    assert "Free the defenders" not in french and NOTE not in french
    assert 'lang="fr" dir="auto">Libérez les défenseurs</h1>' in french
    assert "Free the defenders" in english and "exhortons" not in english and NOTE not in english
    # Spanish has no text: the English one, marked as English, with a note in Spanish.
    assert "Free the defenders" in spanish and "We <strong>urge</strong> you." in spanish
    assert 'lang="en" dir="auto">Free the defenders</h1>' in spanish
    with translation.override("es"):
        note = translation.gettext(
            "This letter has no text in your language yet. Here is its authoritative text "
            "(%(language)s)."
        ) % {"language": "English"}
    assert note in spanish and NOTE in spanish


def test_the_authoritative_language_need_not_be_english(client):
    letter = LetterFactory(
        language="fr", title="", body="", title_fr="Lettre ouverte", body_fr="Texte qui fait foi."
    )

    english = page(client, "en", letter)
    sign_form = client.get(f"/letters/{letter.slug}/sign/").text

    assert "Lettre ouverte" in english and "Texte qui fait foi." in english
    assert "Here is its authoritative text (Français)." in english
    assert "Here is its authoritative text (Français)." in sign_form
    assert NOTE not in page(client, "fr", letter)


def test_the_same_text_in_all_three_fields_never_a_title_over_another_languages_body(client):
    # Russian has a title but no body (refused by the form; here written directly): readers
    # in Russian get the whole authoritative text, not a Russian title over an English body.
    letter = LetterFactory(title="English title", body="English body.", title_ru="Заголовок")

    russian = page(client, "ru", letter)

    assert "English title" in russian and "Заголовок" not in russian


def test_the_admin_form_has_each_languages_fields_and_refuses_half_translations(admin_client):
    form = admin_client.get("/admin/campaigns/letter/add/").text
    for name in ("title_en", "title_fr", "title_zh_hans", "summary_ar", "body_ru", "body_es"):
        assert f'name="{name}"' in form
    assert 'name="language"' in form
    data = {
        "language": "fr", "slug": "lettre", "status": "draft", "requires_approval": "on",
        "title_en": "Open letter", "body_en": "", "title_fr": "", "body_fr": "",
    }  # fmt: skip

    refused = admin_client.post("/admin/campaigns/letter/add/", data)

    assert refused.status_code == 200
    assert "The authoritative text needs a title and a body." in refused.text
    assert "Give this language both a title and a body" in refused.text  # English: no body
    assert not Letter.objects.filter(slug="lettre").exists()

    data.update(title_fr="Lettre ouverte", body_fr="Nous demandons.", title_en="", body_en="")
    saved = admin_client.post("/admin/campaigns/letter/add/", data)

    assert saved.status_code == 302
    letter = Letter.objects.get(slug="lettre")
    assert (letter.language, letter.title_fr, letter.body_fr) == ("fr", "Lettre ouverte",
                                                                 "Nous demandons.")  # fmt: skip
    assert not letter.has_text_in("en")


def test_a_new_translation_shows_on_the_next_request_and_versions_track_the_authoritative_text(
    client,
):
    letter = LetterFactory(status=Letter.Status.OPEN, title="Title", body="Body.")
    letter_services.letter_create(letter=letter)  # records version 1
    letter.refresh_from_db()
    assert "Titre" not in page(client, "fr", letter)  # cached under the letter's version

    letter = letter_services.letter_update(
        letter=letter,
        changes={"title_fr": "Titre", "body_fr": "Corps."},
        revision=letter.revision,
    )

    assert "Titre" in page(client, "fr", letter) and "Corps." in page(client, "fr", letter)
    assert letter.versions.count() == 1  # a translation is not a new text
    letter = letter_services.letter_update(
        letter=letter, changes={"body": "Body, amended."}, revision=letter.revision
    )
    assert letter.versions.count() == 2
    assert letter.versions.last().body == "Body, amended."


def test_no_translation_changes_once_the_letter_is_delivered(letter):
    letter.title_fr, letter.body_fr = "Titre", "Corps."
    letter.save()
    letter = letter_services.letter_deliver(letter=letter, to="the UN")

    for changes in ({"title_fr": "Autre titre"}, {"body_zh_hans": "新文本"}, {"language": "fr"}):
        with pytest.raises(DeliveredLetter):
            letter_services.letter_update(letter=letter, changes=changes, revision=letter.revision)


def test_signatures_through_every_language_count_on_one_letter(client):
    from tests.signatories.helpers import confirm_path, form_data

    letter = LetterFactory(requires_approval=False, title_fr="Titre", body_fr="Corps.")
    for number, prefix in enumerate(PREFIXES.values()):
        client.post(
            f"{prefix}/letters/{letter.slug}/sign/",
            form_data(organisation_name=f"Group {number}", contact_email=f"c{number}@example.org"),
        )
        client.post(confirm_path(f"c{number}@example.org"))

    assert client.get(f"/api/letters/{letter.slug}/").json()["signatories"] == 6
    for code in PREFIXES:
        assert "Group 5" in page(client, code, letter)


def test_the_demo_letter_has_its_text_in_all_six_languages(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    letter = Letter.objects.get(slug="un-china-rights")

    titles = set()
    for code in PREFIXES:
        assert letter.has_text_in(code), code
        shown = page(client, code, letter)
        assert NOTE not in shown, code
        titles.add(letter.text_in(code)[0])
        assert letter.text_in(code)[0].replace("'", "&#x27;") in shown, code
    assert len(titles) == 6


def option_names(html: str) -> list[str]:
    import html as html_module
    import re

    select = re.search(r'<select name="country".*?</select>', html, re.S).group(0)
    return [html_module.unescape(name) for name in re.findall(r'<option value="\w\w">([^<]+)<',
                                                               select)]  # fmt: skip


def test_country_names_are_in_the_readers_language_in_its_alphabetical_order(client, letter):
    french = option_names(client.get(f"/fr/letters/{letter.slug}/sign/").text)
    russian = option_names(client.get(f"/ru/letters/{letter.slug}/sign/").text)
    arabic = option_names(client.get(f"/ar/letters/{letter.slug}/sign/").text)

    # Accented initials sort with their letter, not after "Z".
    assert french.index("Danemark") < french.index("Égypte") < french.index("Espagne")
    assert french.index("Émirats arabes unis") < french.index("Zambie")
    assert russian[0] == "Австралия" and russian.index("Япония") > russian.index("Эстония")
    assert arabic.index("ألمانيا") < arabic.index("فرنسا") < arabic.index("كينيا")


def test_the_counts_table_orders_equal_counts_by_the_readers_alphabet(client, letter):
    approved(letter, country="FR")
    approved(letter, country="EG")

    french = page(client, "fr", letter)

    assert french.index("Égypte") < french.index("France")


@pytest.mark.parametrize(
    ("code", "written"),
    [("en", "5 March 2027, 14:30"), ("fr", "5 mars 2027 14:30"), ("ru", "5 марта 2027 г. 14:30"),
     ("es", "5 de marzo de 2027 a las 14:30"), ("zh-hans", "2027年3月5日 14:30"),
     ("ar", "5 مارس، 2027، 14:30")],
)  # fmt: skip
def test_dates_are_written_the_way_each_language_writes_them(client, code, written):
    letter = LetterFactory(closes_at=datetime(2027, 3, 5, 14, 30, tzinfo=UTC))

    assert written in page(client, code, letter)


def test_once_signed_the_authoritative_language_stays_and_its_text_cannot_be_emptied(
    admin_client,
):
    from django.utils import timezone

    from campaigns.errors import LanguageLocked
    from tests.support.admin import post_change_form

    letter = LetterFactory(
        status=Letter.Status.OPEN, opened_at=timezone.now(), title_fr="Titre", body_fr="Corps."
    )
    with pytest.raises(LanguageLocked):
        letter_services.letter_update(
            letter=letter, changes={"language": "fr"}, revision=letter.revision
        )
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    assert 'name="language"' not in admin_client.get(url).text  # shown, not editable

    emptied = post_change_form(admin_client, url, title_en="", body_en="")

    assert "The authoritative text needs a title and a body." in emptied.text
    letter.refresh_from_db()
    assert (letter.language, letter.title_en) != ("fr", "")
