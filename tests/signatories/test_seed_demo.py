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


def test_the_demo_has_a_review_queue_that_the_public_does_not_see(client, admin_client):
    from signatories.demo import DEMO_REVIEW_QUEUE, DEMO_SIGNATORIES

    call_command("seed_demo")

    letter = Letter.objects.get(slug=DEMO_SLUG)
    assert letter.signatures.awaiting_review().count() == len(DEMO_REVIEW_QUEUE)
    assert client.get(f"/api/letters/{DEMO_SLUG}/").json()["signatories"] == DEMO_SIGNATORIES
    queue = admin_client.get(
        f"/admin/signatories/signature/?letter__id__exact={letter.pk}&status__exact=verified"
    ).text
    assert "Grassroots Rights Initiative" in queue
    assert "LAWYERS FOR JUSTICE (NG), Inc." in queue


def test_the_demo_review_queue_shows_each_signal(admin_client):
    from signatories.vetting import with_signals

    call_command("seed_demo")

    letter = Letter.objects.get(slug=DEMO_SLUG)
    levels = dict(
        with_signals(letter.signatures.awaiting_review()).values_list(
            "organisation_name", "review_level"
        )
    )
    assert levels["LAWYERS FOR JUSTICE (NG), Inc."] == "check"  # the same as an approved one
    assert levels["Human Rights Forum — youth section"] == "check"  # an approved one's website
    assert levels["Grassroots Rights Initiative"] == "check"  # free-mail
    assert levels["Solidarity Now"] == "check"  # disposable
    assert levels["Centre for Media Freedom (KE)"] == "strong"
    # The approved list itself holds no false duplicates.
    approved = with_signals(letter.signatures.counted()).filter(duplicate_count__gt=0)
    assert set(approved.values_list("organisation_name", flat=True)) == {
        "Lawyers for Justice (NG)",
        "Human Rights Forum (TW)",
    }
