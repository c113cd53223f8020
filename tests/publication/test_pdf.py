"""The delivered letter as a PDF: the text, the headline and every named signatory by country;
nobody unnamed, pending or rejected, and no contact detail; nothing fetched to make it."""

import io
import re
import socket
from datetime import UTC, datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from campaigns import services as letter_services
from campaigns.models import Letter
from publication.pdf import direction, render_letter_pdf
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db

NAMED = {
    "KE": ["Kenya Rights Watch", "Nairobi Legal Aid"],
    "UA": ["Правозахисна група «Харків»"],
    "EG": ["مركز القاهرة لدراسات حقوق الإنسان"],
    "CN": ["中国人权观察"],
}
COMMENT = "Please call our director before you publish"


@pytest.fixture
def letter():
    letter = LetterFactory(
        title="Protect civic space now",
        addressee="the UN Human Rights Council",
        body="We, the undersigned, **urge** you to act.",
        opened_at=timezone.now(),
    )
    for country, names in NAMED.items():
        for name in names:
            approved(letter, country=country, organisation_name=name, comment=COMMENT)
    approved(letter, country="KE", organisation_name="Quiet Kenyan Collective", list_publicly=False)
    approved(
        letter,
        country="NG",
        organisation_name="Hidden Lagos Group",
        list_publicly=False,
        hide_country=True,
    )
    SignatureFactory(letter=letter, country="FR", organisation_name="Pending Paris Group")
    SignatureFactory(
        letter=letter, country="FR", organisation_name="Rejected Lyon Group", status="rejected"
    )
    letter.refresh_from_db()
    return letter


def pages(pdf: bytes) -> list[str]:
    """Each page's text, its runs of white space made single spaces."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_has_the_letter_the_headline_and_every_named_signatory(letter):
    pdf = render_letter_pdf(letter)

    assert pdf.startswith(b"%PDF")
    text = " ".join(pages(pdf))
    assert "Protect civic space now" in text
    assert "To: the UN Human Rights Council" in text
    assert "We, the undersigned, urge you to act." in text
    assert "7 organisations from 4 countries have signed" in text
    assert date_filter(timezone.now(), "j F Y") in text
    for names in NAMED.values():
        for name in names:  # Latin, Cyrillic, Arabic and Chinese alike
            assert name in text


def test_the_annex_lists_countries_alphabetically_with_their_unnamed_signatories(letter):
    first, annex = pages(render_letter_pdf(letter))

    order = ["China", "Egypt", "Kenya", "Ukraine", "Country not disclosed"]
    assert [annex.index(country) for country in order] == sorted(
        annex.index(country) for country in order
    )
    assert (
        "Kenya Kenya Rights Watch Nairobi Legal Aid "
        "and 1 organisation that asked not to be named" in annex
    )
    assert "Country not disclosed 1 organisation that asked not to be named" in annex
    assert "Nigeria" not in annex  # the unnamed signatory kept its country private
    # Page numbers on every page; the title heads the annex's pages.
    assert "Page 1 of 2" in first and "Page 2 of 2" in annex
    assert "Protect civic space now" in annex


def test_the_pdf_names_nobody_unnamed_pending_or_rejected_and_no_contact(letter):
    text = " ".join(pages(render_letter_pdf(letter)))

    for hidden in [
        "Quiet Kenyan Collective",
        "Hidden Lagos Group",
        "Pending Paris Group",
        "Rejected Lyon Group",
        COMMENT,
        "Amina Otieno",  # the contact's name
        "@",  # no address of any kind
        "example.org",  # nor a website
    ]:
        assert hidden not in text


def test_a_delivered_letter_says_when_and_to_whom_it_was_delivered(letter):
    assert "Delivered on" not in pages(render_letter_pdf(letter))[0]

    letter_services.letter_deliver(letter=letter, to="Office of the High Commissioner")
    Letter.objects.filter(pk=letter.pk).update(delivered_at=datetime(2026, 3, 8, 10, tzinfo=UTC))
    letter.refresh_from_db()
    first = pages(render_letter_pdf(letter))[0]

    assert "Delivered on 8 March 2026 to Office of the High Commissioner." in first
    assert first.startswith("Protect civic space now 8 March 2026 ")  # dated the delivery day


def test_nothing_is_fetched_while_rendering(letter, caplog):
    """The sanitiser already drops images from the letter's body; even an image that got
    through, or a signatory's website, is never requested."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/x.png"
        approved(letter, country="KE", organisation_name="Website Group", website=url)
        letter.body = f"![A map]({url})\n\nWe urge you."
        got_through = f'<p><img src="{url}" alt="A map"></p><p>We urge you.</p>'
        letter.body_html = mark_safe(got_through)  # noqa: S308 - the case under test

        text = " ".join(pages(render_letter_pdf(letter)))

        with pytest.raises(BlockingIOError):
            server.accept()  # no connection was made
    assert f"refers to {url}; not fetched" in caplog.text
    assert "Website Group" in text and url not in text


def test_a_name_in_a_right_to_left_script_is_set_right_to_left():
    assert direction("مركز القاهرة 12") == "rtl"
    assert direction("«Правозахисна група»") == "ltr"
    assert direction("12 中国人权观察") == "ltr"
    assert direction("(12) רשת") == "rtl"  # the first letter decides, not the first character


def test_in_an_arabic_pdf_an_english_text_keeps_its_direction_and_says_it_is_english(
    letter, monkeypatch
):
    import weasyprint
    from django.utils import translation

    made = []
    real_html = weasyprint.HTML
    monkeypatch.setattr(weasyprint, "HTML", lambda string, **kw: made.append(string) or real_html(
        string=string, **kw))  # fmt: skip

    with translation.override("ar"):
        pdf = render_letter_pdf(letter)
        note = translation.gettext(
            "This letter has no text in your language yet. Here is its authoritative text "
            "(%(language)s)."
        ) % {"language": "English"}

    assert '<html lang="ar" dir="rtl">' in made[0]
    assert '<div class="body" lang="en" dir="ltr">' in made[0]
    assert '<h1 lang="en" dir="ltr">Protect civic space now</h1>' in made[0]
    assert note in made[0]
    assert "Protect civic space now" in pages(pdf)[0]
