"""The delivery files: the public list and the contacts, as CSV and XLSX, from the command and
from the letter's admin page."""

import csv
import io
import logging
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import Letter
from signatories import services
from signatories.counts import letter_counts
from tests.conftest import CommittingClient
from tests.factories import LetterFactory, SignatureFactory, organiser

pytestmark = pytest.mark.django_db

PUBLIC_HEADER = [
    "organisation", "website", "country_code", "country_name", "signed_date", "initiator",
]  # fmt: skip
CONTACT_EMAIL = "secret-contact@kenya-rights.example"


def approved(letter, **fields):
    fields.setdefault("confirmed_at", timezone.now())
    signature = SignatureFactory(letter=letter, status="verified", **fields)
    return services.signature_approve(signature=signature, by=organiser())


@pytest.fixture
def letter(db):
    letter = LetterFactory(slug="delivery", title="Delivery letter")
    approved(letter, organisation_name="Zeta Kenya Network", country="KE")
    approved(
        letter,
        organisation_name="Alpha Kenya Rights",
        country="KE",
        contact_name="Wanjiru Kamau",
        contact_email=CONTACT_EMAIL,
        contact_role="Chair",
    )
    approved(letter, organisation_name="Berlin Forum", country="DE", initiator=True)
    approved(letter, organisation_name="Paris Collectif", country="FR")
    approved(letter, organisation_name="Quiet Kenyan Group", country="KE", list_publicly=False)
    approved(letter, organisation_name="Quiet Kenyan Two", country="KE", list_publicly=False)
    approved(
        letter,
        organisation_name="Hidden French Group",
        country="FR",
        list_publicly=False,
        hide_country=True,
    )
    # Not approved: in neither export.
    SignatureFactory(letter=letter, organisation_name="Still Pending", country="KE")
    SignatureFactory(letter=letter, organisation_name="Under Review", status="verified")
    SignatureFactory(letter=letter, organisation_name="Turned Down", status="rejected")
    SignatureFactory(letter=letter, organisation_name="Gone Away", status="withdrawn")
    # Another letter's signatory.
    approved(LetterFactory(), organisation_name="Other Letter Group", country="KE")
    return letter


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def export_csv(letter, *options) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_signatories", letter.slug, *options, stdout=out)
    return csv_rows(out.getvalue())


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# The public list ------------------------------------------------------------------------------


def test_the_public_list_is_grouped_by_country_in_the_letter_pages_order(letter, client):
    rows = export_csv(letter)

    assert rows[0] == PUBLIC_HEADER
    named = [row for row in rows[1:] if row[1]]  # every named one has a website here
    assert [(row[0], row[2], row[3]) for row in named] == [
        ("Paris Collectif", "FR", "France"),
        ("Berlin Forum", "DE", "Germany"),
        ("Alpha Kenya Rights", "KE", "Kenya"),
        ("Zeta Kenya Network", "KE", "Kenya"),
    ]
    assert named[1][5] == "yes" and named[0][5] == "no"  # the initiator, in its country
    assert named[0][4] == timezone.now().date().isoformat()
    # The letter's page lists them in the same order (after its "Initiated by" list).
    page = client.get(f"/letters/{letter.slug}/").text
    listed = page.split('id="signatories-heading"')[1].split("Initiated by")[-1]
    positions = [listed.index(row[0]) for row in named if row[5] == "no"]
    assert positions == sorted(positions)


def test_only_approved_named_signatories_of_the_letter_are_listed_by_name(letter):
    text = "\n".join(",".join(row) for row in export_csv(letter))

    for absent in ["Still Pending", "Under Review", "Turned Down", "Gone Away", "Quiet Kenyan",
                   "Hidden French", "Other Letter Group", CONTACT_EMAIL, "Wanjiru"]:  # fmt: skip
        assert absent not in text


def test_the_last_rows_count_those_not_named_by_country_as_the_public_counts_do(letter):
    rows = export_csv(letter)

    assert rows[-2:] == [
        ["and 2 organisations that asked not to be named", "", "KE", "Kenya", "", ""],
        ["and 1 organisation that asked not to be named", "", "", "Country not disclosed", "", ""],
    ]
    public = {line.code: line.unnamed for line in letter_counts(letter).by_country if line.unnamed}
    assert public == {"KE": 2, "": 1}


def test_a_letter_hiding_unnamed_countries_has_them_all_under_not_disclosed(letter):
    Letter.objects.filter(pk=letter.pk).update(hide_unnamed_countries=True)

    rows = export_csv(letter)

    unnamed = [row for row in rows if row[0].startswith("and ")]
    assert unnamed == [
        ["and 3 organisations that asked not to be named", "", "", "Country not disclosed", "", ""]
    ]
    assert not any(row[2] == "FR" and not row[1] for row in rows)  # France's only named one


