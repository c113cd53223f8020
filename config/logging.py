"""Logs name no signatory: the formatter of every handler removes email addresses, the tokens
in confirm and withdraw links, an embargoed letter's invite key, and IP addresses, from
messages and tracebacks alike, whichever library wrote them (Django's request log, the
development server, Celery, django-axes)."""

import ipaddress
import logging
import re

# Each pattern starts only where a run of its characters starts, and never backtracks into
# it (possessive quantifiers): a 100 KB path in a log line costs one pass, not minutes.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
ENCODED_AT = re.compile(r"(?<=[\w.+-])%40(?=[\w-])", re.IGNORECASE)  # an @ in a query string
LINK_TOKEN = re.compile(r"(/signatures/(?:confirm|withdraw)/)[^/\s\"'?#]++")
INVITE_KEY = re.compile(r"([?&]invite=)[^&\s\"'#]++")
# A run of hex digits, dots and colons: an IPv4 or IPv6 address if ipaddress says so.
IP_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]++(?![\w:])")


def redact(text: str) -> str:
    text = LINK_TOKEN.sub(r"\1[token]", text)
    text = INVITE_KEY.sub(r"\1[key]", text)
    text = EMAIL.sub("[address]", ENCODED_AT.sub("@", text))
    return IP_CANDIDATE.sub(lambda m: "[ip]" if _is_ip(m.group(0)) else m.group(0), text)


def _is_ip(text: str) -> bool:
    if len(text) > 45:  # longer than any address
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False  # a time of day (04:58:25), a version number
    return True


class RedactingFormatter(logging.Formatter):
    def format(self, record):
        return redact(super().format(record))


def anonymous_client(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines: by the path only, no address."""
    return f"(path={path_info})"
