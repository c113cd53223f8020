"""Text versions: each change of the text of a letter taking signatures is recorded, signers'
signatures say which text they signed, and readers see when and what changed."""

import pytest

from campaigns import services as letter_services
from campaigns.models import Letter, LetterVersion, text_hash
from signatories.models import Signature
from tests.factories import LetterFactory, organiser
from tests.signatories.helpers import sign

pytestmark = pytest.mark.django_db


def edit(letter, **changes):
    letter.refresh_from_db()
    return letter_services.letter_update(
        letter=letter, changes=changes, revision=letter.revision, by=organiser()
    )


def new_letter(status=Letter.Status.DRAFT, **fields):
    letter = Letter(
        title="Protect the river", slug="river", body="First paragraph.\n\nSecond paragraph.",
        status=status, **fields,
    )  # fmt: skip
    return letter_services.letter_create(letter=letter)


def test_a_drafts_edits_record_nothing_and_opening_records_version_one():
    letter = new_letter()
    edit(letter, body="Still being written.")
    assert not LetterVersion.objects.exists()
    letter = edit(letter, status=Letter.Status.OPEN)
    (version,) = LetterVersion.objects.all()
    assert (version.number, version.title, version.body) == (1, letter.title, letter.body)
    assert version.text_hash == text_hash(letter.title, letter.body)
    assert letter.text_version == 1


@pytest.mark.parametrize("status", [Letter.Status.OPEN, Letter.Status.EMBARGOED])
def test_changing_the_title_or_body_of_a_letter_taking_signatures_records_who_and_when(status):
    letter = new_letter(status=status)
    assert letter.text_version == 1
    letter = edit(letter, body="First paragraph.\n\nA stronger second paragraph.")
    letter = edit(letter, summary="Only the summary changes")  # not the text: no version
    letter = edit(letter, title="Protect the river now")
    versions = list(letter.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3]
    assert versions[1].created_by is not None
    assert versions[2].title == "Protect the river now"
    assert letter.text_version == 3
    assert len({version.text_hash for version in versions}) == 3


def test_each_signature_records_the_text_its_signer_signed(client):
    letter = new_letter(status=Letter.Status.OPEN)
    sign(client, letter, contact_email="first@ngo.example")
    edit(letter, body="New body.")
    sign(client, letter, contact_email="second@ngo.example", organisation_name="Second NGO")
    first = Signature.objects.get(contact_email="first@ngo.example")
    second = Signature.objects.get(contact_email="second@ngo.example")
    assert (first.text_version, second.text_version) == (1, 2)


def test_the_page_says_when_the_text_last_changed_and_links_to_what_changed(client):
    letter = new_letter(status=Letter.Status.OPEN)
    page = client.get("/letters/river/").content.decode()
    assert "Text last changed" not in page  # the text it opened with

    edit(letter, body="First paragraph.\n\nA <b>stronger</b> second paragraph.")
    page = client.get("/letters/river/").content.decode()
    assert "Text last changed on" in page
    assert 'href="/letters/river/versions/"' in page

    versions = client.get("/letters/river/versions/").content.decode()
    assert "Version 2" in versions and "Version 1" in versions
    assert '<del class="d-block">Second paragraph.</del>' in versions
    assert "A &lt;b&gt;stronger&lt;/b&gt; second paragraph." in versions  # escaped
    assert LetterVersion.objects.get(number=2).text_hash in versions
    assert "organiser" not in versions  # who edited is for the admin only


def test_the_versions_of_a_draft_are_not_public(client):
    LetterFactory(slug="secret-draft", status=Letter.Status.DRAFT)
    assert client.get("/letters/secret-draft/versions/").status_code == 404


def test_the_admin_lists_the_versions_with_who_recorded_them(admin_client):
    letter = new_letter(status=Letter.Status.OPEN)
    edit(letter, body="Changed.")
    page = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").content.decode()
    assert "Version 2" in page and "organiser" in page


def test_edits_of_a_letter_taken_back_to_draft_are_not_recorded():
    letter = new_letter(status=Letter.Status.OPEN)
    letter = edit(letter, status=Letter.Status.DRAFT)
    letter = edit(letter, body="A private rewrite, not yet for signers.")
    assert letter.text_version == 1
    letter = edit(letter, status=Letter.Status.OPEN)
    assert letter.text_version == 2  # recorded when signers can see it


def test_a_signer_whose_text_changed_while_the_form_was_open_is_asked_to_read_again(client):
    letter = new_letter(status=Letter.Status.OPEN)
    shown = client.get("/letters/river/sign/").content.decode()
    assert 'name="text_version" value="1"' in shown
    edit(letter, body="A changed body.")
    response = sign(client, letter, text_version="1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The text of the letter changed while this form was open" in page
    assert 'name="text_version" value="2"' in page
    assert 'value="Kenya Human Rights Network"' in page  # what they typed is kept
    assert not Signature.objects.exists()
    assert sign(client, letter, text_version="2").status_code == 302
    assert Signature.objects.get().text_version == 2
