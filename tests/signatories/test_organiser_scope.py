"""Who sees what in the admin: a letter's organisers see its signatures and nothing of another
letter's; staff outside the Organisers group see no signatures at all; superusers see all."""

import re
from functools import partial

import pytest
from django.contrib.admin import site
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver

from signatories.models import Signature, Update
from tests.conftest import CommittingClient
from tests.factories import LetterFactory, SignatureFactory

# What letter B's signature holds: none of it may appear on a page an organiser of A opens.
SECRET_NAME = "Bravo Sanctuary Collective"
SECRET_EMAIL = "hidden-contact@bravo-sanctuary.example"
SECRET_TITLE = "Letter Bravo of another coalition"
SECRET_UPDATE = "Bravo's private news to its signatories"


@pytest.fixture
def letters(db):
    alpha = LetterFactory(title="Letter Alpha", slug="alpha")
    bravo = LetterFactory(title=SECRET_TITLE, slug="bravo")
    for letter, name, email, status in [
        (alpha, "Alpha Rights Group", "someone@alpha-rights.example", "verified"),
        (alpha, "Alpha Second Group", "other@alpha-second.example", "approved"),
        (bravo, SECRET_NAME, SECRET_EMAIL, "verified"),
        (bravo, "Bravo Approved Group", "b2@bravo-approved.example", "approved"),
    ]:
        SignatureFactory(
            letter=letter,
            organisation_name=name,
            contact_email=email,
            website=f"https://{email.split('@')[1]}",
            status=status,
        )
    return alpha, bravo


def staff(username, *, organisers_group=False, superuser=False):
    user = get_user_model().objects.create_user(
        username=username, password="pw", is_staff=True, is_superuser=superuser
    )
    if organisers_group:
        user.groups.add(Group.objects.get(name="Organisers"))
    return user


def signed_in(user):
    client = CommittingClient()
    client.force_login(user)
    return client


@pytest.fixture
def organiser_of_alpha(letters):
    user = staff("alpha-organiser", organisers_group=True)
    letters[0].organisers.add(user)
    return user


