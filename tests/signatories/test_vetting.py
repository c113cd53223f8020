"""The signals organisers vet by: what kind of address signed, possible duplicates within the
letter, whether the organisation is known to this site, and the review hint that sums them up."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signatories import services
from signatories.domains import (
    DISPOSABLE_DOMAINS,
    FREE_MAIL_DOMAINS,
    address_kind,
    domains_match,
    email_domain,
)
from signatories.models import Signature
from signatories.vetting import name_key
from tests.conftest import CommittingClient
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/signatories/signature/"


def signed(letter, *, status="verified", **fields) -> Signature:
    """A signature as the sign form leaves it (its vetting keys worked out), in `status`."""
    signature = SignatureFactory.build(letter=letter, status=status, **fields)
    services._derive_from_addresses(signature)
    signature.save()
    return signature


def change_page(client, signature) -> str:
    return client.get(f"{CHANGELIST}{signature.pk}/change/").text


def row_of(html: str, name: str) -> str:
    return html.split(f">{name}</a>")[1].split("</tr>")[0]


# What kind of address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "kind", "domain"),
    [
        ("someone@gmail.com", "free", "gmail.com"),
        ("someone@GoogleMail.com", "free", "googlemail.com"),
        ("someone@yahoo.co.uk", "free", "yahoo.co.uk"),  # a two-part public suffix
        ("someone@mail.yahoo.co.uk", "free", "yahoo.co.uk"),  # and a subdomain of it
        ("someone@riseup.net", "free", "riseup.net"),
        ("someone@mailinator.com", "disposable", "mailinator.com"),
        ("someone@mx.mailinator.com", "disposable", "mailinator.com"),
        ("info@amnesty.org.uk", "other", "amnesty.org.uk"),
        ("info@mail.amnesty.org.uk", "other", "amnesty.org.uk"),
        ("info@khrn.or.ke", "other", "khrn.or.ke"),
    ],
)
def test_the_kind_of_address_is_judged_on_its_domain_and_registrable_domain(email, kind, domain):
    assert (address_kind(email), email_domain(email)) == (kind, domain)


def test_the_lists_are_the_maintained_packages_not_a_handful():
    assert len(FREE_MAIL_DOMAINS) > 4000 and len(DISPOSABLE_DOMAINS) > 9000


def test_a_domain_on_both_lists_is_disposable():
    both = sorted(FREE_MAIL_DOMAINS & DISPOSABLE_DOMAINS)[0]

    assert address_kind(f"someone@{both}") == "disposable"


def test_an_address_at_a_free_mail_provider_never_matches_its_website():
    assert not domains_match(email="someone@gmail.com", website="https://gmail.com")
    assert not domains_match(email="x@mailinator.com", website="https://www.mailinator.com")
    assert domains_match(email="info@mail.amnesty.org.uk", website="https://www.amnesty.org.uk")


def test_the_sign_form_stores_the_vetting_keys(client, letter):
    from tests.signatories.helpers import sign

    sign(
        client, letter, organisation_name="Kenya Human Rights Network e.V.",
        contact_email="amina@mail.khrn.or.ke",
    )  # fmt: skip

    signature = Signature.objects.get()
    assert (signature.email_domain, signature.address_kind, signature.name_key) == (
        "khrn.or.ke",
        "other",
        "kenya human rights network",
    )


# Names ------------------------------------------------------------------------------------------

# Each group is one organisation, as people really write it.
SAME_ORGANISATION = [
    ["Amnesty International", "AMNESTY INTERNATIONAL", " Amnesty  International ",
     "Amnésty Internationål",
     "\uff21\uff4d\uff4e\uff45\uff53\uff54\uff59 International"],  # full-width letters
    ["Kenya Human Rights Network e.V.", "Kenya Human Rights Network eV",
     "Kenya Human Rights Network e. V.", "Kenya Human-Rights Network",
     "kenya human rights network"],
    ["Brot für die Welt gGmbH", "Brot fur die Welt", "Brot für die Welt GmbH"],
    ["Oxfam Ltd", "Oxfam Limited", "Oxfam Inc.", "OXFAM, Inc", "Oxfam LLC"],
    ["Heinrich Böll Stiftung", "Heinrich-Böll-Stiftung", "Heinrich Böll"],
    ["Fondation Abbé Pierre", "Abbé Pierre"],
    ["Fundación Vicente Ferrer", "Fundacion Vicente Ferrer", "Vicente Ferrer"],
    ["Fundação Getulio Vargas", "Fundacao Getulio Vargas"],
    ["Ford Foundation", "The Ford Foundation", "Ford"],
    ["Children's Rights Alliance", "Children\u2019s Rights Alliance", "Childrens Rights Alliance"],
    ["Friends & Allies", "Friends and Allies"],
    ["A.B.C. Network", "ABC Network", "A. B. C. Network"],
    ["Global Witness", "Global Witness NGO", "Global Witness (NGO)"],
    ["Médecins Sans Frontières", "Medecins sans frontieres", "MÉDECINS SANS FRONTIÈRES"],
    ["Survie", "ONG Survie", "Survie ASBL"],
]  # fmt: skip
# Each pair is two organisations: what tells them apart must not be folded away.
DIFFERENT_ORGANISATIONS = [
    ("Amnesty International UK", "Amnesty International"),  # a national section
    ("Amnesty International Deutschland e.V.", "Amnesty International"),
    ("Save the Children Fund", "Save the Children"),
    ("American Bar Association", "American Bar"),
    ("Human Rights Watch", "Human Rights First"),
    ("Oxfam Novib", "Oxfam"),
    ("Foundation for Democracy", "Democracy"),
    ("Open Society Foundations", "Open Society Institute"),
    ("Greenpeace", "Green Peace Movement"),
    ("Front Line Defenders", "Frontline"),
    # Country codes in a name are not legal forms ("KG" and "UG" are German company forms).
    ("Lawyers for Justice (KG)", "Lawyers for Justice (UG)"),
    ("Human Rights Forum SA", "Human Rights Forum AG"),
]


@pytest.mark.parametrize("names", SAME_ORGANISATION, ids=lambda names: names[0])
def test_spellings_of_one_organisation_share_a_name_key(names):
    assert len({name_key(name) for name in names}) == 1, [name_key(name) for name in names]


@pytest.mark.parametrize("pair", DIFFERENT_ORGANISATIONS, ids=lambda pair: pair[0])
def test_different_organisations_keep_different_name_keys(pair):
    assert name_key(pair[0]) != name_key(pair[1])


@pytest.mark.parametrize("name", ["Foundation", "NGO", "e.V.", "The"])
def test_a_name_made_only_of_legal_forms_keeps_a_key(name):
    assert name_key(name)


# Possible duplicates within the letter ----------------------------------------------------------


def test_possible_duplicates_are_found_by_website_email_domain_and_name(admin_client, letter):
    first = signed(
        letter, organisation_name="Kenya Human Rights Network",
        website="https://www.khrn.or.ke", contact_email="amina@khrn.or.ke",
    )  # fmt: skip
    by_website = signed(
        letter, organisation_name="KHRN", website="https://khrn.or.ke/about",
        contact_email="someone@gmail.com",
    )  # fmt: skip
    by_email = signed(
        letter, organisation_name="K.H.R.N.", website="",
        contact_email="otieno@mail.khrn.or.ke",
    )  # fmt: skip
    by_name = signed(
        letter, organisation_name="Kenya Human Rights Network e.V.",
        website="https://khrn-kenya.org", contact_email="info@khrn-kenya.org",
    )  # fmt: skip
    # Two free-mail addresses, and a same-named signature on another letter: not duplicates.
    signed(letter, organisation_name="Lone Group", contact_email="x@gmail.com", website="")
    signed(LetterFactory(), organisation_name="Kenya Human Rights Network")

    html = admin_client.get(CHANGELIST + "?duplicates=yes").text

    for signature in (first, by_website, by_email, by_name):
        assert f">{signature.organisation_name}</a>" in html
    assert "Lone Group" not in html
    assert '<td class="field-duplicates">3</td>' in html  # the first matches all three
    page = change_page(admin_client, first)
    assert f'/admin/signatories/signature/{by_website.pk}/change/">#{by_website.pk} KHRN' in page
    assert f"#{by_website.pk} KHRN (Confirmed, awaiting review)</a>: same website domain" in page
    assert f"#{by_email.pk} K.H.R.N. (Confirmed, awaiting review)</a>: same email domain" in page
    assert "</a>: same name" in page


def test_a_withdrawn_signature_is_no_duplicate(admin_client, letter):
    signed(letter, organisation_name="Twice Group", status="withdrawn")
    live = signed(letter, organisation_name="Twice Group")

    html = admin_client.get(CHANGELIST + "?duplicates=yes").text

    assert f"/signature/{live.pk}/change/" not in html


# Known to this site -----------------------------------------------------------------------------


def test_known_to_this_site_counts_letters_that_approved_the_domains(admin_client, letter):
    signed(
        letter, organisation_name="Known Group", website="https://known.example.org",
        contact_email="info@known.example.org",
    )  # fmt: skip
    for status in ["approved", "approved", "verified", "rejected"]:  # only approvals count
        signed(LetterFactory(), website="https://www.known.example.org", status=status)
    twice = LetterFactory()
    signed(twice, contact_email="a@known.example.org", website="", status="approved")
    signed(twice, contact_email="b@known.example.org", website="", status="approved")
    signed(letter, contact_email="c@known.example.org", status="approved")  # this letter

    row = row_of(admin_client.get(CHANGELIST).text, "Known Group")

    assert '<td class="field-known">3</td>' in row
    assert "approved on 3 other letters" in row


def test_free_mail_on_other_letters_makes_nobody_known(admin_client, letter):
    signed(letter, organisation_name="Gmail Group", contact_email="x@gmail.com", website="")
    signed(LetterFactory(), contact_email="y@gmail.com", website="", status="approved")

    row = row_of(admin_client.get(CHANGELIST).text, "Gmail Group")

    assert '<td class="field-known">0</td>' in row


def test_an_organiser_sees_how_many_letters_not_whose_signatures(letter):
    other_coalition = LetterFactory(title="Another coalition's letter")
    secret = signed(
        other_coalition, organisation_name="Their Secret Signatory",
        website="https://shared.example.org", status="approved",
    )  # fmt: skip
    mine = signed(letter, organisation_name="My Signatory", website="https://shared.example.org")
    user = get_user_model().objects.create_user(username="alpha", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    letter.organisers.add(user)
    client = CommittingClient()
    client.force_login(user)

    page = change_page(client, mine)

    assert "Approved on 1 other letter." in page
    assert "Their Secret Signatory" not in page
    assert f"/signature/{secret.pk}/change/" not in page
    assert "Another coalition" not in page
    # Once they organise that letter too, it is named to them.
    other_coalition.organisers.add(user)
    page = change_page(client, mine)
    assert f"#{secret.pk} Their Secret Signatory" in page


# The review hint --------------------------------------------------------------------------------


@pytest.fixture
def queue(letter):
    """One signature of each kind, awaiting review."""
    signed(LetterFactory(), contact_email="old@vouched.example", status="approved")
    return {
        "at its website": signed(
            letter, organisation_name="At Website", website="https://atsite.example",
            contact_email="info@atsite.example",
        ),
        "known address": signed(
            letter, organisation_name="Known Address", website="https://other.example",
            contact_email="new@vouched.example",
        ),
        "free mail": signed(
            letter, organisation_name="Free Mail", website="https://freemail-org.example",
            contact_email="someone@gmail.com",
        ),
        "disposable": signed(
            letter, organisation_name="Throwaway", website="https://throwaway.example",
            contact_email="someone@mailinator.com",
        ),
        "twin": signed(
            letter, organisation_name="Twin Group", website="https://twin.example",
            contact_email="info@twin.example",
        ),
        "duplicate": signed(
            letter, organisation_name="Twin Group e.V.", website="https://twin-ev.example",
            contact_email="info@twin-ev.example",
        ),
        "neutral": signed(
            letter, organisation_name="Plain Group", website="https://plain.example",
            contact_email="info@plain-mail.example",
        ),
    }  # fmt: skip


def test_the_hint_says_its_level_and_why(admin_client, queue):
    html = admin_client.get(CHANGELIST).text
    hint = {name: row_of(html, name).split('class="field-review_hint">')[1] for name in [
        "Known Address", "Free Mail", "Throwaway", "Plain Group",
    ]}  # fmt: skip
    twin = queue["twin"].pk

    assert "strong: email at the website&#x27;s domain" in row_of(html, "At Website")
    assert hint["Known Address"].startswith("strong: approved on 1 other letter")
    assert hint["Free Mail"].startswith("check: free-mail address")
    assert hint["Throwaway"].startswith("check: disposable address")
    assert f"check: possible duplicate of #{twin}" in row_of(html, "Twin Group e.V.")
    # A duplicate is checked, whatever else vouches for it.
    assert "check: possible duplicate of #" in row_of(html, "Twin Group")
    assert "email at the website&#x27;s domain" in row_of(html, "Twin Group")
    assert hint["Plain Group"].startswith("neutral: own address")


def test_an_address_not_confirmed_yet_is_never_strong(admin_client, letter):
    signed(
        letter, status="pending", organisation_name="Waiting Group",
        website="https://waiting.example", contact_email="info@waiting.example",
    )  # fmt: skip

    html = admin_client.get(CHANGELIST).text

    hint = row_of(html, "Waiting Group").split('class="field-review_hint">')[1]
    assert hint.startswith("neutral: email at the website&#x27;s domain, address not confirmed")
    assert ">Waiting Group</a>" not in admin_client.get(CHANGELIST + "?review=strong").text


def test_the_hint_filter_lists_one_level(admin_client, queue):
    strong = admin_client.get(CHANGELIST + "?review=strong").text
    check = admin_client.get(CHANGELIST + "?review=check").text
    neutral = admin_client.get(CHANGELIST + "?review=neutral").text

    assert ">Known Address</a>" in strong and ">Free Mail</a>" not in strong
    assert ">At Website</a>" in strong and ">Plain Group</a>" not in strong
    assert ">Twin Group</a>" in check and ">Twin Group e.V.</a>" in check
    assert ">Free Mail</a>" in check and ">Throwaway</a>" in check
    assert ">Plain Group</a>" in neutral and ">Known Address</a>" not in neutral


def test_approving_all_the_strong_ones_at_once(admin_client, queue):
    response = admin_client.post(
        CHANGELIST + "?review=strong",
        {
            "action": "approve_signatures",
            "select_across": "1",
            "index": "0",
            "_selected_action": [queue["known address"].pk, queue["at its website"].pk],
        },
        follow=True,
    )

    assert "Approved 2 signatures." in response.text
    strong = {queue["known address"].pk, queue["at its website"].pk}
    approved = Signature.objects.filter(status="approved", letter=queue["twin"].letter_id)
    assert set(approved.values_list("pk", flat=True)) == strong
    for signature in approved:
        event = signature.events.get(kind="approved")
        assert (event.who, event.before, event.after) == ("admin", "verified", "approved")


def test_the_list_takes_the_same_queries_for_three_rows_or_thirty(admin_client, letter):
    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(queries)

    for n in range(3):
        signed(letter, organisation_name=f"Group {n}")
    few = queries_for_list()
    for n in range(3, 30):
        signed(letter, organisation_name=f"Group {n}", contact_email=f"x{n}@gmail.com")
        signed(LetterFactory(), website=f"https://group{n}.example.org", status="approved")
    many = queries_for_list()

    assert few == many


def test_the_list_stays_within_a_fixed_number_of_queries(
    admin_client, letter, django_assert_max_num_queries
):
    for n in range(40):
        signed(letter, organisation_name=f"Group {n % 10}")  # duplicates by name
    with django_assert_max_num_queries(12):
        admin_client.get(CHANGELIST + "?review=check")


# Existing rows ----------------------------------------------------------------------------------


def test_the_migration_fills_the_keys_of_existing_signatures(letter, monkeypatch):
    migration = importlib.import_module("signatories.migrations.0004_vetting_keys")
    for n in range(3):
        SignatureFactory(
            letter=letter, organisation_name=f"Old Group {n} e.V.",
            contact_email=f"info@mail.old{n}.org.uk",
        )  # fmt: skip
    SignatureFactory(letter=letter, organisation_name="Free One", contact_email="a@gmail.com")
    Signature.objects.update(email_domain="", address_kind="other", name_key="")

    monkeypatch.setattr(migration, "CHUNK", 2)  # more than one chunk
    migration.fill_vetting_keys(apps, None)

    rows = set(Signature.objects.values_list("email_domain", "address_kind", "name_key"))
    assert rows == {
        ("old0.org.uk", "other", "old group 0"),
        ("old1.org.uk", "other", "old group 1"),
        ("old2.org.uk", "other", "old group 2"),
        ("gmail.com", "free", "free one"),
    }
