"""The Arabic pages in a browser are laid out right to left, mirrored from the English ones; the
Chinese ones are left to right and show their glyphs. Each layout assertion is made in both
directions, so that a page which stops mirroring fails it."""

import pytest
from django.utils import translation

from tests.e2e.conftest import ARTIFACTS
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A few pixels of slack for sub-pixel layout and borders.
SLACK = 4

ARABIC = {
    "title_ar": "رسالة مفتوحة لحماية المدافعين عن الأنهار",
    "summary_ar": "تطالب المنظمات الموقعة بحماية المدافعين عن البيئة.",
    "body_ar": (
        "نحن، المنظمات الموقعة أدناه، **نحث** مجلس حقوق الإنسان على التحرك فوراً لحماية "
        "المدافعين عن الأنهار والأراضي.\n\n"
        "إن حياتهم وسلامتهم مسؤولية مشتركة، ولا يمكن تأجيل العمل أكثر من ذلك."
    ),
}
CHINESE = {
    "title_zh_hans": "保护河流捍卫者的公开信",
    "summary_zh_hans": "签署组织呼吁保护环境捍卫者。",
    "body_zh_hans": (
        "我们，下列签署的组织，**敦促**人权理事会立即采取行动，保护河流和土地的捍卫者。\n\n"
        "他们的生命和安全是我们共同的责任，行动不能再拖延。"
    ),
}


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def box(locator) -> dict:
    """The element's box on the page, once it is visible."""
    locator.wait_for()
    found = locator.bounding_box()
    assert found is not None and found["width"] > 0 and found["height"] > 0, found
    return found


def text_box(locator) -> dict:
    """The box of the element's text itself, not of the (block) element holding it."""
    locator.wait_for()
    return locator.evaluate(
        """element => {
            const range = document.createRange();
            range.selectNodeContents(element);
            const r = range.getBoundingClientRect();
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }"""
    )


def right(found: dict) -> float:
    return found["x"] + found["width"]


def direction(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).direction")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def sign_button(page, letter):
    """The letter page's call to sign: the link to the sign form in the signing card."""
    return page.locator(f'.sign-cta a.btn[href$="/letters/{letter.slug}/sign/"]')


def test_the_arabic_letter_page_is_mirrored(page, live_server):
    letter = LetterFactory(title="Protect the river defenders", **ARABIC)
    approved(letter, country="EG", organisation_name="Cairo Rights Forum")
    approved(letter, country="MA", organisation_name="Rabat Environmental Network")

    page.goto(f"{live_server.url}/ar/letters/{letter.slug}/")
    label = translated("ar", "Sign this letter")
    assert label != "Sign this letter"  # the catalogue is compiled
    button = sign_button(page, letter)
    assert button.inner_text().strip() == label
    page.locator(".signatory-list").first.wait_for()
    screenshot(page, "letter-ar.png")

    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    stylesheet = page.locator('link[rel="stylesheet"][href*="bootstrap"]').get_attribute("href")
    assert stylesheet.endswith("bootstrap.rtl.min.css")
    assert page.locator("h1").inner_text() == ARABIC["title_ar"]
    text = page.locator("article .letter-body")
    assert text.get_attribute("lang") == "ar"
    assert direction(text) == "rtl"

    # The signing card is on the left, the letter's text on the right.
    assert right(box(button)) <= box(text)["x"]

    # The counts table reads from the right: country first, on the right; its text starts
    # at the right edge, the numbers' column sits on the left with its figures at the left edge.
    table = page.locator(".by-country table")
    assert direction(page.locator(".by-country")) == "rtl"
    headers = table.locator("thead th")
    country, organisations = box(headers.first), box(headers.last)
    assert country["x"] >= right(organisations) - 1
    table_box = box(table)
    assert right(text_box(headers.first)) >= right(table_box) - 2 * SLACK
    assert text_box(table.locator("tfoot th").last)["x"] <= table_box["x"] + 2 * SLACK

    # The list of signatories is right-aligned too: each name starts at the list's right edge.
    signatories = page.locator("#signatories .signatory-list").first
    assert direction(signatories) == "rtl"
    name = signatories.locator("li a").first
    assert abs(right(box(name)) - right(box(signatories))) <= SLACK

    # The same page in English is the other way round: the checks above can fail.
    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    text = page.locator("article .letter-body")
    assert text.get_attribute("lang") == "en"
    assert box(sign_button(page, letter))["x"] >= right(box(text))
    table = page.locator(".by-country table")
    headers = table.locator("thead th")
    assert right(box(headers.first)) <= box(headers.last)["x"] + 1
    table_box = box(table)
    assert text_box(headers.first)["x"] <= table_box["x"] + 2 * SLACK
    assert right(text_box(table.locator("tfoot th").last)) >= right(table_box) - 2 * SLACK
    signatories = page.locator("#signatories .signatory-list").first
    assert direction(signatories) == "ltr"
    assert abs(box(signatories.locator("li a").first)["x"] - box(signatories)["x"]) <= SLACK


