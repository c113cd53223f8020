"""An organiser imports signatures from a spreadsheet in the admin, in a real browser: upload,
a preview of every row and its errors, a corrected file, confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from signatories.counts import letter_counts
from signatories.models import Signature
from tests.e2e.conftest import sign_in
from tests.factories import LetterFactory
from tests.support.admin import organisers_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "organisation_name;country;contact_name;contact_email;list_publicly"
ROWS = [
    "Kenya Rights Network;KE;Amina Otieno;amina@krn.example.org;yes",
    "Observatorio Lima;Peru;Rosa Quispe;rosa@observatorio.example.pe;no",
]


@pytest.fixture
def letter():
    return LetterFactory(title="Release the detained lawyers")


@pytest.fixture
def organiser_page(page, live_server, letter):
    user = get_user_model().objects.create_user(
        "organiser", "o@example.org", "a-long-password-1", is_staff=True
    )
    user.groups.add(organisers_group())
    letter.organisers.add(user)
    return sign_in(page, live_server, "organiser", "a-long-password-1")


def csv_upload(name: str, *rows: str) -> dict:
    content = "\ufeff" + "\n".join([HEADER, *rows]) + "\n"
    return {"name": name, "mimeType": "text/csv", "buffer": content.encode()}


def test_an_organiser_uploads_sees_the_errors_corrects_and_imports(
    organiser_page, live_server, letter
):
    page = organiser_page
    page.goto(f"{live_server.url}/admin/campaigns/letter/{letter.pk}/change/")
    page.get_by_role("link", name="Import signatures").click()

    # A file with a mistake: every row is shown, the bad one with its error, and no import.
    bad = "Narnia Friends;Narnia;Lucy Pevensie;lucy@narnia.example;yes"
    page.get_by_label("File").set_input_files(csv_upload("first.csv", *ROWS, bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("first.csv: 3 rows.").wait_for()
    assert page.locator("#import-preview tbody tr").count() == 3
    assert "Observatorio Lima" in page.locator("#import-row-3").inner_text()
    assert "country: “Narnia” is not a country" in page.locator("#import-row-4").inner_text()
    assert page.locator("#import-errors li").all_inner_texts() == [
        "row 4: country: “Narnia” is not a country: write its two-letter ISO code (KE) or its "
        "English name (Kenya)."
    ]
    assert page.get_by_role("button", name="Import 3 signatures").count() == 0

    # The corrected file previews clean and imports on confirmation.
    page.get_by_role("link", name="Upload a corrected file").click()
    fixed = "Narnia Friends;GB;Lucy Pevensie;lucy@narnia.example;yes"
    page.get_by_label("File").set_input_files(csv_upload("fixed.csv", *ROWS, fixed))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("No errors: the rows can be imported.").wait_for()
    assert Signature.objects.count() == 0
    page.get_by_label("Approve them at once (counted and published)").check()
    page.get_by_role("button", name="Import 3 signatures").click()

    page.get_by_text("Imported 3 signatures from fixed.csv.").wait_for()
    assert page.url.endswith(f"/admin/campaigns/letter/{letter.pk}/change/")
    assert set(Signature.objects.values_list("status", "source")) == {("approved", "import")}
    letter.refresh_from_db()  # its published version moved on
    counts = letter_counts(letter)
    assert (counts.signatories, counts.unnamed, counts.countries) == (3, 1, 3)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina@krn.example.org",
        "lucy@narnia.example",
        "rosa@observatorio.example.pe",
    ]
