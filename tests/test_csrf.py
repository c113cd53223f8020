"""Cross-site requests are refused on every form a signer posts. Django's test client skips the
CSRF check unless asked, so these ask."""

import re

import pytest
from django.core import mail
from django.test import Client

from signatories.models import Signature
from tests.conftest import CommittingClient
from tests.signatories.helpers import confirm_path, form_data, links_in, sign

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


@pytest.fixture
def browser():
    """A client that checks CSRF tokens, as the site does for a real browser."""

    class CheckingClient(CommittingClient):
        def __init__(self):
            Client.__init__(self, enforce_csrf_checks=True)

    return CheckingClient()


def csrf_token(browser, path: str) -> str:
    html = browser.get(path).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_signing_needs_the_forms_token(browser, letter):
    path = f"/letters/{letter.slug}/sign/"

    forged = browser.post(path, form_data())
    assert forged.status_code == 403
    assert Signature.objects.count() == 0 and mail.outbox == []

    genuine = browser.post(path, {**form_data(), "csrfmiddlewaretoken": csrf_token(browser, path)})
    assert genuine.status_code == 302 and Signature.objects.count() == 1


def test_confirming_needs_the_pages_token(browser, client, letter):
    sign(client, letter)
    path = confirm_path(EMAIL)

    assert browser.post(path).status_code == 403
    assert Signature.objects.get().status == "pending"

    response = browser.post(path, {"csrfmiddlewaretoken": csrf_token(browser, path)})
    assert response.status_code == 200 and Signature.objects.get().status == "verified"


def test_withdrawing_needs_the_pages_token(browser, client, letter):
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    path = links_in(mail.outbox[-1])["withdraw"]

    assert browser.post(path).status_code == 403
    assert Signature.objects.get().status == "verified"

    response = browser.post(path, {"csrfmiddlewaretoken": csrf_token(browser, path)})
    assert response.status_code == 200 and Signature.objects.get().status == "withdrawn"
