"""The flood the attack found (hundreds of sign-ups from one address, each sending an email),
and what a person on a shared connection still gets through."""

import base64
import html
import json
import re
import time

import altcha
import pytest
from django.core import mail
from django.test import Client

from signatories.forms import started_token
from signatories.limits import source
from signatories.models import Signature
from tests.conftest import CommittingClient
from tests.factories import LetterFactory
from tests.signatories.helpers import form_data, sign

pytestmark = pytest.mark.django_db


def from_address(ip: str) -> Client:
    client = CommittingClient()
    client.defaults["REMOTE_ADDR"] = ip
    return client


def solve(page_html: str) -> str:
    """What the browser's ALTCHA widget posts: the challenge on the page, solved."""
    found = re.search(r'challengejson="([^"]+)"', page_html)
    challenge = json.loads(html.unescape(found.group(1)))
    solution = altcha.solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["max_number"]
    )
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_sixty_sign_ups_from_one_address_in_a_minute_are_not_all_taken(letter):
    bot = from_address("203.0.113.7")

    statuses = [
        sign(bot, letter, contact_email=f"made-up-{n}@example.net").status_code for n in range(60)
    ]

    # The first ten go through; then the form asks for a proof of work the script does not
    # solve (200, the form again); past the hard limit, 429.
    assert statuses[:10] == [302] * 10
    assert set(statuses[10:30]) == {200}
    assert set(statuses[30:]) == {429}
    assert Signature.objects.count() == 10
    assert len(mail.outbox) == 10


def test_the_429_page_says_when_to_try_again_and_saves_nothing(letter, settings):
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "100/h,2/h"
    bot = from_address("203.0.113.8")
    sign(bot, letter, contact_email="one@example.net")
    sign(bot, letter, contact_email="two@example.net")

    response = sign(bot, letter, contact_email="three@example.net")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please try again in" in response.text and "minute" in response.text
    assert "Nothing was saved and no email was sent" in response.text
    assert not Signature.objects.filter(contact_email="three@example.net").exists()
    assert bot.get(f"/letters/{letter.slug}/sign/").status_code == 429  # the form, too


def test_twenty_organisations_at_one_conference_network_all_sign_within_the_hour(letter):
    """One public address for the whole venue: past the first ten, each person's browser
    solves the check, as the widget does by itself."""
    venue = from_address("198.51.100.20")

    for n in range(20):
        page = venue.get(f"/letters/{letter.slug}/sign/").text
        data = form_data(contact_email=f"delegate{n}@org{n}.example", organisation_name=f"Org {n}")
        if "altcha-widget" in page:
            data["altcha"] = solve(page)
        response = venue.post(f"/letters/{letter.slug}/sign/", data)
        assert response.status_code == 302, (n, response.status_code)

    assert Signature.objects.count() == 20


def test_a_solved_check_works_once(letter, settings):
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "0/h,100/h"  # every attempt is asked
    client = from_address("198.51.100.30")
    payload = solve(client.get(f"/letters/{letter.slug}/sign/").text)

    first = sign(client, letter, contact_email="a@org.example", altcha=payload)
    again = sign(client, letter, contact_email="b@org.example", altcha=payload)

    assert first.status_code == 302
    assert again.status_code == 200 and "altcha" in again.context["form"].errors


def test_a_letter_can_ask_everyone_for_the_check(client):
    letter = LetterFactory(always_challenge=True)

    page = client.get(f"/letters/{letter.slug}/sign/").text
    assert "altcha-widget" in page and "vendor/altcha/altcha.js" in page

    unsolved = sign(client, letter)
    assert unsolved.status_code == 200
    assert "let your browser complete the check below" in unsolved.text
    assert Signature.objects.count() == 0

    assert sign(client, letter, altcha=solve(page)).status_code == 302


def test_limits_count_per_letter_per_network_and_across_the_site(settings):
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "100/h,100/h"
    settings.SIGN_LIMIT_NETWORK_PER_LETTER = "100/h,3/h"
    settings.SIGN_LIMIT_ADDRESS = "100/h,5/h"
    first, second = LetterFactory(), LetterFactory()

    # Three addresses of one /24 share the network's limit on a letter…
    codes = [
        sign(from_address(f"192.0.2.{n}"), first, contact_email=f"n{n}@x.example").status_code
        for n in range(1, 5)
    ]
    assert codes == [302, 302, 302, 429]
    # …which another letter does not share; one address has its own limit across letters.
    lone = from_address("192.0.2.99")
    codes = [
        sign(lone, letter, contact_email=f"s{n}@x.example").status_code
        for n, letter in enumerate([second] * 3 + [first, second, second])
    ]
    assert codes == [302, 302, 302, 429, 429, 429]


@pytest.mark.parametrize(
    ("ip", "address", "network"),
    [
        ("203.0.113.7", "203.0.113.7", "203.0.113.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", "2001:db8:1::/48"),
        ("garbage", "garbage", "garbage"),
    ],
)
def test_sources_group_ipv6_by_64_and_ipv4_by_24(ip, address, network):
    assert source(ip) == (address, network)


