"""Nothing a signatory gives us in confidence reaches a public page, the API or the CSV."""

import pytest
from django.core.management import call_command

from campaigns.models import Letter
from signatories.demo import DEMO_SLUG
from signatories.models import Signature
from tests.factories import SignatureFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo")
    letter = Letter.objects.get(slug=DEMO_SLUG)
    approved(letter, country="KE", organisation_name="Secret Nairobi Circle", list_publicly=False,
             contact_name="Wanjiru Secretperson", contact_role="Hidden Role")  # fmt: skip
    for status in ("pending", "verified", "rejected", "withdrawn"):
        SignatureFactory(
            letter=letter, status=status, organisation_name=f"Not Public {status}",
            contact_name=f"Person {status}", ip_hash="f" * 64, comment=f"private note {status}",
        )  # fmt: skip
    letter.refresh_from_db()
    return letter


def public_urls(client, letter) -> list[str]:
    slug = letter.slug
    urls = ["/", f"/letters/{slug}/", f"/letters/{slug}/signatories.csv", "/api/letters/",
            f"/api/letters/{slug}/", "/privacy/", "/api/schema/", f"/letters/{slug}/sign/",
            f"/letters/{slug}/sign/check-email/", "/letters/feed/", "/sitemap.xml",
            f"/letters/{slug}/embed/", f"/letters/{slug}/map.svg",
            f"/letters/{slug}/versions/"]  # fmt: skip
    api = client.get(f"/api/letters/{letter.slug}/").json()
    for line in api["by_country"]:
        urls.append(f"/api/letters/{letter.slug}/signatories/?country={line['code']}")
    page = f"/api/letters/{letter.slug}/signatories/"
    while page:
        urls.append(page)
        page = client.get(page).json()["next"]
        page = page and page.removeprefix("http://testserver")
    for query in ("a", "e", "secret", "not public", "@", "example", "person"):
        urls.append(f"/letters/{letter.slug}/?q={query}")
    return urls


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_public_url_shows_any_contact_detail_or_unpublished_signatory(client, seeded):
    secrets = set()
    for signature in Signature.objects.all():
        secrets |= {signature.contact_email, signature.email_canonical, signature.withdraw_key}
        if signature.ip_hash:
            secrets.add(signature.ip_hash)
        if signature.comment:
            secrets.add(signature.comment)
        if not (signature.status == "approved" and signature.list_publicly):
            secrets.add(signature.organisation_name)
    secrets |= {"Wanjiru Secretperson", "Hidden Role", "Person pending", "Demo Contact"}

    urls = public_urls(client, seeded)
    assert len(urls) > 70
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], f"{url} shows {leaked}"
