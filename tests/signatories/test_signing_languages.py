"""Signing in each of the six languages: the form, its errors, the check-email page, the
confirmation email, its links and every later email, in the language the signer signed in."""

import re

import pytest
from django.core import mail
from django.utils import translation

from campaigns.models import Letter
from signatories import services
from signatories.models import Signature
from tests.conftest import committed
from tests.factories import LetterFactory, organiser
from tests.signatories.helpers import confirm_path, form_data, last_email_to

pytestmark = pytest.mark.django_db

PREFIXES = {"ar": "/ar", "zh-hans": "/zh-hans", "en": "", "fr": "/fr", "ru": "/ru", "es": "/es"}
LANGUAGES = list(PREFIXES)


def said_in(code: str, message: str, *, context: str | None = None) -> str:
    """`message` as the catalogue of `code` has it (checked to be translated but in English)."""
    with translation.override(code):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    if code != "en":
        assert text != message, f"{message!r} is not translated into {code}"
    return text


def without_markup(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_form_and_its_errors_speak_the_signers_language(client, code):
    letter = LetterFactory()
    sign = f"{PREFIXES[code]}/letters/{letter.slug}/sign/"

    form = client.get(sign).text
    refused = client.post(sign, form_data(organisation_name="", consent=None))

    assert f'<html lang="{code}"' in form
    assert said_in(code, "Organisation name") in form
    page = without_markup(refused.text)
    assert refused.status_code == 200
    assert said_in(code, "This field is required.") in page
    if code != "en":
        assert "This field is required." not in page
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("code", LANGUAGES)
def test_check_email_page_confirmation_email_and_its_links_speak_the_signers_language(client, code):
    letter = LetterFactory(requires_approval=True)
    prefix = PREFIXES[code]
    with translation.override(code):
        subject = translation.gettext("Confirm your signature: %(title)s") % {"title": letter.title}

    response = client.post(
        f"{prefix}/letters/{letter.slug}/sign/", form_data(contact_email="amina@khrn.or.ke")
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"{prefix}/letters/{letter.slug}/sign/check-email/")
    check_email = client.get(response["Location"]).text
    assert said_in(code, "Check your email") in check_email
    email = last_email_to("amina@khrn.or.ke")
    assert email.extra_headers["Content-Language"] == code
    assert email.subject == subject
    html = email.alternatives[0][0]
    assert said_in(code, "Confirm signature") in html
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html
    # The confirm link has one address in every language (its page speaks the signer's).
    assert "http://testserver/signatures/confirm/" in email.body
    assert Signature.objects.get().language == code


@pytest.mark.parametrize("code", ["ar", "zh-hans", "fr", "ru", "es"])
def test_the_confirm_page_and_every_later_email_keep_the_signers_language(client, code):
    letter = LetterFactory(requires_approval=True)
    client.post(f"{PREFIXES[code]}/letters/{letter.slug}/sign/", form_data())
    link = confirm_path("amina@khrn.or.ke")

    # A browser asking for English still gets the page in the language of the signature.
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    confirmed = client.post(link, HTTP_ACCEPT_LANGUAGE="en")

    assert f'<html lang="{code}"' in page.text
    assert page["Content-Language"] == code
    assert "language-switcher" not in page.text  # its language is the signature's
    assert f'<html lang="{code}"' in confirmed.text
    review = last_email_to("amina@khrn.or.ke")
    assert review.extra_headers["Content-Language"] == code
    signature = Signature.objects.get()
    with translation.override("en"), committed():  # an organiser in English approves it
        services.signature_approve(signature=signature, by=organiser())
    approval = last_email_to("amina@khrn.or.ke")
    assert approval is not review
    assert approval.extra_headers["Content-Language"] == code
    with translation.override(code):
        expected = translation.gettext("Your signature is published: %(title)s")
    assert approval.subject == expected % {"title": letter.title}
    # Links to the letter open it in the signer's language.
    assert f"http://testserver{PREFIXES[code]}/letters/{letter.slug}/" in approval.body
    withdraw = re.search(r"http://testserver(/signatures/withdraw/[^\s\"<>]+/)", approval.body)
    assert f'<html lang="{code}"' in client.get(withdraw.group(1)).text


def test_the_signers_language_lasts_whatever_language_is_active_when_an_email_goes(client):
    letter = LetterFactory(requires_approval=True)
    client.post(f"/ru/letters/{letter.slug}/sign/", form_data())
    client.post(confirm_path("amina@khrn.or.ke"))
    mail.outbox.clear()

    with translation.override("fr"), committed():  # an organiser in French approves it
        services.signature_approve(signature=Signature.objects.get(), by=organiser())

    assert mail.outbox[-1].extra_headers["Content-Language"] == "ru"
    assert "/ru/letters/" in mail.outbox[-1].body


def test_a_letter_in_the_signers_language_is_named_by_its_own_title_in_the_email(client):
    letter = LetterFactory(title="Free the defenders", title_fr="Libérez les défenseurs",
                           body_fr="Nous demandons.", status=Letter.Status.OPEN)  # fmt: skip

    client.post(f"/fr/letters/{letter.slug}/sign/", form_data(contact_email="a@fr.example"))
    client.post(f"/es/letters/{letter.slug}/sign/", form_data(contact_email="b@es.example"))

    assert "Libérez les défenseurs" in last_email_to("a@fr.example").subject
    # No Spanish text: the authoritative one.
    assert "Free the defenders" in last_email_to("b@es.example").subject


@pytest.mark.parametrize(
    ("recorded", "speaks"),
    [("pt", "en"), ("", "en"), ("en-us", "en"), ("fr-ca", "fr"), ("zh-hans", "zh-hans")],
)
def test_a_language_the_site_does_not_speak_falls_back_to_the_closest_it_does(
    client, recorded, speaks
):
    letter = LetterFactory(requires_approval=True)
    client.post(f"/letters/{letter.slug}/sign/", form_data())
    client.post(confirm_path("amina@khrn.or.ke"))
    Signature.objects.update(language=recorded)  # an old row, or a language since removed

    with committed():
        services.signature_approve(signature=Signature.objects.get(), by=organiser())

    email = last_email_to("amina@khrn.or.ke")
    assert email.extra_headers["Content-Language"] == speaks
    prefix = PREFIXES[speaks]
    assert f"http://testserver{prefix}/letters/{letter.slug}/" in email.body