def test_a_letter_without_unnamed_signatories_has_no_such_rows():
    letter = LetterFactory()
    approved(letter, organisation_name="Only Named", country="KE")

    rows = export_csv(letter)

    assert [row[0] for row in rows] == ["organisation", "Only Named"]


FORMULAS = ["=1+1", "+254 Network", "-minus Group", "@SUM(A1)", '=HYPERLINK("http://x")']


def test_csv_cells_never_run_as_formulas():
    letter = LetterFactory()
    for name in FORMULAS:
        approved(letter, organisation_name=name, country="KE")

    names = {row[0] for row in export_csv(letter)[1:]}
    contacts = {row[1] for row in export_csv(letter, "--contacts")[1:]}

    assert names == contacts == {"'" + name for name in FORMULAS}


def test_xlsx_cells_keep_formulas_as_text(tmp_path):
    letter = LetterFactory()
    for name in FORMULAS:
        approved(letter, organisation_name=name, country="KE", contact_name="=1+1")
    path = tmp_path / "list.xlsx"

    call_command("export_signatories", letter.slug, "--output", str(path), stdout=io.StringIO())

    sheet = load_workbook(path).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in cells} == set(FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}  # text, not formulas
    call_command("export_signatories", letter.slug, "--contacts", "--output", str(path))
    contact = load_workbook(path).worksheets[0]["I2"]
    assert (contact.value, contact.data_type) == ("=1+1", "s")


def test_the_xlsx_list_holds_the_csv_rows(letter, tmp_path):
    path = tmp_path / "list.out"

    call_command("export_signatories", letter.slug, "--format", "xlsx", "--output", str(path))

    rows = xlsx_rows(path.read_bytes())
    as_text = [["" if value is None else str(value) for value in row] for row in rows]
    assert as_text == export_csv(letter)


# The contacts ---------------------------------------------------------------------------------


def test_the_contacts_list_every_approved_signature_with_its_contact(letter):
    rows = export_csv(letter, "--contacts")

    header, *rows = rows
    records = [dict(zip(header, row, strict=True)) for row in rows]
    by_name = {record["organisation"]: record for record in records}
    assert set(by_name) == {
        "Paris Collectif", "Hidden French Group", "Berlin Forum", "Alpha Kenya Rights",
        "Quiet Kenyan Group", "Quiet Kenyan Two", "Zeta Kenya Network",
    }  # fmt: skip
    alpha = by_name["Alpha Kenya Rights"]
    assert (alpha["contact_name"], alpha["contact_email"], alpha["contact_role"]) == (
        "Wanjiru Kamau", CONTACT_EMAIL, "Chair",
    )  # fmt: skip
    assert alpha["source"] == "form" and alpha["named"] == "yes"
    assert alpha["approved_at"] and alpha["confirmed_at"] and alpha["submitted_at"]
    hidden = by_name["Hidden French Group"]
    assert (hidden["named"], hidden["country_private"]) == ("no", "yes")
    assert hidden["country_code"] == "FR"  # organisers see the real country
    # In the page's order too: France, Germany, Kenya.
    assert [record["country_code"] for record in records] == ["FR"] * 2 + ["DE"] + ["KE"] * 4


# The command ----------------------------------------------------------------------------------


def test_the_command_writes_csv_to_a_file_and_says_how_many_rows(letter, tmp_path):
    path = tmp_path / "list.csv"
    out = io.StringIO()

    call_command("export_signatories", letter.slug, "--output", str(path), stdout=out)

    assert csv_rows(path.read_text(encoding="utf-8")) == export_csv(letter)
    assert out.getvalue() == f"wrote 6 rows to {path}\n"  # 4 named, 2 lines of the unnamed


def test_the_command_takes_xlsx_from_the_file_name(letter, tmp_path):
    path = tmp_path / "list.xlsx"

    call_command("export_signatories", letter.slug, "--output", str(path), stdout=io.StringIO())

    assert xlsx_rows(path.read_bytes())[0] == PUBLIC_HEADER


def test_the_command_refuses_xlsx_to_stdout_an_unknown_letter_and_an_unknown_user(letter):
    with pytest.raises(CommandError, match="--output"):
        call_command("export_signatories", letter.slug, "--format", "xlsx")
    with pytest.raises(CommandError, match="No letter"):
        call_command("export_signatories", "no-such-letter")
    with pytest.raises(CommandError, match="No user"):
        call_command("export_signatories", letter.slug, "--by", "nobody")


