"""Counted, not named, and not even located: unnamed signers can keep their country out of every
public count, and a letter about a dangerous place can do it for all of them."""

import re

import pytest
from django.utils.html import strip_tags

from signatories import services
from signatories.counts import recount
from signatories.models import Signature
from tests.factories import LetterFactory, organiser
from tests.signatories.helpers import confirm_path, sign
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


def summary(client, letter) -> dict:
    return client.get(f"/api/letters/{letter.slug}/").json()


def page_text(client, letter) -> str:
    return re.sub(r"\s+", " ", strip_tags(client.get(f"/letters/{letter.slug}/").text))


def test_an_unnamed_signer_who_hides_its_country_counts_only_in_the_total(client, letter):
    approved(letter, country="KE", organisation_name="Named in Kenya")
    approved(letter, country="KE", list_publicly=False, hide_country=True)
    approved(letter, country="NG", list_publicly=False)  # unnamed, country shown

    data = summary(client, letter)

    assert (data["signatories"], data["countries"], data["unnamed"]) == (3, 2, 2)
    assert data["by_country"] == [
        {"code": "KE", "name": "Kenya", "count": 1},
        {"code": "NG", "name": "Nigeria", "count": 1},
        {"code": None, "name": "Country not disclosed", "count": 1},
    ]
    assert sum(line["count"] for line in data["by_country"]) == data["signatories"]
    text = page_text(client, letter)
    assert "3 organisations from 2 countries have signed" in text
    assert re.search(r"Country not disclosed ?1", text)


def test_no_undisclosed_entry_while_there_are_none(client, letter):
    approved(letter, country="KE")

    assert [line["code"] for line in summary(client, letter)["by_country"]] == ["KE"]


def test_a_named_signer_always_shows_its_country(client, letter):
    approved(letter, country="KE", hide_country=True)  # named: the choice does not apply

    assert summary(client, letter)["by_country"] == [{"code": "KE", "name": "Kenya", "count": 1}]


def test_the_sign_form_offers_the_choice_and_the_confirm_page_repeats_it(client, letter):
    assert 'name="hide_country"' in client.get(f"/letters/{letter.slug}/sign/").text

    sign(client, letter, list_publicly=None, hide_country="on")

    assert Signature.objects.get().hide_country is True
    assert "not shown in public" in client.get(confirm_path("amina@khrn.or.ke")).text


def test_a_letter_can_keep_every_unnamed_signers_country_private(client):
    letter = LetterFactory(hide_unnamed_countries=True)
    approved(letter, country="KE", organisation_name="Named in Kenya")
    approved(letter, country="KE", list_publicly=False)  # did not ask; the letter does
    before = summary(client, letter)["by_country"]

    # Polling the counts reveals nothing when an unnamed organisation from Kenya is approved.
    approved(letter, country="KE", list_publicly=False)
    after = summary(client, letter)

    assert before[0] == after["by_country"][0] == {"code": "KE", "name": "Kenya", "count": 1}
    assert after["by_country"][-1] == {"code": None, "name": "Country not disclosed", "count": 2}
    assert (after["signatories"], after["countries"]) == (3, 1)


def test_turning_the_letter_setting_on_moves_the_counts_at_once(client, admin_client):
    from tests.support.admin import post_change_form

    letter = LetterFactory()
    approved(letter, country="KE", list_publicly=False)
    approved(letter, country="NG", organisation_name="Named in Nigeria")
    assert summary(client, letter)["countries"] == 2

    post_change_form(
        admin_client, f"/admin/campaigns/letter/{letter.pk}/change/", hide_unnamed_countries=True
    )

    data = summary(client, letter)
    assert (data["signatories"], data["countries"]) == (2, 1)
    assert data["by_country"][-1]["code"] is None
    assert recount(letter, repair=False) == []


def test_an_organiser_moving_a_signer_to_undisclosed_moves_its_count(client, letter):
    signature = approved(letter, country="KE", list_publicly=False)

    services.signature_edit_by_staff(
        signature=signature,
        changes={"hide_country": True},
        revision=signature.revision,
        by=organiser(),
    )

    assert [line["code"] for line in summary(client, letter)["by_country"]] == [None]
    assert recount(letter, repair=False) == []
