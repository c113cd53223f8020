"""Importing signatures gathered outside the form: the command and the letter's admin pages."""

import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from openpyxl import Workbook

from campaigns.models import Letter
from signatories import importing, services
from signatories.counts import letter_counts
from signatories.models import Signature, SignatureEvent
from tests.conftest import CommittingClient, committed
from tests.factories import LetterFactory, SignatureFactory, organiser
from tests.signatories.helpers import links_in

pytestmark = pytest.mark.django_db

HEADER = (
    "organisation_name,website,country,contact_name,contact_role,contact_email,"
    "list_publicly,initiator,comment"
)
GOOD_ROWS = [
    ",".join(row)
    for row in [
        ["Kenya Rights Network", "https://krn.example.org", "KE", "Amina Otieno", "Director",
         "amina@krn.example.org", "yes", "no", ""],
        ["Berliner Forum e.V.", "https://forum.example.de", "germany", "Jonas Weber", "Chair",
         "jonas@gmail.com", "no", "yes", "By phone"],
        ["Collectif Paris", "", "France", "Claire Martin", "", "claire@collectif.example.fr",
         "", "", ""],
    ]
]  # fmt: skip
BAD_ROWS = [
    ",https://nameless.example.org,KE,Someone,,someone@nameless.example.org,yes,no,",
    "Narnia Friends,,Narnia,Lucy,,lucy@narnia.example,maybe,no,",
    "Broken Mail Group,not a website,KE,Edmund,,not-an-address,yes,no,",
]  # fmt: skip