def sign_form_layout(page) -> dict:
    """The boxes of the sign form, of a text field and its label, of a checkbox and its label,
    and of the submit button."""
    form = page.locator("form:has(#id_organisation_name)")
    return {
        "form": box(form),
        "label": box(page.locator('label[for="id_organisation_name"]')),
        "input": box(page.locator("#id_organisation_name")),
        "checkbox": box(page.locator("#id_authorised")),
        "checkbox label": box(page.locator('label[for="id_authorised"]')),
        "submit": box(form.locator('[type="submit"]')),
    }


def test_the_arabic_sign_form_is_mirrored(page, live_server):
    letter = LetterFactory(title="Protect the river defenders", **ARABIC)

    page.goto(f"{live_server.url}/ar/letters/{letter.slug}/sign/")
    page.get_by_role(
        "heading", name=translated("ar", "Sign this letter on behalf of your organisation")
    ).wait_for()
    screenshot(page, "sign-ar.png")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#letter-aside-title").inner_text() == ARABIC["title_ar"]
    submit = page.locator('form:has(#id_organisation_name) [type="submit"]')
    assert submit.get_attribute("value") == translated("ar", "Sign the letter")

    boxes = sign_form_layout(page)
    # A label starts at the right, above its field's right edge, and does not reach its left.
    assert abs(right(boxes["label"]) - right(boxes["input"])) <= SLACK
    assert boxes["label"]["x"] > boxes["input"]["x"] + 10 * SLACK
    # A checkbox is on the right of its label.
    assert boxes["checkbox"]["x"] >= right(boxes["checkbox label"]) - 1
    # The submit button is on the right side of the form.
    assert abs(right(boxes["submit"]) - right(boxes["form"])) <= SLACK
    assert boxes["submit"]["x"] > boxes["form"]["x"] + boxes["form"]["width"] / 2

    # In English everything starts at the left.
    page.goto(f"{live_server.url}/letters/{letter.slug}/sign/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    boxes = sign_form_layout(page)
    assert abs(boxes["label"]["x"] - boxes["input"]["x"]) <= SLACK
    assert right(boxes["label"]) < right(boxes["input"]) - 10 * SLACK
    assert right(boxes["checkbox"]) <= boxes["checkbox label"]["x"] + 1
    assert abs(boxes["submit"]["x"] - boxes["form"]["x"]) <= SLACK
    assert right(boxes["submit"]) < boxes["form"]["x"] + boxes["form"]["width"] / 2


def test_the_chinese_pages_are_left_to_right_and_show_the_chinese_text(page, live_server):
    letter = LetterFactory(title="Protect the river defenders", **CHINESE)
    approved(letter, country="CN", organisation_name="Green River Society")

    page.goto(f"{live_server.url}/zh-hans/letters/{letter.slug}/")
    heading = page.locator("h1")
    heading.wait_for()
    screenshot(page, "letter-zh-hans.png")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("zh-hans", "ltr")
    assert heading.inner_text() == CHINESE["title_zh_hans"]
    assert heading.get_attribute("lang") == "zh-hans"
    assert "签署的组织" in page.locator("article .letter-body").inner_text()
    # The glyphs are drawn: eleven characters of a 2.5rem heading take far more than 200px.
    drawn = text_box(heading)
    assert drawn["width"] > 200 and drawn["height"] > 20, drawn
    button = sign_button(page, letter)
    assert button.inner_text().strip() == translated("zh-hans", "Sign this letter")
    assert box(button)["x"] >= right(box(page.locator("article .letter-body")))

    page.goto(f"{live_server.url}/zh-hans/letters/{letter.slug}/sign/")
    heading = page.locator("h1")
    heading.wait_for()
    screenshot(page, "sign-zh-hans.png")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert heading.inner_text() == translated(
        "zh-hans", "Sign this letter on behalf of your organisation"
    )
    aside_title = page.locator("#letter-aside-title")
    assert aside_title.inner_text() == CHINESE["title_zh_hans"]
    assert text_box(aside_title)["width"] > 100
    assert text_box(heading)["width"] > 200
    boxes = sign_form_layout(page)
    assert abs(boxes["label"]["x"] - boxes["input"]["x"]) <= SLACK
    assert abs(boxes["submit"]["x"] - boxes["form"]["x"]) <= SLACK


def test_a_letter_without_arabic_text_shows_the_english_text_in_the_arabic_page(page, live_server):
    letter = LetterFactory(title="Protect the river defenders", language="en")
    approved(letter, country="JO", organisation_name="Amman Water Watch")

    page.goto(f"{live_server.url}/ar/letters/{letter.slug}/")
    page.locator("h1").wait_for()
    screenshot(page, "letter-ar-english-text.png")
    note = page.locator(".text-language-note")
    assert note.is_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "This letter has no text" not in note.inner_text()  # said in Arabic
    assert page.locator("h1").inner_text() == "Protect the river defenders"
    text = page.locator("article .letter-body")
    assert text.get_attribute("lang") == "en"
    assert "We, the undersigned" in text.inner_text()
    assert direction(text) == "ltr"  # the English text keeps its own direction...
    # ... inside a page that is still right to left: the text on the right, the card on the left.
    assert right(box(sign_button(page, letter))) <= box(text)["x"]