def test_the_proxy_header_counts_only_as_far_as_the_proxies_go(letter, settings):
    settings.NUM_PROXIES = 1
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "100/h,1/h"
    client = from_address("10.0.0.1")  # the proxy

    ok = client.post(
        f"/letters/{letter.slug}/sign/",
        form_data(contact_email="a@x.example"),
        HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1",
    )
    # A client forging the start of the header is still counted by what the proxy saw.
    forged = client.post(
        f"/letters/{letter.slug}/sign/",
        form_data(contact_email="b@x.example"),
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1",
    )
    other = client.post(
        f"/letters/{letter.slug}/sign/",
        form_data(contact_email="c@x.example"),
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert (ok.status_code, forged.status_code, other.status_code) == (302, 429, 302)


def test_the_site_wide_email_cap_pauses_signing_with_a_429(client, settings):
    settings.SIGN_EMAILS_PER_HOUR = 3
    letter = LetterFactory()
    codes = [
        sign(from_address(f"198.51.100.{n}"), letter, contact_email=f"p{n}@x.example").status_code
        for n in range(5)
    ]

    assert codes == [302, 302, 302, 429, 429]
    assert Signature.objects.count() == 3 and len(mail.outbox) == 3


# Scripts that do not behave like people --------------------------------------------------------


def test_a_filled_honeypot_saves_nothing_and_tells_a_person_what_to_do(client, letter):
    response = sign(client, letter, homepage="http://spam.example")

    assert response.status_code == 200
    assert "If you filled in the field “Leave this field empty”, empty it" in response.text
    assert Signature.objects.count() == 0 and mail.outbox == []


def test_the_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client, letter):
    html = client.get(f"/letters/{letter.slug}/sign/").text

    field = re.search(r'<div[^>]*class="visually-hidden"[^>]*>.*?name="homepage"[^>]*>', html, re.S)
    assert field and 'aria-hidden="true"' in field.group(0)
    assert 'tabindex="-1"' in field.group(0) and 'autocomplete="off"' in field.group(0)


@pytest.mark.parametrize(
    "started",
    [
        pytest.param(lambda: started_token(), id="posted at once"),
        pytest.param(lambda: started_token(at=time.time() - 1), id="after one second"),
        pytest.param(lambda: "", id="missing"),
        pytest.param(lambda: "1700000000:forged", id="forged"),
    ],
)
def test_a_form_posted_faster_than_a_person_can_fill_it_saves_nothing(client, letter, started):
    response = sign(client, letter, started=started())

    assert response.status_code == 200
    assert "That was quicker than a person fills this form" in response.text
    assert Signature.objects.count() == 0 and mail.outbox == []
    # Shown again with a fresh clock: the person sends again a little later.
    shown_at = int(response.context["form"]["started"].value().split(":")[0])
    assert abs(shown_at - time.time()) < 5


def test_two_seconds_after_the_form_was_shown_is_fine(client, letter):
    assert sign(client, letter, started=started_token(at=time.time() - 2)).status_code == 302


@pytest.mark.integration
def test_the_limits_count_in_redis_as_in_production(letter, settings):
    """The counters live in the default cache: Redis in production, shared by every process.
    Two separate clients (as two web processes would be) see the same count."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
            "KEY_PREFIX": "limits-test",
        }
    }
    redis.Redis.from_url(settings.TEST_REDIS_URL).flushdb()
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "100/h,2/h"

    first, second = from_address("203.0.113.50"), from_address("203.0.113.50")
    codes = [
        sign(client, letter, contact_email=f"r{n}@x.example").status_code
        for n, client in enumerate([first, second, first])
    ]

    assert codes == [302, 302, 429]
    keys = redis.Redis.from_url(settings.TEST_REDIS_URL).keys("limits-test:*")
    assert keys  # counted in Redis, not in this process's memory


def test_a_form_shown_more_than_a_day_ago_is_sent_again_with_a_fresh_clock(client, letter):
    """One token, fetched once, cannot serve a script for days."""
    response = sign(client, letter, started=started_token(at=time.time() - 25 * 3600))

    assert response.status_code == 200
    assert "This form was opened more than a day ago" in response.text
    assert Signature.objects.count() == 0
    assert (
        sign(client, letter, started=started_token(at=time.time() - 23 * 3600)).status_code == 302
    )


def test_looking_at_the_form_reads_the_counters_the_attempts_wrote_in_one_round_trip(letter):
    from django.core.cache import cache
    from django.test import RequestFactory
    from django_ratelimit.core import get_usage

    from signatories import limits

    for number in range(3):
        from_address("198.51.100.9").post(
            f"/letters/{letter.slug}/sign/",
            form_data(organisation_name=f"Group {number}", contact_email=f"g{number}@x.org"),
        )
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9")
    windows = [
        (f"sign-{level}-{limit.name}", limit.key("198.51.100.9", letter), rate)
        for limit in limits.SIGN_LIMITS
        for level, rate in zip(("soft", "hard"), limit.rates(), strict=True)
    ]
    calls = []
    original = cache.get_many
    cache.get_many = lambda keys: calls.append(keys) or original(keys)
    try:
        read = limits._read_without_counting(windows)
    finally:
        del cache.get_many

    # The same counts django-ratelimit reports (and would count against), one cache call.
    expected = [
        get_usage(request, group=group, key=lambda g, r, key=key: key, rate=rate)
        for group, key, rate in windows
    ]
    assert [(r["count"], r["limit"]) for r in read] == [(e["count"], e["limit"]) for e in expected]
    assert read[0]["count"] == 3
    assert len(calls) == 1
