"""The organisers' side in a real browser: the admin's scripts work under our CSP."""

import pytest

from campaigns.models import Letter
from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_organiser_drafts_a_letter_and_the_slug_fills_itself(organiser_page, live_server):
    page = organiser_page
    page.goto(f"{live_server.url}/admin/campaigns/letter/add/")

    # The English text's fields (one section per language): the slug follows its title.
    page.locator("#id_title_en").press_sequentially("Release the detained lawyers")
    assert page.get_by_label("Slug").input_value() == "release-the-detained-lawyers"
    page.locator("#id_body_en").fill("We urge you to **act**.")
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_text("was added successfully").wait_for()
    assert Letter.objects.get().slug == "release-the-detained-lawyers"


def test_an_organiser_approves_signatures_in_bulk(organiser_page, live_server):
    page = organiser_page
    letter = LetterFactory()
    for name in ("Alpha Group", "Beta Group"):
        SignatureFactory(letter=letter, status="verified", organisation_name=name)

    page.goto(f"{live_server.url}/admin/signatories/signature/?status__exact=verified")
    page.locator("#action-toggle").check()
    page.get_by_role("combobox", name="Action").select_option("approve_signatures")
    page.get_by_role("button", name="Go").click()

    page.get_by_text("Approved 2 signatures.").wait_for()
    assert set(Signature.objects.values_list("status", flat=True)) == {"approved"}
    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    page.get_by_text("2 organisations from 1 country have signed").wait_for()