def test_the_command_logs_numbers_only_and_records_who_with_by(letter, caplog):
    user = organiser()
    caplog.set_level(logging.INFO, logger="signatories.exporting")

    export_csv(letter, "--contacts")
    assert not LogEntry.objects.exists()
    export_csv(letter, "--contacts", "--by", user.username)

    lines = [r.getMessage() for r in caplog.records if r.name == "signatories.exporting"]
    assert lines == [
        f"export letter={letter.pk} kind=contacts format=csv rows=7 by=command",
        f"export letter={letter.pk} kind=contacts format=csv rows=7 by={user.pk}",
    ]
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (user, str(letter.pk))
    assert entry.change_message == "Exported the contact details (CSV, 7 rows)"


# The admin ------------------------------------------------------------------------------------


def staff(username, *perms, organises=None):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    if organises is not None:
        organises.organisers.add(user)
    client = CommittingClient()
    client.force_login(user)
    return user, client


def export_url(letter, kind, file_format):
    return f"/admin/campaigns/letter/{letter.pk}/export/{kind}.{file_format}"


def content(response) -> bytes:
    return response.content


def test_an_organiser_downloads_the_public_list_from_the_letters_page(letter):
    _, client = staff("organiser-a", organises=letter)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text
    assert export_url(letter, "signatories", "csv") in page
    assert export_url(letter, "signatories", "xlsx") in page
    response = client.get(export_url(letter, "signatories", "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="delivery-signatories.csv"' in response["Content-Disposition"]
    assert csv_rows(content(response).decode()) == export_csv(letter)
    xlsx = client.get(export_url(letter, "signatories", "xlsx"))
    assert xlsx.status_code == 200
    assert xlsx_rows(content(xlsx))[1][0] == "Paris Collectif"


def test_without_the_contacts_permission_an_organiser_sees_no_button_and_gets_403(letter):
    _, client = staff("organiser-a", organises=letter)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert "/export/contacts." not in page
    for file_format in ("csv", "xlsx"):
        assert client.post(export_url(letter, "contacts", file_format)).status_code == 403
    assert not LogEntry.objects.exists()


def test_with_the_contacts_permission_the_export_is_a_form_and_is_recorded(letter, caplog):
    user, client = staff("organiser-a", "export_contacts", organises=letter)
    caplog.set_level(logging.INFO)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text
    form = re.search(r'<form method="post" action="([^"]+/export/contacts\.csv)"', page)
    assert form and 'name="csrfmiddlewaretoken"' in page
    assert client.get(export_url(letter, "contacts", "csv")).status_code == 405  # a link: no
    response = client.post(form.group(1))

    assert response.status_code == 200
    assert 'filename="delivery-contacts.csv"' in response["Content-Disposition"]
    assert CONTACT_EMAIL in content(response).decode()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (user, str(letter.pk))
    assert entry.change_message == "Exported the contact details (CSV, 7 rows)"
    history = client.get(f"/admin/campaigns/letter/{letter.pk}/history/").text
    assert "Exported the contact details (CSV, 7 rows)" in history
    assert CONTACT_EMAIL not in caplog.text and "Wanjiru" not in caplog.text
    assert f"export letter={letter.pk} kind=contacts format=csv rows=7 by={user.pk}" in caplog.text
    xlsx = client.post(export_url(letter, "contacts", "xlsx"))
    assert xlsx.status_code == 200 and LogEntry.objects.count() == 2


def test_a_contacts_export_needs_the_list_permission_too(letter):
    user, client = staff("organiser-a", "export_contacts", organises=letter)
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="view_letter"))

    assert client.post(export_url(letter, "contacts", "csv")).status_code == 403
    assert client.get(export_url(letter, "signatories", "csv")).status_code == 403


def test_an_organiser_of_another_letter_gets_403_on_every_export(letter):
    _, client = staff("organiser-b", "export_contacts", organises=LetterFactory())

    for kind, method in [("signatories", "get"), ("contacts", "post")]:
        for file_format in ("csv", "xlsx"):
            response = getattr(client, method)(export_url(letter, kind, file_format))
            assert response.status_code == 403, (kind, file_format)
    assert not LogEntry.objects.exists()


def test_staff_without_the_export_permission_get_403_and_no_buttons(letter):
    user = get_user_model().objects.create_user(username="plain", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_letter"))
    letter.organisers.add(user)
    client = CommittingClient()
    client.force_login(user)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert "/export/" not in page
    assert client.get(export_url(letter, "signatories", "csv")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(letter, client):
    response = client.get(export_url(letter, "signatories", "csv"))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_superuser_exports_any_letter(letter, admin_client):
    page = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert "/export/contacts.xlsx" in page
    assert admin_client.post(export_url(letter, "contacts", "xlsx")).status_code == 200