def csv_file(tmp_path, *rows, header=HEADER, name="signatures.csv", encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes("\n".join([header, *rows]).encode(encoding) + b"\n")
    return str(path)


def xlsx_file(tmp_path, rows, name="signatures.xlsx") -> str:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return str(path)


def run(letter, path, *options):
    """The command's (stdout, stderr), with its emails sent as after a commit; raises
    CommandError as the command exits 1."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with committed():
            call_command("import_signatures", letter.slug, path, *options, stdout=out, stderr=err)
    finally:
        run.stderr = err.getvalue()
    return out.getvalue(), err.getvalue()


def fails(letter, path, *options) -> tuple[str, list[str]]:
    """The command's error and the row lines it printed; asserts it wrote nothing."""
    before = Signature.objects.count()
    with pytest.raises(CommandError) as failure:
        run(letter, path, *options)
    assert Signature.objects.count() == before
    assert mail.outbox == []
    return str(failure.value), run.stderr.splitlines()


# The command ----------------------------------------------------------------------------------


def test_a_dry_run_prints_every_error_of_the_file_one_per_line_and_writes_nothing(letter, tmp_path):
    path = csv_file(tmp_path, *GOOD_ROWS, *BAD_ROWS)

    message, lines = fails(letter, path, "--dry-run")

    assert lines == [
        "row 5: organisation_name: This field is required.",
        "row 6: country: “Narnia” is not a country: write its two-letter ISO code (KE) or its "
        "English name (Kenya).",
        "row 6: list_publicly: Write yes or no (or true/false, 1/0).",
        "row 7: website: Enter a valid URL.",
        "row 7: contact_email: Enter a valid email address.",
    ]
    assert message == "5 errors: nothing imported."


def test_a_dry_run_of_a_good_file_says_how_many_and_writes_nothing(letter, tmp_path):
    out, _ = run(letter, csv_file(tmp_path, *GOOD_ROWS), "--dry-run")

    assert out.strip() == "3 signatures would be imported (dry run: nothing written)"
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_without_the_dry_run_a_file_with_errors_writes_nothing_at_all(letter, tmp_path):
    message, lines = fails(letter, csv_file(tmp_path, *GOOD_ROWS, BAD_ROWS[1]))

    assert message == "2 errors: nothing imported."
    assert [line.split(":")[0] for line in lines] == ["row 5", "row 5"]


def test_a_good_file_is_imported_awaiting_review_with_its_source_and_trail(letter, tmp_path):
    by = organiser()

    out, _ = run(letter, csv_file(tmp_path, *GOOD_ROWS), "--by", by.username)

    assert out.strip() == "imported 3 signatures"
    signatures = {s.organisation_name: s for s in Signature.objects.filter(letter=letter)}
    assert set(signatures) == {"Kenya Rights Network", "Berliner Forum e.V.", "Collectif Paris"}
    for signature in signatures.values():
        assert signature.status == "verified"
        assert signature.source == "import"
        assert signature.imported_by == by
        assert signature.confirmed_at is not None
        assert signature.authorised and signature.consent
        assert signature.withdraw_key
        event = signature.events.get()
        assert (event.kind, event.actor, event.after) == (
            SignatureEvent.Kind.IMPORTED,
            by,
            "verified",
        )
    kenya, berlin = signatures["Kenya Rights Network"], signatures["Berliner Forum e.V."]
    assert (kenya.country.code, kenya.list_publicly, kenya.initiator) == ("KE", True, False)
    assert kenya.email_domain_matches  # derived as for the form
    assert (berlin.country.code, berlin.list_publicly, berlin.initiator) == ("DE", False, True)
    assert berlin.comment == "By phone"
    assert signatures["Collectif Paris"].list_publicly  # empty: the default, yes
    assert letter_counts(letter).signatories == 0  # awaiting review: not counted yet


def test_without_by_nobody_is_recorded_as_the_importer(letter, tmp_path):
    run(letter, csv_file(tmp_path, GOOD_ROWS[0]))

    signature = Signature.objects.get()
    assert signature.imported_by is None
    assert signature.events.get().who == "an organiser"


def test_with_approve_they_are_counted_and_published_at_once(letter, tmp_path):
    run(letter, csv_file(tmp_path, *GOOD_ROWS), "--approve", "--by", organiser().username)

    assert set(Signature.objects.values_list("status", flat=True)) == {"approved"}
    assert Signature.objects.filter(approved_at=None).count() == 0
    counts = letter_counts(letter)
    assert (counts.signatories, counts.unnamed, counts.countries) == (3, 1, 3)
    assert {line.code: (line.count, line.unnamed) for line in counts.by_country} == {
        "KE": (1, 0),
        "DE": (1, 1),
        "FR": (1, 0),
    }


def test_an_unnamed_organisation_can_keep_its_country_private(letter, tmp_path):
    header = "organisation_name,country,contact_name,contact_email,list_publicly,hide_country"
    path = csv_file(
        tmp_path,
        "Quiet Group,BY,Anon,anon@quiet.example,no,yes",
        "Named Group,BY,Olga,olga@named.example,yes,",
        header=header,
    )

    run(letter, path, "--approve")

    counts = letter_counts(letter)
    assert (counts.signatories, counts.countries) == (2, 1)
    assert {line.code: line.count for line in counts.by_country} == {"BY": 1, "": 1}


def test_an_xlsx_file_is_read_from_its_first_sheet(letter, tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            ["Organisation name", "Country", "Contact name", "Contact email", "List publicly"],
            ["Lagos Voices", "NG", "Ada Obi", "ada@lagosvoices.example.org", 0],
            ["Quito Colectivo", "ecuador", "Luis Paz", "luis@quito.example.ec", True],
        ],
    )

    out, _ = run(letter, path)

    assert out.strip() == "imported 2 signatures"
    signatures = {s.organisation_name: s for s in Signature.objects.all()}
    assert signatures["Lagos Voices"].country.code == "NG"
    assert not signatures["Lagos Voices"].list_publicly
    assert signatures["Quito Colectivo"].country.code == "EC"
    assert signatures["Quito Colectivo"].list_publicly


def test_xlsx_errors_are_numbered_as_the_spreadsheet_numbers_rows(letter, tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            ["organisation_name", "country", "contact_name", "contact_email"],
            ["Lagos Voices", "NG", "Ada Obi", "ada@lagosvoices.example.org"],
            [None, None, None, None],
            ["No Country", None, "Ada Two", "two@lagos.example.org"],
        ],
    )

    _, lines = fails(letter, path)

    assert lines == ["row 4: country: This field is required."]