def admin_pages(client, start="/admin/", limit=150):
    """Every admin page reachable by following links from `start` (GET only, no logout),
    with its response: what an organiser can click their way to."""
    seen, queue, pages = set(), [start], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        pages[url] = response
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/admin/[^"#]*)"', response.content.decode()):
            link = link.replace("&amp;", "&")
            if "logout" not in link and link not in seen:
                queue.append(link)
    return pages


def one_object_admin_urls(letter_pk, signature_pk, update_pk=None):
    """Every admin URL of the letter and signature admins that names one object, filled with
    the given letter's, signature's or update's primary key: the change pages, their history,
    and each page the workbench adds to a letter (dashboard, import, export, updates)."""
    urls = []
    for model, pk in (("campaigns/letter", letter_pk), ("signatories/signature", signature_pk)):
        model_admin = next(
            admin
            for m, admin in site._registry.items()
            if f"{m._meta.app_label}/{m._meta.model_name}" == model
        )
        values = {"object_id": pk, "update_id": update_pk}
        for pattern in _flatten(model_admin.get_urls()):
            route = str(pattern.pattern)
            names = re.findall(r"<(?:\w+:)?(\w+)>", route)
            if not names or any(values.get(name) is None for name in names):
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", partial(_fill, values), route)
            urls.append(f"/admin/{model}/{path.lstrip('^').rstrip('$')}")
    return urls


def _fill(values, found):
    return str(values[found.group(1)])


def _flatten(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _flatten(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_the_organisers_group_holds_exactly_the_workbench_permissions(db):
    codenames = set(
        Group.objects.get(name="Organisers").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert codenames == {
        ("campaigns", "view_letter"),
        ("campaigns", "deliver_letter"),
        ("signatories", "view_signature"),
        ("signatories", "change_signature"),
        ("signatories", "view_signatureevent"),
        ("signatories", "import_signatures"),
        ("signatories", "export_signatures"),
        ("signatories", "send_update"),
        ("signatories", "view_update"),
        ("signatories", "add_update"),
        ("signatories", "change_update"),
    }
    assert "export_contacts" not in {codename for _, codename in codenames}


def test_an_organiser_of_one_letter_sees_nothing_of_another_letters_signatures(
    letters, organiser_of_alpha
):
    _, bravo = letters
    client = signed_in(organiser_of_alpha)

    pages = admin_pages(client)
    searches = [
        "/admin/signatories/signature/?q=bravo",
        f"/admin/signatories/signature/?q={SECRET_EMAIL}",
        f"/admin/signatories/signature/?letter__id__exact={bravo.pk}",
        "/admin/signatories/signature/?status__exact=verified",
        "/admin/campaigns/letter/?q=bravo",
    ]
    for url in searches:
        page = client.get(url).content.decode()
        assert "0 results" in page or "q=" not in url, url
        # The search box shows what was typed; nothing else may name the other letter's rows.
        pages[url] = client.get(url.replace(SECRET_EMAIL, "someone-else@example.org"))
        assert SECRET_NAME not in page

    assert "/admin/signatories/signature/" in pages
    signatures = pages["/admin/signatories/signature/"].content.decode()
    assert "Alpha Rights Group" in signatures  # their own letter's, yes
    for url, response in pages.items():
        body = response.content.decode(errors="replace")
        for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_TITLE, "Bravo Approved Group"):
            assert secret not in body, f"{secret!r} shows on {url}"

    secret = Signature.objects.get(organisation_name=SECRET_NAME)
    update = Update.objects.create(letter=bravo, subject=SECRET_UPDATE, body="To all of you.")
    urls = one_object_admin_urls(bravo.pk, secret.pk, update.pk)
    assert any("/updates/" in url and str(update.pk) in url for url in urls)
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (403, 404), f"{url} answered {response.status_code}"
        assert SECRET_NAME not in response.content.decode(errors="replace")
        assert SECRET_UPDATE not in response.content.decode(errors="replace")


def test_the_country_filter_lists_only_the_organisers_own_letters_countries(
    letters, organiser_of_alpha
):
    _, bravo = letters
    SignatureFactory(letter=bravo, country="BT", list_publicly=False, status="approved")
    page = signed_in(organiser_of_alpha).get("/admin/signatories/signature/").text

    assert "?country=KE" in page  # their own signatories' country
    assert "Bhutan" not in page


def test_known_to_this_site_never_counts_another_letters_unnamed_or_draft_signatories(
    letters, organiser_of_alpha
):
    from signatories.services import _derive_from_addresses

    alpha, bravo = letters
    draft = LetterFactory(status="draft")
    for letter, named in ((bravo, False), (draft, True)):
        hidden = SignatureFactory.build(
            letter=letter, website="https://at-risk.example", contact_email="x@at-risk.example",
            list_publicly=named, status="approved",
        )  # fmt: skip
        _derive_from_addresses(hidden)
        hidden.save()
    # An organiser of Alpha types the guessed domain into a signature of their own.
    mine = SignatureFactory.build(
        letter=alpha, organisation_name="Probe", website="https://at-risk.example",
        contact_email="probe@at-risk.example", status="verified",
    )  # fmt: skip
    _derive_from_addresses(mine)
    mine.save()

    client = signed_in(organiser_of_alpha)
    page = client.get(f"/admin/signatories/signature/{mine.pk}/change/").text
    listing = client.get("/admin/signatories/signature/").text

    assert "Approved on 0 other letters" in page
    assert "approved on" not in listing.split(">Probe</a>")[1].split("</tr>")[0]


def test_an_organisers_actions_cannot_reach_another_letters_signatures(letters, organiser_of_alpha):
    client = signed_in(organiser_of_alpha)
    secret = Signature.objects.get(organisation_name=SECRET_NAME)
    own = Signature.objects.get(organisation_name="Alpha Rights Group")

    client.post(
        "/admin/signatories/signature/",
        {"action": "approve_signatures", "_selected_action": [secret.pk, own.pk]},
    )

    secret.refresh_from_db()
    own.refresh_from_db()
    assert (own.status, secret.status) == ("approved", "verified")
    response = client.post(
        f"/admin/signatories/signature/{secret.pk}/change/", {"organisation_name": "Renamed"}
    )
    assert response.status_code == 403
    secret.refresh_from_db()
    assert secret.organisation_name == SECRET_NAME


def test_staff_outside_the_group_see_no_signatures_and_no_letters(letters):
    alpha, _ = letters
    plain = staff("plain-staff")
    alpha.organisers.add(plain)  # being named on a letter is not a permission
    client = signed_in(plain)
    signature = Signature.objects.filter(letter=alpha).first()

    for url in [
        "/admin/signatories/signature/",
        f"/admin/signatories/signature/{signature.pk}/change/",
        "/admin/campaigns/letter/",
        f"/admin/campaigns/letter/{alpha.pk}/change/",
        *one_object_admin_urls(alpha.pk, signature.pk),
    ]:
        assert client.get(url, follow=True).status_code == 403, url
    assert "Alpha Rights Group" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(letters):
    alpha, _ = letters
    signature = Signature.objects.filter(letter=alpha).first()
    client = CommittingClient()
    for url in [
        "/admin/signatories/signature/",
        "/admin/campaigns/letter/",
        *one_object_admin_urls(alpha.pk, signature.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_superusers_see_every_letters_signatures(letters):
    client = signed_in(staff("root", superuser=True))
    page = client.get("/admin/signatories/signature/").content.decode()
    assert SECRET_NAME in page
    assert "Alpha Rights Group" in page


def test_whoever_creates_a_letter_becomes_one_of_its_organisers(db):
    from django.contrib.auth.models import Permission

    author = staff("author", organisers_group=True)
    author.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_letter", "change_letter"])
    )
    client = signed_in(author)

    response = client.post(
        "/admin/campaigns/letter/add/",
        {
            "language": "en",
            "title_en": "A new letter",
            "slug": "a-new-letter",
            "body_en": "We urge.",
            "status": "draft",
            "requires_approval": "on",
            "loaded_revision": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    letter = author.organised_letters.get()
    assert letter.slug == "a-new-letter"
    assert client.get(f"/admin/campaigns/letter/{letter.pk}/change/").status_code == 200
