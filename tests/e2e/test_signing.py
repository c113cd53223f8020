import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.helpers import LINK
from tests.support.smtp import Mailbox, smtp_server
from tests.support.worker import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def fill_in(page, organisation: str, name: str, email: str) -> None:
    """The sign form's required fields, but for the country, as a person fills them."""
    page.get_by_label("Organisation name").fill(organisation)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("I am authorised to sign on behalf of this organisation").check()
    page.get_by_label("I have read the privacy notice").check()


def test_a_person_signs_confirms_and_sees_their_organisation_counted(page, live_server):
    letter = LetterFactory(title="Free the defenders now", requires_approval=False)
    SignatureFactory(letter=letter, status="approved", country="KE", organisation_name="Earlier")
    call_command("recount")

    with (
        smtp_server() as (mailbox, email_url),
        celery_worker(email_url=email_url, site_url=live_server.url),
    ):
        page.goto(f"{live_server.url}/letters/{letter.slug}/")
        page.get_by_text("1 organisation from 1 country has signed").wait_for()
        page.get_by_role("link", name="Sign this letter").click()

        fill_in(page, "Lagos Rights Collective", "Chidi Okafor", "chidi@lagosrights.org.ng")
        page.get_by_label("Website").fill("https://lagosrights.org.ng")
        page.get_by_label("Your role in the organisation").fill("Coordinator")
        # The country list is searchable: type, then pick.
        page.locator("#id_country-ts-control").fill("Niger")
        page.get_by_role("listbox").get_by_role("option", name="Nigeria", exact=True).click()
        expect(page.locator("#id_country")).to_have_value("NG")
        expect(page.get_by_label("Your name")).to_have_value("Chidi Okafor")
        page.wait_for_timeout(2000)  # a person takes longer than SIGN_MIN_FILL_SECONDS
        page.get_by_role("button", name="Sign the letter").click()

        page.get_by_role("heading", name="Check your email").wait_for()

        message = mailbox.wait_for(1)[0]
        url = LINK.search(Mailbox.text(message)).group(0)
        assert url.startswith(live_server.url)
        page.goto(url)
        page.get_by_text("Lagos Rights Collective").wait_for()
        page.get_by_role("button", name="Confirm signature").click()

        page.get_by_role("heading", name="Thank you: your signature is confirmed").wait_for()
        page.get_by_role("link", name="Back to the letter").click()

        page.get_by_text("2 organisations from 2 countries have signed").wait_for()
        nigeria = page.get_by_role("heading", name="Nigeria", exact=True)
        assert nigeria.is_visible()
        listed = nigeria.locator("xpath=following-sibling::ul[1]")
        assert listed.get_by_role("link", name="Lagos Rights Collective").is_visible()
        table = page.get_by_role("table")
        assert table.get_by_role("row", name="Nigeria 1").is_visible()
        assert table.get_by_role("row", name="Total 2").is_visible()

        # Later, the organisation changes its mind: the link in the next email takes it back.
        published = mailbox.wait_for(2)[1]
        withdraw_url = next(
            match.group(0)
            for match in LINK.finditer(Mailbox.text(published))
            if match.group(1) == "withdraw"
        )
        page.goto(withdraw_url)
        page.get_by_role("button", name="Withdraw signature").click()  # a real form post (CSRF)
        page.get_by_role("heading", name="Your signature is withdrawn").wait_for()
        page.get_by_role("link", name="Back to the letter").click()
        page.get_by_text("1 organisation from 1 country has signed").wait_for()
        assert page.get_by_role("heading", name="Nigeria", exact=True).count() == 0

    signature = Signature.objects.get(organisation_name="Lagos Rights Collective")
    assert signature.status == "withdrawn"
    assert signature.country.code == "NG"
    assert signature.email_domain_matches


def test_a_mistake_in_the_form_is_shown_and_the_input_kept(page, live_server):
    letter = LetterFactory()

    page.goto(f"{live_server.url}/letters/{letter.slug}/sign/")
    page.get_by_label("Organisation name").fill("Half Filled Org")
    page.get_by_label("Your email address").fill("not-an-address")
    page.get_by_role("button", name="Sign the letter").click()

    page.get_by_text("Please correct the fields marked below.").wait_for()
    assert page.get_by_label("Organisation name").input_value() == "Half Filled Org"
    assert page.get_by_text("Enter a valid email address.").is_visible()
    assert not Signature.objects.filter(organisation_name="Half Filled Org").exists()


def test_a_person_asked_for_the_check_signs_with_one_press_and_no_policy_error(page, live_server):
    """The proof-of-work widget runs under the site's strict Content Security Policy (a
    violation would be a console error, which fails the test) and solves on submit."""
    letter = LetterFactory(always_challenge=True)

    page.goto(f"{live_server.url}/letters/{letter.slug}/sign/")
    fill_in(page, "Checked Collective", "Ama Mensah", "ama@checked.org.gh")
    page.locator("#id_country").select_option("GH")
    page.wait_for_timeout(2000)  # a person takes longer than SIGN_MIN_FILL_SECONDS
    page.get_by_role("button", name="Sign the letter").click()

    page.get_by_role("heading", name="Check your email").wait_for(timeout=30_000)
    assert Signature.objects.get().organisation_name == "Checked Collective"