def test_a_csv_with_a_byte_order_mark_and_semicolons_is_read(letter, tmp_path):
    header = "\ufefforganisation_name;country;contact_name;contact_email;comment"
    path = csv_file(
        tmp_path,
        "Société Civile Dakar;SN;Awa Diop;awa@societe.example.sn;Signé, avec joie",
        '"Groupe; Point-virgule";Senegal;Moussa Fall;moussa@groupe.example.sn;',
        header=header,
    )

    out, _ = run(letter, path)

    assert out.strip() == "imported 2 signatures"
    names = set(Signature.objects.values_list("organisation_name", flat=True))
    assert names == {"Société Civile Dakar", "Groupe; Point-virgule"}
    assert Signature.objects.get(country="SN", contact_name="Awa Diop").comment == (
        "Signé, avec joie"
    )


def test_an_unknown_column_is_an_error_and_missing_optional_ones_are_fine(letter, tmp_path):
    header = "organisation_name,country,contact_name,contact_email,phone"
    _, lines = fails(letter, csv_file(tmp_path, "A Group,KE,Ann,ann@a.example,+254", header=header))

    assert lines == [
        "row 1: phone: unknown column; the columns are: organisation_name, website, country, "
        "contact_name, contact_role, contact_email, list_publicly, hide_country, initiator, comment"
    ]

    header = "organisation_name,country,contact_name,contact_email"
    out, _ = run(letter, csv_file(tmp_path, "A Group,KE,Ann,ann@a.example", header=header))
    assert out.strip() == "imported 1 signatures"


def test_a_required_column_missing_is_said_once_not_on_every_row(letter, tmp_path):
    header = "organisation_name,country,contact_name"
    _, lines = fails(letter, csv_file(tmp_path, "A Group,KE,Ann", "B Group,KE,Bo", header=header))

    assert lines == ["row 1: contact_email: this column is required"]


@pytest.mark.parametrize(
    ("written", "code"),
    [("KE", "KE"), ("ke", "KE"), ("Kenya", "KE"), ("KENYA", "KE"), ("united kingdom", "GB"),
     ("Côte d\u2019Ivoire", "CI"), ("Turkey", "TR")],
)  # fmt: skip
def test_the_country_is_read_from_its_code_or_its_english_name(letter, tmp_path, written, code):
    header = "organisation_name,country,contact_name,contact_email"
    run(letter, csv_file(tmp_path, f'A Group,"{written}",Ann,ann@a.example', header=header))

    assert Signature.objects.get().country.code == code


def test_duplicates_within_the_file_are_errors_on_the_later_rows(letter, tmp_path):
    path = csv_file(
        tmp_path,
        GOOD_ROWS[0],
        "Other Name,,KE,Someone,,Amina@KRN.example.org,,,",  # the same inbox
        "KENYA RIGHTS NETWORK,,KE,Someone Else,,else@elsewhere.example,,,",  # the same name
        header="organisation_name,website,country,contact_name,contact_role,contact_email,"
        "list_publicly,initiator,comment",
    )

    _, lines = fails(letter, path)

    assert lines == [
        "row 3: contact_email: the same address as row 2",
        "row 4: organisation_name: the same organisation as row 2",
    ]


def test_duplicates_of_live_signatures_on_the_letter_are_errors(letter, tmp_path):
    signed = SignatureFactory(
        letter=letter, status="verified", contact_email="amina@krn.example.org"
    )
    named = SignatureFactory(letter=letter, status="approved", organisation_name="Collectif Paris")
    # Withdrawn, and on another letter: no longer or not in this letter's list.
    SignatureFactory(letter=letter, status="withdrawn", organisation_name="Berliner Forum e.V.")
    SignatureFactory(organisation_name="Berliner Forum e.V.", contact_email="jonas@gmail.com")

    _, lines = fails(letter, csv_file(tmp_path, *GOOD_ROWS))

    assert lines == [
        f"row 2: contact_email: this address has already signed the letter "
        f"(signature #{signed.pk})",
        f"row 4: organisation_name: this organisation has already signed the letter "
        f"(signature #{named.pk})",
    ]


