"""How many database round trips the busiest requests take: a launch multiplies each by
thousands. The numbers are ceilings; lower them when a change saves one.

Savepoints count as round trips. The test settings send emails in the request (Celery's
eager mode): the last three of signing and confirming are the email job's own, which a worker
runs in production."""

import pytest

from signatories.models import Signature
from tests.signatories.helpers import confirm_path, form_data

pytestmark = pytest.mark.django_db


def test_opening_the_sign_form(client, letter, django_assert_max_num_queries):
    client.get(f"/letters/{letter.slug}/sign/")  # the page is rendered once, then copied

    with django_assert_max_num_queries(0):  # kept, and filled in for each visitor
        client.get(f"/letters/{letter.slug}/sign/")


def test_signing(client, letter, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = client.post(f"/letters/{letter.slug}/sign/", form_data())

    assert response.status_code == 302 and Signature.objects.count() == 1


def test_confirming(client, letter, django_assert_max_num_queries):
    client.post(f"/letters/{letter.slug}/sign/", form_data())
    link = confirm_path("amina@khrn.or.ke")

    with django_assert_max_num_queries(13):
        response = client.post(link)

    assert response.status_code == 200
    assert Signature.objects.get().status == Signature.Status.VERIFIED


def test_reading_the_letter_page_its_json_and_the_home_page(
    client, letter, django_assert_max_num_queries
):
    for path in (f"/letters/{letter.slug}/", f"/api/letters/{letter.slug}/", "/"):
        first = client.get(path)  # rendered, then kept until something public changes

        with django_assert_max_num_queries(0):  # config.kept_responses
            again = client.get(path)

        assert again.content == first.content
