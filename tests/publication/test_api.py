"""The JSON API, field by field, as the contract in the design document states it."""

import pytest

from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(letter):
    approved(letter, country="KE", organisation_name="Nairobi Rights", initiator=True)
    approved(letter, country="KE", organisation_name="Hidden Kenyan Group", list_publicly=False)
    approved(letter, country="NG", organisation_name="Lagos Voices", website="https://lv.org.ng")
    approved(letter, country="AR", organisation_name="Buenos Aires Derechos")
    SignatureFactory(
        letter=letter, country="FR", organisation_name="Pending Paris", status="verified"
    )
    letter.refresh_from_db()
    return letter


def test_letter_detail_has_exactly_the_contract_fields(client, published):
    published.goal = 300
    published.save()

    body = client.get(f"/api/letters/{published.slug}/").json()

    assert body == {
        "slug": published.slug,
        "title": published.title,
        "status": "open",
        "url": f"http://testserver/letters/{published.slug}/",
        "signatories": 4,
        "countries": 3,
        "unnamed": 1,
        "by_country": [
            {"code": "KE", "name": "Kenya", "count": 2},
            {"code": "AR", "name": "Argentina", "count": 1},
            {"code": "NG", "name": "Nigeria", "count": 1},
        ],
        "goal": 300,
        "closes_at": None,
    }
    assert sum(line["count"] for line in body["by_country"]) == body["signatories"]


def test_a_letter_with_no_signatures_has_zero_counts(client, letter):
    body = client.get(f"/api/letters/{letter.slug}/").json()

    assert (body["signatories"], body["countries"], body["unnamed"], body["by_country"]) == (
        0,
        0,
        0,
        [],
    )


def test_drafts_and_unknown_letters_are_json_404s(client):
    draft = LetterFactory(status="draft")

    for path in (
        f"/api/letters/{draft.slug}/",
        "/api/letters/nope/",
        "/api/letters/nope/signatories/",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": "There is no published letter here."}


def test_the_letter_list_shows_public_letters_with_their_totals(client, published):
    LetterFactory(status="draft", title="Secret")
    closed = LetterFactory(status="closed")

    body = client.get("/api/letters/").json()

    by_slug = {letter["slug"]: letter for letter in body["results"]}
    assert body["count"] == 2 and set(by_slug) == {published.slug, closed.slug}
    assert (by_slug[published.slug]["signatories"], by_slug[published.slug]["countries"]) == (4, 3)
    assert by_slug[closed.slug]["status"] == "closed"


def test_signatories_are_named_approved_ones_by_country_name_then_organisation(client, published):
    body = client.get(f"/api/letters/{published.slug}/signatories/").json()

    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    assert [r["organisation_name"] for r in body["results"]] == [
        "Buenos Aires Derechos",
        "Nairobi Rights",
        "Lagos Voices",
    ]
    lagos = body["results"][2]
    assert set(lagos) == {"organisation_name", "website", "country", "signed_at", "initiator"}
    assert (lagos["website"], lagos["country"], lagos["initiator"]) == (
        "https://lv.org.ng",
        "NG",
        False,
    )
    signed = Signature.objects.get(organisation_name="Lagos Voices").confirmed_at
    assert lagos["signed_at"] == signed.isoformat()
    assert body["results"][1]["initiator"] is True


def test_signatories_filtered_by_country(client, published):
    for code in ("KE", "ke"):
        body = client.get(f"/api/letters/{published.slug}/signatories/?country={code}").json()
        assert [r["organisation_name"] for r in body["results"]] == ["Nairobi Rights"]
        assert body["count"] == 1
    empty = client.get(f"/api/letters/{published.slug}/signatories/?country=JP").json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


def test_signatories_are_paged_with_next_and_previous_links(client, letter):
    for n in range(250):
        SignatureFactory(
            letter=letter, status="approved", country=["KE", "KE", "NG", "BR"][n % 4],
            organisation_name=f"Org {n:03d}",
        )  # fmt: skip
    from django.core.management import call_command

    call_command("recount")
    url = f"/api/letters/{letter.slug}/signatories/"

    first = client.get(url).json()
    second = client.get(first["next"].removeprefix("http://testserver")).json()
    third = client.get(second["next"].removeprefix("http://testserver")).json()

    assert first["count"] == second["count"] == third["count"] == 250
    assert first["previous"] is None and third["next"] is None
    assert second["previous"] == f"http://testserver{url}?page=1"
    assert [len(page["results"]) for page in (first, second, third)] == [100, 100, 50]
    names = [r["organisation_name"] for page in (first, second, third) for r in page["results"]]
    assert len(set(names)) == 250
    countries = [r["country"] for page in (first, second, third) for r in page["results"]]
    assert countries == sorted(countries, key=lambda code: {"BR": 0, "KE": 1, "NG": 2}[code])
    kenyan = client.get(f"{url}?country=KE&page=1").json()
    assert kenyan["next"] == f"http://testserver{url}?page=2&country=KE"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "page must be a whole number from 1"),
        ("page=-1", "page must be a whole number from 1"),
        ("page=abc", "page must be a whole number from 1"),
        ("page=1.5", "page must be a whole number from 1"),
        ("page=", "page must be a whole number from 1"),
        ("page=99", "past the last page"),
        ("page=²", "page must be a whole number from 1"),
        ("page=" + "9" * 5000, "page must be a whole number from 1"),
        ("country=ZZZ", "country must be an ISO 3166-1 alpha-2 code"),
        ("country=ZZ", "country must be an ISO 3166-1 alpha-2 code"),
        ("country=%00", "country must be an ISO 3166-1 alpha-2 code"),
    ],
)
def test_bad_parameters_are_400_with_a_json_error(client, published, query, message):
    response = client.get(f"/api/letters/{published.slug}/signatories/?{query}")

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "public" not in response.get("Cache-Control", "")


def test_the_schema_is_served_and_names_every_contract_field(client):
    schema = client.get("/api/schema/").json()

    letter = schema["components"]["schemas"]["Letter"]["required"]
    assert set(letter) == {
        "slug", "title", "status", "url", "signatories", "countries", "unnamed", "by_country",
        "goal", "closes_at",
    }  # fmt: skip
    assert "/api/letters/{slug}/signatories/" in schema["paths"]
