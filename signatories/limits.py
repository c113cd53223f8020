"""How much one source may sign, and how many confirmation emails the site sends in an hour.

A source is the client's address as `client_ip` determines it (trusting X-Forwarded-For only
as far as NUM_PROXIES allows). IPv4 addresses count one by one and also by /24; IPv6 ones by
/64 (one household or office) and also by /48. Each limit has a soft and a hard rate: over the
soft one, the sign form asks the browser for a proof-of-work check (ALTCHA); over the hard one,
the answer is 429 with when to try again, and nothing is saved or emailed.

Counters live in the default cache, through django-ratelimit: Redis in production (shared by
every process), local memory on the embedded default (one process).
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils.crypto import salted_hmac
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

from campaigns.models import Letter
from config.cache import count_many


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as NUM_PROXIES allows."""
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if settings.NUM_PROXIES and len(forwarded) >= settings.NUM_PROXIES:
        return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "")


def source(ip: str) -> tuple[str, str]:
    """(address, network) for counting: an IPv4 address and its /24; an IPv6 /64 and its /48.
    Something that is not an address counts as itself."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip, ip
    if address.version == 4:
        return str(address), str(ipaddress.ip_network(f"{address}/24", strict=False))
    return (
        str(ipaddress.ip_network(f"{address}/64", strict=False)),
        str(ipaddress.ip_network(f"{address}/48", strict=False)),
    )


def ip_hash(ip: str) -> str:
    """A keyed hash of the submitter's address: lets organisers see a flood from one source
    without our storing where anyone signed from."""
    return salted_hmac("signatories.ip", source(ip)[0]).hexdigest() if ip else ""


def network_hash(ip: str) -> str:
    """The same for the address's network (/24, /48): signatures from one place, together."""
    return salted_hmac("signatories.network", source(ip)[1]).hexdigest() if ip else ""


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str  # "soft,hard", as django-ratelimit rates: "10/10m,30/h"
    by_network: bool
    per_letter: bool

    def rates(self) -> tuple[str, str]:
        soft, hard = getattr(settings, self.setting).split(",")
        return soft.strip(), hard.strip()

    def key(self, ip: str, letter: Letter) -> str:
        address, network = source(ip)
        where = network if self.by_network else address
        return f"{where}|{letter.pk}" if self.per_letter else where


SIGN_LIMITS = [
    Limit("address-letter", "SIGN_LIMIT_ADDRESS_PER_LETTER", by_network=False, per_letter=True),
    Limit("network-letter", "SIGN_LIMIT_NETWORK_PER_LETTER", by_network=True, per_letter=True),
    Limit("address", "SIGN_LIMIT_ADDRESS", by_network=False, per_letter=False),
]


@dataclass(frozen=True)
class Verdict:
    retry_after: int | None = None  # seconds until a hard limit lets this source sign again
    challenge: bool = False  # over a soft limit: the form asks for a proof of work


def sign_attempt(request, letter: Letter, *, count: bool) -> Verdict:
    """Judge a visit to the sign form by its source's recent attempts; with `count`, it is an
    attempt (a POST) and counts."""
    ip = client_ip(request)
    windows = []  # (group, key, rate): each limit's soft window, then its hard one
    for limit in SIGN_LIMITS:
        key = limit.key(ip, letter)
        for level, rate in zip(("soft", "hard"), limit.rates(), strict=True):
            windows.append((f"sign-{level}-{limit.name}", key, rate))
    usages = (_count if count else _read_without_counting)(windows)
    # Looking at the form (not counting), the next attempt is the one that would be over.
    margin = 0 if count else 1
    retry_after, challenge = None, False
    for over_soft, over_hard in zip(usages[::2], usages[1::2], strict=True):
        challenge = challenge or over_soft["count"] + margin > over_soft["limit"]
        if over_hard["count"] + margin > over_hard["limit"]:
            retry_after = max(retry_after or 0, over_hard["time_left"], 1)
    return Verdict(retry_after=retry_after, challenge=challenge)


def _read_without_counting(windows: list[tuple[str, str, str]]) -> list[dict]:
    """What django-ratelimit's get_usage(increment=False) reports for each (group, key, rate),
    read in one cache round trip instead of one or two per window: looking at the form is not
    an attempt, and at a launch thousands look at once. Built on django-ratelimit's own cache
    key and window, so both read the same counters (a test checks that they agree)."""
    now = int(time.time())
    entries = _windows(windows)
    found = _cache().get_many([key for key, _limit, _window, _seconds in entries])
    return [
        {"count": found.get(key, 0), "limit": limit, "time_left": window - now}
        for key, limit, window, _seconds in entries
    ]


def _count(windows: list[tuple[str, str, str]]) -> list[dict]:
    """What django-ratelimit's get_usage(increment=True) does for each window (the first count
    adds the counter for the window's length, later ones increment it), in one round trip on
    Redis instead of one or two per window (config.cache.count_many)."""
    now = int(time.time())
    entries = _windows(windows)
    counts = count_many(_cache(), [(key, seconds) for key, _limit, _window, seconds in entries])
    return [
        {"count": count, "limit": limit, "time_left": window - now}
        for count, (_key, limit, window, _seconds) in zip(counts, entries, strict=True)
    ]


def _windows(windows: list[tuple[str, str, str]]) -> list[tuple[str, int, int, int]]:
    """(cache key, limit, end of the window, seconds the counter lives) of each (group, key,
    rate), as django-ratelimit makes them."""
    entries = []
    for group, value, rate in windows:
        limit, period = ratelimit_core._split_rate(rate)
        window = ratelimit_core._get_window(value, period)
        key = ratelimit_core._make_cache_key(group, window, rate, value, ratelimit_core.ALL)
        entries.append((key, limit, window, period + ratelimit_core.EXPIRATION_FUDGE))
    return entries


def _cache():
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def take_sign_email() -> int | None:
    """Count one email sent at the sign form's request against the site's hourly cap: None
    while under it, else the seconds until the cap's hour turns."""
    usage = _usage(None, "sign-emails", "site", f"{settings.SIGN_EMAILS_PER_HOUR}/h", True)
    return max(usage["time_left"], 1) if usage["count"] > usage["limit"] else None


def _usage(request, group: str, key: str, rate: str, increment: bool) -> dict:
    return get_usage(
        request, group=group, key=lambda group, request: key, rate=rate, increment=increment
    )
