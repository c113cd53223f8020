import pytest

from signatories.models import Signature
from tests.factories import SignatureFactory
from tests.signatories.helpers import confirm_path, last_email_to, links_in, sign
from tests.support.admin import change_form_data, post_change_form

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/signatories/signature/"


def confirmed_signatures(client, letter, count=2) -> list[Signature]:
    for n in range(count):
        email = f"person{n}@org{n}.or.ke"
        sign(client, letter, contact_email=email, organisation_name=f"Org {n}")
        client.post(confirm_path(email))
    return list(Signature.objects.order_by("pk"))


def act(admin_client, action, signatures, **extra):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in signatures], **extra},
        follow=True,
    )


def test_approving_in_bulk_publishes_emails_and_records_who(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    response = act(admin_client, "approve_signatures", signatures)

    assert "Approved 2 signatures." in response.text
    for signature in signatures:
        signature.refresh_from_db()
        assert signature.status == "approved"
        assert signature.reviewed_by.username == "admin" and signature.approved_at
        email = last_email_to(signature.contact_email)
        assert "published" in email.subject and "withdraw" in links_in(email)
        last = signature.events.last()
        assert (last.kind, last.who, last.before, last.after) == (
            "approved",
            "admin",
            "verified",
            "approved",
        )


def test_rejecting_in_bulk(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    # The action first asks for a reason (optional), then rejects.
    response = act(admin_client, "reject_signatures", signatures, confirm="yes")

    assert "Rejected 2 signatures." in response.text
    assert set(Signature.objects.values_list("status", flat=True)) == {"rejected"}
    assert "could not accept" in last_email_to(signatures[0].contact_email).body


def test_approving_what_is_not_awaiting_review_is_refused_with_a_message(
    client, admin_client, letter
):
    verified, *_ = confirmed_signatures(client, letter, count=1)
    sign(client, letter, contact_email="late@org.or.ke", organisation_name="Late Org")
    pending = Signature.objects.get(status="pending")

    response = act(admin_client, "approve_signatures", [verified, pending])

    assert "Approved 1 signature." in response.text
    assert "1 signature was not approved: it is not awaiting review." in response.text
    assert "Late Org (Pending email confirmation)" in response.text
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_rejecting_an_approved_signature_is_refused(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter, count=1)
    act(admin_client, "approve_signatures", signatures)

    response = act(admin_client, "reject_signatures", signatures, confirm="yes")

    assert "not awaiting review" in response.text
    assert Signature.objects.get().status == "approved"


def test_resending_a_confirmation_email_sends_a_fresh_link(client, admin_client, letter):
    sign(client, letter)
    old = confirm_path("amina@khrn.or.ke")

    response = act(admin_client, "resend_confirmation_email", Signature.objects.all())

    assert "Sent a fresh confirmation link for 1 signature." in response.text
    new = confirm_path("amina@khrn.or.ke")
    assert new != old and client.get(new).status_code == 200


def test_withdrawing_from_the_admin(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter, count=1)

    response = act(admin_client, "withdraw_signatures", signatures)

    assert "Withdrew 1 signature." in response.text
    assert Signature.objects.get().status == "withdrawn"


def test_organisers_search_by_email_and_domain_and_filter_by_match(admin_client, letter):
    SignatureFactory(
        letter=letter, organisation_name="Match Org", contact_email="a@match.or.ke",
        website_domain="match.or.ke", email_domain_matches=True,
    )  # fmt: skip
    SignatureFactory(letter=letter, organisation_name="Gmail Org", contact_email="b@gmail.com")

    assert "Match Org" in admin_client.get(CHANGELIST + "?q=a@match.or.ke").text
    assert "Gmail Org" not in admin_client.get(CHANGELIST + "?q=match.or.ke").text
    filtered = admin_client.get(CHANGELIST + "?email_domain_matches__exact=1").text
    assert "Match Org" in filtered and "Gmail Org" not in filtered


def test_a_failed_email_is_visible_in_admin(admin_client, letter):
    signature = SignatureFactory(
        letter=letter, organisation_name="Bounced Org", email_state="failed",
        email_error="550 5.1.1 Mailbox unavailable", email_attempts=1,
    )  # fmt: skip

    listing = admin_client.get(CHANGELIST + "?email_state__exact=failed").text
    detail = admin_client.get(f"{CHANGELIST}{signature.pk}/change/").text

    assert "Bounced Org" in listing
    assert "550 5.1.1 Mailbox unavailable" in detail


def test_the_lifecycle_and_the_verified_address_cannot_be_edited_by_hand(admin_client, letter):
    signature = SignatureFactory(letter=letter, status="verified")

    html = admin_client.get(f"{CHANGELIST}{signature.pk}/change/").text

    assert 'name="organisation_name"' in html  # the form is there…
    assert 'name="status"' not in html  # …without the lifecycle
    assert 'name="contact_email"' not in html and signature.contact_email in html


# Two organisers at once -------------------------------------------------------------------------


def test_a_stale_signature_form_is_refused_and_overwrites_nothing(admin_client, letter):
    signature = SignatureFactory(letter=letter, organisation_name="Original", contact_role="")
    url = f"{CHANGELIST}{signature.pk}/change/"
    opened = change_form_data(admin_client, url)  # this organiser opens the form…
    post_change_form(admin_client, url, contact_role="Chair")  # …another one saves first

    response = admin_client.post(url, {**opened, "organisation_name": "Renamed"})

    assert response.status_code == 200
    assert "Someone else saved this page after you opened it" in response.text
    signature.refresh_from_db()
    assert (signature.organisation_name, signature.contact_role) == ("Original", "Chair")


def test_a_form_that_goes_stale_between_its_check_and_the_save_is_refused(
    admin_client, letter, monkeypatch
):
    signature = SignatureFactory(letter=letter, organisation_name="Original")
    url = f"{CHANGELIST}{signature.pk}/change/"
    data = change_form_data(admin_client, url, organisation_name="Renamed")
    from config.forms import RevisionCheckedForm

    clean = RevisionCheckedForm.clean

    def another_save_lands_meanwhile(form):
        cleaned = clean(form)
        Signature.objects.filter(pk=signature.pk).update(contact_role="Chair", revision=7)
        return cleaned

    monkeypatch.setattr(RevisionCheckedForm, "clean", another_save_lands_meanwhile)
    response = admin_client.post(url, data, follow=True)

    assert "Someone else saved this page after you opened it" in response.text
    signature.refresh_from_db()
    assert (signature.organisation_name, signature.contact_role) == ("Original", "Chair")


def test_a_transition_meanwhile_makes_an_open_form_stale(client, admin_client, letter):
    sign(client, letter, contact_email="typo@khrn.or.ke")
    signature = Signature.objects.get()
    url = f"{CHANGELIST}{signature.pk}/change/"
    opened = change_form_data(admin_client, url)  # shows it pending, the address editable
    client.post(confirm_path("typo@khrn.or.ke"))  # the signer confirms meanwhile

    response = admin_client.post(url, {**opened, "contact_email": "other@khrn.or.ke"})

    assert "Someone else saved this page after you opened it" in response.text
    signature.refresh_from_db()
    assert (signature.status, signature.contact_email) == ("verified", "typo@khrn.or.ke")


def test_a_form_posted_without_its_revision_is_refused(admin_client, letter):
    signature = SignatureFactory(letter=letter, organisation_name="Original")
    url = f"{CHANGELIST}{signature.pk}/change/"

    response = admin_client.post(
        url, change_form_data(admin_client, url, organisation_name="X", loaded_revision="")
    )

    assert "Someone else saved this page" in response.text
    signature.refresh_from_db()
    assert signature.organisation_name == "Original"


def test_successive_saves_from_fresh_forms_all_land(admin_client, letter):
    signature = SignatureFactory(letter=letter, organisation_name="Original")
    url = f"{CHANGELIST}{signature.pk}/change/"

    assert post_change_form(admin_client, url, organisation_name="First").status_code == 302
    assert post_change_form(admin_client, url, contact_role="Chair").status_code == 302

    signature.refresh_from_db()
    assert (signature.organisation_name, signature.contact_role) == ("First", "Chair")


# The trail ---------------------------------------------------------------------------------------


def test_the_change_page_shows_every_step_who_took_it_and_when(client, admin_client, letter):
    sign(client, letter)
    client.post(confirm_path("amina@khrn.or.ke"))
    signature = Signature.objects.get()
    url = f"{CHANGELIST}{signature.pk}/change/"
    act(admin_client, "approve_signatures", [signature])
    post_change_form(admin_client, url, organisation_name="KHRN (Kenya)")
    act(admin_client, "withdraw_signatures", [signature])

    trail = [(e.kind, e.who, e.before, e.after, e.note) for e in signature.events.order_by("pk")]
    assert trail == [
        ("submitted", "the signer", "pending", "pending", ""),
        ("confirmed", "the signer", "pending", "verified", ""),
        ("approved", "admin", "verified", "approved", ""),
        ("edited", "admin", "approved", "approved", "changed: organisation_name"),
        ("withdrawn", "admin", "approved", "withdrawn", ""),
    ]
    html = admin_client.get(url).text
    assert "Trail" in html and "contact email corrected" not in html
    for shown in ("the signer", "confirmed by email", "approved", "edited", "withdrawn"):
        assert shown in html
    signature.refresh_from_db()
    assert signature.reviewed_by.username == "admin"  # who approved, kept


# A mistyped address ------------------------------------------------------------------------------


def test_an_organiser_corrects_a_mistyped_address_and_a_fresh_link_goes_there(
    client, admin_client, letter
):
    sign(client, letter, contact_email="amina@khrn.or.ke.typo")
    old_link = confirm_path("amina@khrn.or.ke.typo")
    signature = Signature.objects.get()
    url = f"{CHANGELIST}{signature.pk}/change/"
    assert 'name="contact_email"' in admin_client.get(url).text  # editable while pending

    response = post_change_form(admin_client, url, contact_email="amina@khrn.or.ke")

    assert response.status_code == 302
    assert client.post(old_link).status_code == 404  # the old link stopped working
    assert client.post(confirm_path("amina@khrn.or.ke")).status_code == 200
    signature.refresh_from_db()
    assert (signature.status, signature.email_canonical) == ("verified", "amina@khrn.or.ke")
    assert signature.events.filter(kind="email_corrected").exists()


def test_an_address_cannot_be_corrected_to_one_that_already_signed(client, admin_client, letter):
    sign(client, letter, contact_email="taken@khrn.or.ke")
    client.post(confirm_path("taken@khrn.or.ke"))
    sign(client, letter, contact_email="typo@khrn.or.ke", organisation_name="Other")
    pending = Signature.objects.get(status="pending")
    url = f"{CHANGELIST}{pending.pk}/change/"

    response = post_change_form(admin_client, url, contact_email="Taken@khrn.or.ke")

    assert "This address has already signed this letter." in response.text
    pending.refresh_from_db()
    assert pending.contact_email == "typo@khrn.or.ke"


def test_admin_edits_refuse_control_and_direction_characters(admin_client, letter):
    signature = SignatureFactory(letter=letter, organisation_name="Honest Org")
    url = f"{CHANGELIST}{signature.pk}/change/"

    response = post_change_form(admin_client, url, organisation_name="Evil\u202eOrg")

    assert "Remove the invisible control characters from this field." in response.text
    signature.refresh_from_db()
    assert signature.organisation_name == "Honest Org"


# Vetting signals that tell the truth ------------------------------------------------------------


def submitted(letter, n, *, ip="198.51.100.7", **fields):
    from signatories import limits
    from signatories.vetting import name_key

    fields.setdefault("organisation_name", f"Org {n}")
    fields.setdefault("name_key", name_key(fields["organisation_name"]))
    fields.setdefault("contact_email", f"c{n}@org{n}.example")
    return SignatureFactory(
        letter=letter,
        email_canonical=fields["contact_email"],
        name_normalised=fields.get("name_normalised", fields["organisation_name"].lower()),
        ip_hash=limits.ip_hash(ip),
        network_hash=limits.network_hash(ip),
        **{k: v for k, v in fields.items() if k != "name_normalised"},
    )


def row_of(html: str, name: str) -> str:
    return html.split(f">{name}</a>")[1].split("</tr>")[0]


def test_the_list_shows_the_contact_email_domain_and_lookalike_signals(admin_client, letter):
    submitted(
        letter, 1, organisation_name="Amnesty Lookalike", contact_email="info@xn--mnesty-2nf.org",
        website_domain="xn--mnesty-2nf.org", lookalike_domain=True,
    )  # fmt: skip

    html = admin_client.get(CHANGELIST).text
    row = row_of(html, "Amnesty Lookalike")

    assert "info@xn--mnesty-2nf.org" in row and "xn--mnesty-2nf.org" in row
    assert 'class="field-lookalike_domain"><img src="/static/admin/img/icon-yes.svg"' in row
    flagged = admin_client.get(CHANGELIST + "?lookalike_domain__exact=1").text
    assert "Amnesty Lookalike" in flagged


def test_the_same_organisation_signing_four_times_is_flagged_as_a_duplicate(admin_client, letter):
    for n in range(4):
        submitted(letter, n, organisation_name="Amnesty International")
    submitted(letter, 9, organisation_name="Unique Group")

    html = admin_client.get(CHANGELIST + "?duplicates=yes").text

    assert html.count(">Amnesty International</a>") == 4 and "Unique Group" not in html
    assert '<td class="field-duplicates">3</td>' in html


def test_a_flood_from_one_network_is_counted_filtered_and_dealt_with_in_one_action(
    admin_client, letter
):
    flood = [submitted(letter, n, ip=f"203.0.113.{n}") for n in range(12)]
    genuine = submitted(letter, 99, ip="198.51.100.1", organisation_name="Genuine Group")

    html = admin_client.get(CHANGELIST + "?source=busy").text
    assert html.count(">Org ") == 12 and "Genuine Group" not in html
    assert '<td class="field-same_source">12</td>' in html

    response = act(admin_client, "discard_unconfirmed", flood)

    assert "Discarded 12 unconfirmed submissions." in response.text
    assert list(Signature.objects.all()) == [genuine]


def test_only_unconfirmed_submissions_can_be_discarded(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter, count=1)

    response = act(admin_client, "discard_unconfirmed", signatures)

    assert "1 signature was not discarded: it is confirmed" in response.text
    assert Signature.objects.count() == 1


def test_search_finds_names_however_they_are_spelled(admin_client, letter):
    from signatories.text import name_for_matching

    submitted(
        letter, 1, organisation_name="Amnésty Internationål",
        name_normalised=name_for_matching("Amnésty Internationål"),
    )  # fmt: skip

    assert "Amnésty Internationål" in admin_client.get(CHANGELIST + "?q=AMNESTY+international").text


def test_discarding_is_kept_in_the_admins_history(admin_client, letter):
    from django.contrib.admin.models import DELETION, LogEntry

    flood = submitted(letter, 1, organisation_name="Flood Org")

    act(admin_client, "discard_unconfirmed", [flood])

    entry = LogEntry.objects.get(action_flag=DELETION)
    assert (entry.object_id, entry.user.username) == (str(flood.pk), "admin")