def test_an_address_that_signed_after_the_check_stops_the_whole_import(letter):
    SignatureFactory(letter=letter, status="verified", contact_email="late@signer.example")
    rows = [
        {"organisation_name": "First", "country": "KE", "contact_name": "A",
         "contact_email": "first@one.example"},
        {"organisation_name": "Late", "country": "KE", "contact_name": "B",
         "contact_email": "late@signer.example"},
    ]  # fmt: skip

    with pytest.raises(IntegrityError):
        services.signatures_import(letter=letter, rows=rows, by=None, approve=True)

    assert Signature.objects.filter(source="import").count() == 0
    assert letter_counts(letter).signatories == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (HEADER.encode(), "row 1: file: there are no rows under the header"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "This is an Excel 97-2003 (.xls) file",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or XLSX file."),
        (b"PK\x03\x04 not really a zip", "The file could not be read as XLSX."),
        ("organisation_name,country\nCaf\u00e9,FR\n".encode("latin-1"), "The file is not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_error(letter, tmp_path, content, message):
    path = tmp_path / "upload"
    path.write_bytes(content)

    error, lines = fails(letter, str(path))

    assert message in error + "\n".join(lines)


def test_a_file_over_the_limits_is_refused_whole(letter, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    error, _ = fails(letter, csv_file(tmp_path, *GOOD_ROWS))
    assert "more than 2 rows under its header" in error

    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    error, _ = fails(letter, csv_file(tmp_path, *GOOD_ROWS))
    assert "larger than 0 MB" in error or "larger than" in error


def test_blank_lines_never_hide_rows_past_the_limit(letter, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = GOOD_ROWS[:2]
    last = GOOD_ROWS[2]

    # Blank lines do not count: three rows with a gap import whole.
    out, _ = run(letter, csv_file(tmp_path, *rows, "", "", last), "--dry-run")
    assert "3 signatures would be imported" in out

    # A fourth row after the gap is refused with the file, never left out quietly.
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    error, _ = fails(letter, csv_file(tmp_path, *rows, "", "", last))
    assert "more than 2 rows under its header" in error


def test_a_spreadsheet_that_unpacks_too_large_or_too_wide_is_refused(letter, tmp_path, monkeypatch):
    header = HEADER.split(",")
    # A small file that unpacks into much more (here a long cell; in an attack, gigabytes).
    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED_BYTES", 50_000)
    long_name = ["Group " + "x" * 100_000, *GOOD_ROWS[0].split(",")[1:]]
    error, _ = fails(letter, xlsx_file(tmp_path, [header, long_name]))
    assert "too large once unpacked" in error

    monkeypatch.undo()
    wide = [*GOOD_ROWS[0].split(","), *[""] * 60, "stray"]
    error, _ = fails(letter, xlsx_file(tmp_path, [header, wide], name="wide.xlsx"))
    assert "cells beyond column 50" in error


def test_an_unknown_letter_or_user_or_file_is_an_error(letter, tmp_path):
    path = csv_file(tmp_path, *GOOD_ROWS)
    with pytest.raises(CommandError, match="No letter"):
        call_command("import_signatures", "no-such-letter", path)
    with pytest.raises(CommandError, match="No user"):
        call_command("import_signatures", letter.slug, path, "--by", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_signatures", letter.slug, str(tmp_path / "missing.csv"))


@pytest.mark.parametrize("status", [Letter.Status.DRAFT, Letter.Status.CLOSED])
def test_a_draft_or_closed_letter_takes_an_import(tmp_path, status):
    letter = LetterFactory(status=status)

    out, _ = run(letter, csv_file(tmp_path, GOOD_ROWS[0]), "--approve")

    assert out.strip() == "imported 1 signatures"
    assert letter_counts(letter).signatories == 1


# The email -------------------------------------------------------------------------------------


def test_each_contact_is_told_once_that_they_are_listed_with_a_working_withdraw_link(
    letter, tmp_path, client
):
    run(letter, csv_file(tmp_path, *GOOD_ROWS), "--approve")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina@krn.example.org",
        "claire@collectif.example.fr",
        "jonas@gmail.com",
    ]
    message = next(m for m in mail.outbox if m.to == ["amina@krn.example.org"])
    assert letter.title in message.subject
    assert "listed as a signatory" in message.subject
    assert "Kenya Rights Network" in message.body
    assert "withdraw" in message.alternatives[0][0]
    link = links_in(message)["withdraw"]
    assert client.get(link).status_code == 200
    client.post(link)
    signature = Signature.objects.get(contact_email="amina@krn.example.org")
    assert signature.status == "withdrawn"
    assert letter_counts(letter).signatories == 2


def test_contacts_awaiting_review_are_told_so(letter, tmp_path):
    run(letter, csv_file(tmp_path, GOOD_ROWS[0]))

    (message,) = mail.outbox
    assert "under review" in message.subject
    assert "will check it before it is published" in message.body
    assert "withdraw" in links_in(message)


# The admin -------------------------------------------------------------------------------------


def staff(username, *, organises=None, group=True):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name="Organisers"))
    if organises is not None:
        organises.organisers.add(user)
    client = CommittingClient()
    client.force_login(user)
    return user, client


def import_url(letter) -> str:
    return f"/admin/campaigns/letter/{letter.pk}/import/"


def upload(client, letter, content: bytes, name="signatures.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(import_url(letter), {"file": file})


def good_csv() -> bytes:
    return "\n".join([HEADER, *GOOD_ROWS]).encode()


def test_the_letters_page_links_to_the_import_for_its_organisers(letter):
    _, client = staff("organiser-a", organises=letter)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert f'href="{import_url(letter)}"' in page
    assert "Import signatures" in page


def test_upload_preview_confirm_imports_what_was_previewed(letter):
    user, client = staff("organiser-a", organises=letter)

    form = client.get(import_url(letter))
    assert form.status_code == 200
    assert "contact_email" in form.text
    uploaded = upload(client, letter, good_csv())
    assert uploaded.status_code == 302
    preview_url = uploaded["Location"]
    preview = client.get(preview_url)

    assert preview.status_code == 200
    for row in GOOD_ROWS:
        assert row.split(",")[0] in preview.text
    assert "No errors: the rows can be imported." in preview.text
    assert "Import 3 signatures" in preview.text
    assert Signature.objects.count() == 0  # nothing yet

    done = client.post(preview_url, {"approve": "on"})

    assert done.status_code == 302
    assert done["Location"] == f"/admin/campaigns/letter/{letter.pk}/change/"
    assert Signature.objects.filter(status="approved", imported_by=user).count() == 3
    assert letter_counts(letter).signatories == 3
    assert len(mail.outbox) == 3
    entry = LogEntry.objects.get(object_id=str(letter.pk))
    assert entry.user == user
    assert entry.change_message == "Imported 3 signatures from signatures.csv."
    page = client.get(done["Location"]).text
    assert "Imported 3 signatures from signatures.csv." in page
    # The preview is used up: confirming again imports nothing more.
    again = client.post(preview_url, {"approve": "on"})
    assert again.status_code == 302
    assert Signature.objects.count() == 3


def test_without_approving_the_imported_signatures_await_review(letter):
    _, client = staff("organiser-a", organises=letter)
    preview_url = upload(client, letter, good_csv())["Location"]

    client.post(preview_url, {})

    assert set(Signature.objects.values_list("status", flat=True)) == {"verified"}


def test_the_preview_shows_every_row_and_its_errors_and_offers_no_import(letter):
    _, client = staff("organiser-a", organises=letter)
    content = "\n".join([HEADER, *GOOD_ROWS, *BAD_ROWS]).encode()

    preview = client.get(upload(client, letter, content)["Location"])

    text = preview.text
    assert preview.status_code == 200
    for number in range(2, 8):
        assert f'id="import-row-{number}"' in text
    assert "Narnia Friends" in text and "Broken Mail Group" in text
    assert "row 6: list_publicly: Write yes or no (or true/false, 1/0)." in text
    assert "row 7: contact_email: Enter a valid email address." in text
    assert "5 errors: nothing can be imported" in text
    assert 'id="import-confirm"' not in text
    client.post(preview.request["PATH_INFO"], {"approve": "on"})
    assert Signature.objects.count() == 0


def test_an_unreadable_file_is_said_on_the_upload_form(letter):
    _, client = staff("organiser-a", organises=letter)

    response = upload(client, letter, b"\x89PNG\r\n\x1a\n\x00\x00", name="logo.png")

    assert response.status_code == 200
    assert "This is not a CSV or XLSX file." in response.text


def test_an_xlsx_upload_is_previewed_and_imported(letter, tmp_path):
    _, client = staff("organiser-a", organises=letter)
    path = xlsx_file(
        tmp_path,
        [
            ["organisation_name", "country", "contact_name", "contact_email"],
            ["Lagos Voices", "Nigeria", "Ada Obi", "ada@lagosvoices.example.org"],
        ],
    )
    with open(path, "rb") as file:
        preview_url = client.post(import_url(letter), {"file": file})["Location"]

    assert "Lagos Voices" in client.get(preview_url).text
    client.post(preview_url, {})
    assert Signature.objects.get().country.code == "NG"


def test_the_confirmation_checks_again_and_imports_nothing_if_someone_signed_meanwhile(letter):
    _, client = staff("organiser-a", organises=letter)
    preview_url = upload(client, letter, good_csv())["Location"]
    signed = SignatureFactory(letter=letter, status="verified", contact_email="jonas@gmail.com")

    response = client.post(preview_url, {"approve": "on"})

    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert (
        f"row 3: contact_email: this address has already signed the letter (signature #{signed.pk})"
        in response.text
    )
    assert Signature.objects.count() == 1


def test_an_organiser_of_another_letter_gets_403(letter):
    other = LetterFactory()
    _, owner = staff("organiser-a", organises=letter)
    preview_url = upload(owner, letter, good_csv())["Location"]
    _, client = staff("organiser-b", organises=other)

    assert client.get(import_url(letter)).status_code == 403
    assert upload(client, letter, good_csv()).status_code == 403
    assert client.get(preview_url).status_code == 403
    assert client.post(preview_url, {"approve": "on"}).status_code == 403
    assert Signature.objects.count() == 0


def test_another_organiser_of_the_letter_cannot_use_someone_elses_preview(letter):
    _, owner = staff("organiser-a", organises=letter)
    preview_url = upload(owner, letter, good_csv())["Location"]
    _, colleague = staff("organiser-b", organises=letter)

    response = colleague.post(preview_url, {"approve": "on"})

    assert response.status_code == 302
    assert response["Location"] == import_url(letter)
    assert Signature.objects.count() == 0


def test_staff_without_the_import_permission_get_403(letter):
    user, client = staff("plain-staff", organises=letter, group=False)
    user.user_permissions.add(Permission.objects.get(codename="view_letter"))

    assert client.get(import_url(letter)).status_code == 403
    assert upload(client, letter, good_csv()).status_code == 403
    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text
    assert import_url(letter) not in page


def test_anonymous_visitors_are_sent_to_sign_in(letter, client):
    response = client.get(import_url(letter))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.post(f"{import_url(letter)}somekey/", {"approve": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Signature.objects.count() == 0


def test_a_superuser_imports_into_any_letter(letter, admin_client):
    preview_url = upload(admin_client, letter, good_csv())["Location"]

    admin_client.post(preview_url, {})

    assert Signature.objects.filter(letter=letter).count() == 3


def test_the_preview_names_no_contact_in_its_address(letter):
    _, client = staff("organiser-a", organises=letter)

    location = upload(client, letter, good_csv())["Location"]

    assert re.fullmatch(rf"{import_url(letter)}[A-Za-z0-9_-]+/", location)


def test_the_number_of_queries_does_not_grow_with_the_rows(
    letter, tmp_path, django_assert_max_num_queries
):
    rows = [f"Group {n},,KE,Person {n},,person{n}@group{n}.example.org,,," for n in range(60)]
    path = csv_file(tmp_path, *rows)

    with django_assert_max_num_queries(20):  # not a few per row: imports run to thousands
        call_command("import_signatures", letter.slug, path, "--approve", stdout=io.StringIO())

    assert letter_counts(letter).signatories == 60


def test_the_demo_spreadsheet_imports_into_the_demo_letter(settings):
    call_command("seed_demo", stdout=io.StringIO())
    letter = Letter.objects.get(slug="un-china-rights")
    before = letter_counts(letter).signatories

    out, _ = run(letter, str(settings.BASE_DIR / "demo" / "signatures-to-import.csv"), "--approve")

    assert out.strip() == "imported 50 signatures"
    letter.refresh_from_db()
    assert letter_counts(letter).signatories == before + 50
