"""Email and website domains: what organisers compare to judge whether a signer speaks for
the organisation they name."""

from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# Addresses anyone can open: a match on these says nothing about the organisation.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.net", "hotmail.com",
        "hotmail.co.uk", "hotmail.fr", "icloud.com", "live.com", "mail.com", "mail.ru", "me.com",
        "msn.com", "outlook.com", "proton.me", "protonmail.com", "qq.com", "tutanota.com",
        "web.de", "yahoo.co.uk", "yahoo.com", "yahoo.fr", "yandex.com", "yandex.ru", "ymail.com",
        "zoho.com", "163.com", "126.com", "naver.com", "rediffmail.com", "riseup.net",
    }
)  # fmt: skip


@cache
def _suffix_list() -> PublicSuffixList:
    return PublicSuffixList()  # the list ships with the package: no network


def registrable_domain(host: str) -> str:
    """The part of a host name an organisation registers: www.amnesty.org.uk -> amnesty.org.uk.

    Returns "" for something that is not a registrable name (an IP address, "localhost").
    """
    host = host.strip().rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return _suffix_list().privatesuffix(host) or ""


def website_domain(url: str) -> str:
    return registrable_domain(urlsplit(url).hostname or "") if url else ""


def email_domain(email: str) -> str:
    return registrable_domain(email.rpartition("@")[2])


def canonical_email(email: str) -> str:
    """The form of an address used to find duplicates: trimmed and lower-cased whole.

    Lower-casing the local part is not strictly right by the RFC, but no real mail system
    treats Info@ and info@ as two people, and a duplicate signature is the worse outcome.
    """
    return email.strip().lower()


def domains_match(*, email: str, website: str) -> bool:
    """True when the contact's address is at the organisation's own website domain."""
    domain = email_domain(email)
    return bool(domain) and domain not in FREE_MAIL_DOMAINS and domain == website_domain(website)
