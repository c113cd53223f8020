"""What the public sees of a letter's signatories: the page, the CSV, caching and freshness."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from signatories import services
from signatories.tokens import withdraw_token
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.test_counts import approved
from tests.support.admin import post_change_form

pytestmark = pytest.mark.django_db


def page_text(client, letter, query="") -> str:
    """The page as a reader sees it: text without tags, white space folded."""
    response = client.get(f"/letters/{letter.slug}/{query}")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", strip_tags(response.text))


def test_the_headline_counts_organisations_and_countries(client, letter):
    assert "No organisation has signed yet." in page_text(client, letter)

    approved(letter, country="KE")
    assert "1 organisation from 1 country has signed" in page_text(client, letter)

    approved(letter, country="NG")
    approved(letter, country="NG", list_publicly=False)
    assert "3 organisations from 2 countries have signed" in page_text(client, letter)


def test_big_numbers_are_formatted(client, letter):
    SignatureFactory.create_batch(1234, letter=letter, status="approved", country="KE")
    call_command("recount")

    assert "1,234 organisations from 1 country have signed" in page_text(client, letter)


@pytest.mark.parametrize(
    ("before_closing", "shown"),
    [
        (timedelta(days=9, hours=1), "10 days left"),
        (timedelta(days=9), "9 days left"),
        (timedelta(seconds=1), "1 day left"),
    ],
)
def test_progress_toward_the_goal_and_days_left(client, before_closing, shown):
    # Just before UTC midnight, when a day boundary is nearest.
    with time_machine.travel(datetime(2026, 11, 28, 23, 59, 30, tzinfo=UTC), tick=False):
        letter = LetterFactory(goal=300, closes_at=timezone.now() + before_closing)
        approved(letter, country="KE")

        html = client.get(f"/letters/{letter.slug}/").text

        assert "1 of a goal of 300" in page_text(client, letter)
        assert '<progress id="goal-progress" class="w-100" value="1" max="300">' in html
        assert shown in page_text(client, letter)


def test_a_day_passing_changes_the_page_and_its_etag(client):
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        letter = LetterFactory(closes_at=start + timedelta(days=3))
        first = client.get(f"/letters/{letter.slug}/")
        assert "3 days left" in page_text(client, letter)

        clock.shift(timedelta(days=1))
        second = client.get(f"/letters/{letter.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])

        assert second.status_code == 200 and "2 days left" in page_text(client, letter)


def test_the_country_table_is_sorted_with_flags_and_a_total(client, letter):
    for country in ["NG", "KE", "KE", "AR"]:
        approved(letter, country=country)

    html = client.get(f"/letters/{letter.slug}/").text
    table = html.split('id="by-country-heading"')[1].split("</table>")[0]

    rows = re.findall(r"<td>.*?>([^<]+)</td><td class=\"text-end\">(\d+)</td>", table)
    assert rows == [("Kenya", "2"), ("Argentina", "1"), ("Nigeria", "1")]
    assert "flags/ke.gif" in table
    assert re.search(r"Total</th><th class=\"text-end\">4</th>", table)


def test_named_signatories_are_grouped_by_country_with_initiators_first(client, letter):
    approved(letter, country="NG", organisation_name="Zeta Lagos")
    approved(letter, country="NG", organisation_name="Alpha Lagos", website="https://al.org.ng")
    approved(letter, country="AR", organisation_name="Buenos Aires Group", initiator=True)
    approved(letter, country="KE", organisation_name="Quiet Kenyans", list_publicly=False)

    html = re.sub(r"\s+", " ", client.get(f"/letters/{letter.slug}/").text)
    listing = html.split('id="signatories-heading"')[1]

    initiated, rest = listing.split("Initiated by")[1].split("Argentina</h3>")
    assert "Buenos Aires Group" in initiated and "Initiator" in initiated
    assert rest.index("Buenos Aires Group") < rest.index("Nigeria</h3>")
    assert rest.index("Alpha Lagos") < rest.index("Zeta Lagos")
    assert (
        '<a href="https://al.org.ng" rel="nofollow noopener" target="_blank">'
        "<bdi>Alpha Lagos</bdi></a>" in rest
    )
    assert "Quiet Kenyans" not in html
    text = page_text(client, letter)
    assert "and 1 organisation that asked not to be named" in text


def test_the_list_is_paged_and_searchable(client, letter):
    SignatureFactory.create_batch(
        150, letter=letter, status="approved", country="KE",
        organisation_name=factory_name(),
    )  # fmt: skip
    approved(letter, country="ZW", organisation_name="Harare Needle")
    call_command("recount")

    first = page_text(client, letter)
    second = page_text(client, letter, "?page=2")
    found = page_text(client, letter, "?q=needle")

    assert "Page 1 of 2" in first and "Harare Needle" not in first
    assert "Page 2 of 2" in second and "Harare Needle" in second
    assert "1 organisation matches “needle”." in found and "Harare Needle (Zimbabwe)" in found
    assert client.get(f"/letters/{letter.slug}/?page=3").status_code == 404
    assert client.get(f"/letters/{letter.slug}/?page=x").status_code == 404


def factory_name():
    import factory

    return factory.Sequence(lambda n: f"Kenyan Group {n:04d}")


def test_the_letter_page_reads_counts_not_signatures(client, letter, django_assert_max_num_queries):
    SignatureFactory.create_batch(300, letter=letter, status="approved", country="KE")
    SignatureFactory.create_batch(30, letter=letter, status="approved", country="UG")
    call_command("recount")

    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        client.get(f"/letters/{letter.slug}/")

    for query in queries.captured_queries:
        sql = query["sql"].upper()
        assert not ("SIGNATORIES_SIGNATURE" in sql and "COUNT(" in sql), sql


def test_public_pages_are_cacheable_and_answer_304(client, letter):
    approved(letter, country="KE")
    for path in (f"/letters/{letter.slug}/", f"/api/letters/{letter.slug}/",
                 f"/api/letters/{letter.slug}/signatories/",
                 f"/letters/{letter.slug}/signatories.csv"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert "max-age=60" in response["Cache-Control"]
        assert "stale-while-revalidate=300" in response["Cache-Control"]
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, path
        assert again.content == b""


def test_the_other_public_pages_are_cacheable_and_answer_304(client, letter):
    for path in ("/", "/api/letters/", "/privacy/", "/api/schema/"):
        response = client.get(path)
        assert "public" in response["Cache-Control"], path
        assert response.has_header("ETag"), path
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, path


def test_forms_and_links_are_never_stored(client, letter):
    for path in (f"/letters/{letter.slug}/sign/", "/signatures/confirm/" + "A" * 43 + "/"):
        assert "no-store" in client.get(path)["Cache-Control"]


def test_a_change_shows_on_the_next_request_and_changes_the_etag(client, letter):
    first = client.get(f"/api/letters/{letter.slug}/")
    signature = approved(letter, country="KE")

    second = client.get(f"/api/letters/{letter.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second.json()["signatories"] == 1
    assert "Kenya" in client.get(f"/letters/{letter.slug}/").text

    services.signature_withdraw(token=withdraw_token(signature.withdraw_key))
    third = client.get(f"/api/letters/{letter.slug}/", HTTP_IF_NONE_MATCH=second["ETag"])
    assert third.status_code == 200 and third.json()["signatories"] == 0


def test_marking_an_initiator_in_the_admin_shows_at_once(client, admin_client, letter):
    signature = approved(letter, country="KE", organisation_name="Founding Group")
    assert "Initiated by" not in client.get(f"/letters/{letter.slug}/").text

    response = post_change_form(
        admin_client, f"/admin/signatories/signature/{signature.pk}/change/", initiator=True
    )

    assert response.status_code == 302
    html = client.get(f"/letters/{letter.slug}/").text
    assert "Initiated by" in html and "Initiator" in html


def test_an_organiser_fixing_a_name_shows_at_once(client, admin_user, letter):
    signature = approved(letter, country="KE", organisation_name="Tpyo Group")
    client.get(f"/letters/{letter.slug}/")
    signature.organisation_name = "Typo Group"

    services.signature_edit_by_staff(
        signature=signature,
        changes={"organisation_name": "Typo Group"},
        revision=signature.revision,
        by=admin_user,
    )

    html = client.get(f"/letters/{letter.slug}/").text
    assert "Typo Group" in html and "Tpyo Group" not in html


def test_editing_the_letter_shows_at_once(client, letter):
    client.get(f"/letters/{letter.slug}/")
    letter.title = "A better title"
    letter.save()

    assert "A better title" in client.get(f"/letters/{letter.slug}/").text


def read_csv(client, letter):
    response = client.get(f"/letters/{letter.slug}/signatories.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_lists_named_approved_signatories(client, letter):
    approved(letter, country="KE", organisation_name="Nairobi Rights", website="https://nr.or.ke")
    approved(letter, country="KE", organisation_name="Unnamed", list_publicly=False)
    SignatureFactory(letter=letter, organisation_name="Not yet approved", status="verified")
    approved(letter, country="CI", organisation_name="Abidjan Ünïcode", initiator=True)

    rows = read_csv(client, letter)

    assert rows[0] == [
        "organisation", "website", "country_code", "country_name", "signed_date", "initiator",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["Abidjan Ünïcode", "Nairobi Rights"]
    assert rows[1][2:4] == ["CI", "Côte d'Ivoire"] and rows[1][5] == "yes"
    assert rows[1][4] == timezone.now().date().isoformat()
    assert rows[2][1] == "https://nr.or.ke"


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"])
def test_the_csv_neutralises_spreadsheet_formulas(client, letter, evil):
    approved(letter, country="KE", organisation_name=evil)

    rows = read_csv(client, letter)

    assert rows[1][0] == "'" + evil


# Count drift must never hide a signatory --------------------------------------------------------


def every_page_text(client, letter) -> str:
    text, number = "", 1
    while True:
        response = client.get(f"/letters/{letter.slug}/?page={number}")
        if response.status_code == 404:
            return text
        text += response.text
        number += 1


def test_a_count_below_the_truth_hides_no_named_signatory(client, letter, monkeypatch):
    monkeypatch.setattr("publication.views.SIGNATORIES_PER_PAGE", 2)
    named = [approved(letter, country="KE", organisation_name=f"Kenyan {n}") for n in range(5)]
    named.append(approved(letter, country="NG", organisation_name="Nigerian"))
    from signatories.models import CountryCount

    CountryCount.objects.filter(country="KE").update(signatories=3)  # 5 approved
    CountryCount.objects.filter(country="NG").delete()  # 1 approved, no count at all

    text = every_page_text(client, letter)

    for signature in named:
        assert signature.organisation_name in text
    api = client.get(f"/api/letters/{letter.slug}/signatories/?country=NG").json()
    assert [row["organisation_name"] for row in api["results"]] == ["Nigerian"]


def test_counts_lost_altogether_still_list_every_named_signatory(client, letter):
    from signatories.models import CountryCount

    approved(letter, country="KE", organisation_name="Nairobi Rights Watch")
    CountryCount.objects.filter(letter=letter).delete()  # a restore, a bug: the counts say 0

    html = client.get(f"/letters/{letter.slug}/").text
    api = client.get(f"/api/letters/{letter.slug}/signatories/").json()

    assert "Nairobi Rights Watch" in html
    assert [row["organisation_name"] for row in api["results"]] == ["Nairobi Rights Watch"]


def test_a_count_above_the_truth_repeats_or_invents_no_one(client, letter, monkeypatch):
    monkeypatch.setattr("publication.views.SIGNATORIES_PER_PAGE", 2)
    for n in range(3):
        approved(letter, country="KE", organisation_name=f"Kenyan {n}")
    from signatories.models import CountryCount

    CountryCount.objects.filter(country="KE").update(signatories=6)

    text = every_page_text(client, letter)

    for n in range(3):
        assert text.count(f"Kenyan {n}</") == 1


# A new release is served at once ---------------------------------------------------------------


def test_a_new_release_changes_the_etag_and_bypasses_cached_html(client, letter, monkeypatch):
    from config.release import release_id
    from signatories.models import Signature

    signature = approved(letter, country="KE", organisation_name="Old Rendering")
    first = client.get(f"/letters/{letter.slug}/")
    # What a template change looks like from here: the HTML would differ, the data's version
    # would not.
    Signature.objects.filter(pk=signature.pk).update(organisation_name="New Rendering")
    assert "Old Rendering" in client.get(f"/letters/{letter.slug}/").text  # cached, same release

    monkeypatch.setenv("RELEASE", "next-release")
    release_id.cache_clear()
    try:
        second = client.get(f"/letters/{letter.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    finally:
        monkeypatch.delenv("RELEASE")
        release_id.cache_clear()

    assert second.status_code == 200  # not a 304 for the old release's page
    assert second["ETag"] != first["ETag"]
    assert "New Rendering" in second.text and "Old Rendering" not in second.text


def test_the_release_identifier_follows_the_code_templates_and_static_files(tmp_path):
    from config.release import fingerprint

    for folder in ("templates", "static", "campaigns"):
        (tmp_path / folder).mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "static" / "site.css").write_text("p { color: red }")
    first = fingerprint(tmp_path)

    page.write_text("<p>two</p>")
    second = fingerprint(tmp_path)
    (tmp_path / "static" / "site.css").write_text("p { color: blue }")
    third = fingerprint(tmp_path)

    assert len({first, second, third}) == 3
    assert fingerprint(tmp_path) == third  # the same release, the same identifier


def test_settings_that_show_on_pages_are_part_of_the_release(tmp_path, settings):
    from config.release import fingerprint

    settings.CONTACT_EMAIL = "old@example.org"
    before = fingerprint(tmp_path)
    settings.CONTACT_EMAIL = "new@example.org"

    assert fingerprint(tmp_path) != before
