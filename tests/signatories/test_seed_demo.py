import pytest
from django.core.management import call_command

from campaigns.models import Letter
from signatories.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_one_open_letter(client):
    call_command("seed_demo")
    call_command("seed_demo")

    assert Letter.objects.filter(slug=DEMO_SLUG).count() == 1
    letter = Letter.objects.get(slug=DEMO_SLUG)
    assert letter.is_open
    response = client.get(f"/letters/{DEMO_SLUG}/")
    assert response.status_code == 200
    assert "independent mechanism" in response.text
