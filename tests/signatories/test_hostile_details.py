"""What an attacker types into the sign form: one inbox under many spellings, phishing text for
our own emails, invisible and look-alike names, and websites that are not what they seem."""

import pytest
from django.core import mail

from signatories import domains
from signatories.models import Signature
from tests.factories import LetterFactory
from tests.signatories.helpers import confirm_path, form_data, minutes_pass, sign

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


# One inbox, many spellings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Amina.Otieno+petition@Gmail.com", "aminaotieno@gmail.com"),
        ("a.m.i.n.a.otieno@googlemail.com", "aminaotieno@gmail.com"),
        ("amina+tag@khrn.or.ke", "amina@khrn.or.ke"),
        ("amina.o@khrn.or.ke", "amina.o@khrn.or.ke"),  # dots matter outside Gmail
        ("info@bücher.example", "info@xn--bcher-kva.example"),
        ("info@xn--bcher-kva.example", "info@xn--bcher-kva.example"),
        ("  INFO@EXAMPLE.ORG. ", "info@example.org"),
    ],
)
def test_addresses_of_one_inbox_have_one_canonical_form(typed, canonical):
    assert domains.canonical_email(typed) == canonical


def test_gmail_variants_are_one_signer_and_get_one_email(client, letter):
    for typed in [
        "amina.otieno@gmail.com",
        "aminaotieno@gmail.com",
        "Amina.Otieno+1@gmail.com",
        "a.mina.otieno+2@googlemail.com",
    ]:
        sign(client, letter, contact_email=typed)

    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_unicode_domain_and_its_punycode_are_one_signer(client, letter):
    sign(client, letter, contact_email="info@bücher.example")
    client.post(confirm_path("info@bücher.example"))
    minutes_pass()

    sign(client, letter, contact_email="info@xn--bcher-kva.example")

    assert Signature.objects.count() == 1
    assert "already signed" in mail.outbox[-1].subject


def test_one_inbox_gets_a_few_emails_a_day_however_many_letters_are_open(client, settings):
    INBOX_EMAILS_PER_DAY = settings.SIGN_EMAILS_PER_INBOX_PER_DAY
    assert INBOX_EMAILS_PER_DAY == 5  # the documented default

    letters = [LetterFactory() for _ in range(INBOX_EMAILS_PER_DAY + 3)]
    for letter in letters:
        sign(client, letter, contact_email=f"victim+{letter.pk}@gmail.com")

    assert len(mail.outbox) == INBOX_EMAILS_PER_DAY
    assert Signature.objects.count() == INBOX_EMAILS_PER_DAY  # the rest: nothing saved


# Nothing the signer typed in an email to an unconfirmed address ---------------------------------

PHISHING = "Your mailbox is over quota. Re-validate now at https://evil.example/login"


def test_the_confirmation_email_carries_no_text_the_signer_typed(client, letter):
    sign(client, letter, contact_name=PHISHING, organisation_name=PHISHING, contact_role=PHISHING)

    email = mail.outbox[-1]
    html = email.alternatives[0][0]
    for part in (email.subject, email.body, html):
        assert "evil.example" not in part and "over quota" not in part
    assert letter.title in email.body  # the organisers' words are fine
    # Opening the link shows what would be confirmed (to whoever holds the mailbox).
    assert "over quota" in client.get(confirm_path(EMAIL)).text


def test_later_emails_to_a_confirmed_address_may_use_the_names(client, letter):
    sign(client, letter, contact_name="Amina Otieno")
    client.post(confirm_path(EMAIL))

    assert "Amina Otieno" in mail.outbox[-1].body


# Invisible and misleading names ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u3164\u3164",  # Hangul filler
        "\u2800\u2800\u2800",  # Braille blank
        "\u00ad\ufeff",  # soft hyphen, BOM
        "   ",
        "...",
        "A\u0301\u0302\u0303\u0304\u0305\u0306\u0307",  # a stack of combining marks
        "Line\u2028break",
    ],
)
def test_names_that_show_nothing_or_hide_something_are_refused(client, letter, name):
    response = sign(client, letter, organisation_name=name)

    assert response.status_code == 200
    assert "organisation_name" in response.context["form"].errors
    assert Signature.objects.count() == 0 and mail.outbox == []


# An Arabic name with a zero-width non-joiner between two letters.
ARABIC_WITH_ZWNJ = "\u0646\u0634\u0637\u0627\u0621\u200c\u0627\u0644\u062e\u0644\u064a\u062c"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Amnesty\u200b International", "Amnesty International"),
        ("Amnesty\u00ad International\ufeff", "Amnesty International"),
        ("  Amnesty   International ", "Amnesty International"),
        (ARABIC_WITH_ZWNJ, ARABIC_WITH_ZWNJ),  # a ZWNJ the script needs stays
        ("\u200fAmnesty\u200e International\u061c", "Amnesty International"),  # direction marks
        ("Cafe\u0301 Solidaire", "Café Solidaire"),  # composed (NFC)
    ],
)
def test_invisible_characters_are_removed_from_names_where_no_script_needs_them(
    client, letter, typed, stored
):
    sign(client, letter, organisation_name=typed)

    assert Signature.objects.get().organisation_name == stored


def test_the_normalised_name_finds_duplicates_however_they_are_spelled(client, letter):
    for n, typed in enumerate(
        ["Amnesty International", "AMNESTY  international", "Amnésty International"]
    ):
        sign(client, letter, organisation_name=typed, contact_email=f"p{n}@amnesty.org")

    assert set(Signature.objects.values_list("name_normalised", flat=True)) == {
        "amnesty international"
    }


# Websites ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "website",
    [
        "https://amnesty.org@evil.example/",
        "https://user:pass@amnesty.org/",
        "ftp://amnesty.org/",
        "ftps://amnesty.org/",
    ],
)
def test_websites_that_are_not_what_they_seem_are_refused(client, letter, website):
    response = sign(client, letter, website=website)

    assert response.status_code == 200
    assert "website" in response.context["form"].errors
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("domain", "lookalike"),
    [
        ("\u0430mnesty.org", True),  # Cyrillic \u0430 among Latin letters
        ("xn--mnesty-2nf.org", True),  # the same, in punycode
        (
            "\u0440\u0430\u0443\u0440\u0430l.com",
            True,
        ),  # all Cyrillic, every letter a Latin look-alike
        ("amnesty.org", False),
        ("bücher.example", False),
        ("правозащита.рф", False),  # a Russian name, not imitating a Latin one
        ("人权.中国", False),
    ],
)
def test_lookalike_domains_are_recognised(domain, lookalike):
    assert domains.is_lookalike_domain(domain) is lookalike


def test_a_lookalike_website_never_matches_the_email_and_is_flagged(client, letter):
    sign(
        client, letter, website="https://\u0430mnesty.org", contact_email="info@xn--mnesty-2nf.org"
    )

    signature = Signature.objects.get()
    assert signature.email_domain_matches is False
    assert signature.lookalike_domain is True


def test_a_genuine_address_at_its_own_domain_still_matches(client, letter):
    sign(client, letter, website="https://www.amnesty.org", contact_email="info@amnesty.org")

    signature = Signature.objects.get()
    assert (signature.email_domain_matches, signature.lookalike_domain) == (True, False)


def test_form_data_helper_is_complete():
    assert {"organisation_name", "contact_email"} <= set(form_data())
