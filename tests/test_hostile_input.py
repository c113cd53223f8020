"""Every public endpoint, fed what an attacker sends: each answer is a 4xx with a clear message
or a page with the input safely escaped, never a 500, on SQLite and on PostgreSQL."""

import pytest
from django.test import Client

from signatories.models import Signature
from tests.conftest import CommittingClient
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.helpers import form_data

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "huge": "A" * 100_000,
    "nul": "before\x00after",
    "controls": "\x01\x02\x1b[31m\x7f",
    "rtl-override": "evil\u202egnp.exe",
    "zero-width": "\u200b\u200c\u200d\ufeff",
    "script": "<script>alert(1)</script>",
    "attribute": '" onmouseover="alert(1)',
    "formula": '=HYPERLINK("http://evil.example","x")',
    "sql": "' OR 1=1; DROP TABLE signatories_signature; --",
    "traversal": "../../../../etc/passwd",
    "percent": "%00%ff%2e%2e",
    "unicode": "𝕬𝖒𝖓𝖊𝖘𝖙𝖞 ﷽ 🏳️‍🌈",
}
RAW = ["<script>alert(1)</script>", 'onmouseover="alert(1)']


@pytest.fixture
def letter():
    letter = LetterFactory(slug="target")
    SignatureFactory(letter=letter, status="approved", country="KE", organisation_name="Listed")
    from django.core.management import call_command

    call_command("recount")
    return letter


def assert_safe(response):
    assert response.status_code < 500, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    for raw in RAW:
        assert raw not in body  # escaped wherever it is echoed


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_reading_endpoints_take_any_parameter(client, letter, payload):
    for path, params in [
        ("/letters/target/", {"q": payload}),
        ("/letters/target/", {"page": payload}),
        ("/api/letters/target/signatories/", {"page": payload}),
        ("/api/letters/target/signatories/", {"country": payload}),
        ("/api/letters/", {"page": payload}),
        ("/letters/target/signatories.csv", {"x": payload}),
        ("/", {"q": payload}),
        ("/letters/feed/", {"x": payload}),
        ("/sitemap.xml", {"p": payload}),
        ("/letters/target/embed/", {"x": payload}),
    ]:
        assert_safe(client.get(path, params))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_every_sign_form_field_takes_any_input_and_keeps_the_rest(letter, payload):
    client = CommittingClient()
    for field in [*form_data(), "homepage", "altcha", "unexpected"]:
        response = client.post("/letters/target/sign/", form_data(**{field: payload}))
        assert_safe(response)
        if response.status_code == 200:  # refused: the form again, with what was typed
            assert "Please correct" in response.text or "could not be sent" in response.text


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_links_and_slugs_take_any_token(client, letter, payload):
    from urllib.parse import quote

    token = quote(payload, safe="")
    for path in [
        f"/signatures/confirm/{token}/",
        f"/signatures/withdraw/{token}/",
        f"/letters/{token}/",
        f"/letters/{token}/sign/",
        f"/api/letters/{token}/",
        f"/letters/{token}/signatories.csv",
    ]:
        assert_safe(client.get(path))
        assert_safe(client.post(path))


def test_invalid_utf8_in_the_query_and_the_body_is_refused_cleanly(client, letter):
    assert_safe(client.get("/letters/target/?q=%ff%fe%00"))
    assert_safe(client.get("/api/letters/target/signatories/?country=%c3%28"))
    response = client.generic(
        "POST",
        "/letters/target/sign/",
        b"organisation_name=%ff%fe&country=KE",
        content_type="application/x-www-form-urlencoded",
    )
    assert_safe(response)
    assert Signature.objects.count() == 1  # only the fixture's


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"organisation_name": "X", "country": "KE"}'),
        ("text/plain", b"organisation_name=X"),
        ("multipart/form-data; boundary=nothing", b"--garbage"),
        ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///'>]>"),
    ],
)
def test_wrong_content_types_save_nothing(client, letter, content_type, body):
    response = client.generic("POST", "/letters/target/sign/", body, content_type=content_type)

    assert_safe(response)
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_wrong_methods_are_refused(client, letter, method):
    for path in ["/letters/target/sign/", "/signatures/confirm/" + "A" * 43 + "/"]:
        assert client.generic(method, path).status_code in (403, 405)
    assert client.generic(method, "/api/letters/target/").status_code < 500


def test_a_post_without_its_csrf_token_is_refused(letter):
    response = Client(enforce_csrf_checks=True).post("/letters/target/sign/", form_data())

    assert response.status_code == 403
    assert Signature.objects.count() == 1


def test_a_nul_in_the_search_finds_nothing_and_breaks_nothing(client, letter):
    """The 500 the attack found on PostgreSQL: a NUL in ?q= reached the database."""
    response = client.get("/letters/target/", {"q": "List\x00ed"})

    assert response.status_code == 200
    assert "Listed" in response.text  # the NUL is dropped, the rest searched
