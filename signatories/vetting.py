"""What organisers vet a signature by, beyond what the signer typed: possible duplicates
within the letter, whether the organisation is known to this site, and a review hint that
sums the signals up and says why.

The review hint has three levels, computed in the database (`with_signals`) so that the
admin can filter by it and act on a whole level at once:

- **check**, when anything calls for a closer look: a disposable or free-mail address (anyone
  can open one), a look-alike domain, a possible duplicate within the letter, or a busy network
  (BUSY_SOURCE or more signatures from it in a day). Any one of these wins over every good sign.
- **strong**, when nothing calls for a look and the signer, whose address is confirmed, is
  vouched for: the contact's address is at the website's own domain, or the address's domain
  was approved on another letter of this site (a known website alone vouches for the
  organisation, not for whoever typed it, so it shows in the hint without making it strong).
- **neutral**, otherwise: an address at the organisation's own domain but not at its website's,
  never seen on this site; nothing wrong, nothing vouching.

Possible duplicates are the other live signatures of the same letter with the same website
domain, the same email domain (own domains only: two gmail.com addresses say nothing), or the
same name key (`name_key`). Known-to-this-site counts signatures of *other* letters published
by name on a public letter (`published_elsewhere`: never an unnamed one, never a draft's or an
embargoed one's), and
shows only how many letters: letters of different coalitions never see each other's
signatories (the admin names them only to someone who organises that letter).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import Letter
from signatories.models import AddressKind, Signature
from signatories.text import name_for_matching

# Names ------------------------------------------------------------------------------------------

# Words that say how an organisation is registered, not which one it is: "Oxfam Ltd" and
# "Oxfam Inc." are one Oxfam. Dotted forms are read without their dots ("e.V." is "ev").
LEGAL_FORMS = frozenset(
    {
        # German, Austrian, Swiss (not "AG", "KG", "UG": also country codes, as in
        # "Lawyers for Justice (KG)", and forms of companies rather than of NGOs)
        "ev", "rv", "ggmbh", "gmbh", "mbh", "gemeinnutzige",
        # English-speaking
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "cic", "cio", "pbc",
        # French, Belgian, Spanish, Italian, Latin American
        # ("SA" and "AC" are left out for the same reason: South Africa, Ascension)
        "sarl", "sas", "asbl", "aisbl", "vzw", "iap", "onlus", "odv", "aps", "ets",
        # "non-governmental organisation", in a few languages
        "ngo", "ong", "ngos",
    }
)  # fmt: skip
# "Foundation" names a legal form when it opens or closes the name ("Ford Foundation",
# "Fondation Abbé Pierre"), so it is dropped there; inside a name it is part of it.
# "Association", "Fund", "Network", "International" and a country name are never dropped: they
# tell organisations apart ("American Bar Association", "Save the Children Fund",
# "Amnesty International UK").
FOUNDATION_WORDS = frozenset(
    {
        "foundation", "fondation", "fundacion", "fundacao", "stiftung", "fondazione",
        "stichting", "fundacja", "fundatia",
    }
)  # fmt: skip
_APOSTROPHES = re.compile("['`\u2019\u02bc]")  # Children's, Children\u2019s
_NOT_A_WORD = re.compile(r"[^\w]+")
# Single letters with dots between them: "e.V.", "e. V.", "A.B.C." (but not "2 e.V.").
_INITIALS = re.compile(r"(?<!\w)[^\W\d_](?:\.\s*[^\W\d_](?!\w))+\.?")


def name_key(name: str) -> str:
    """The organisation's name reduced to what tells organisations apart, for duplicates:
    case and accents folded, punctuation and extra spaces gone, "&" read as "and", dotted
    initials joined ("A.B.C." is "abc"), a leading "the" and legal-form words dropped.
    Never empty for a name with a letter or digit: a name made only of such words keeps them.
    """
    folded = name_for_matching(name).replace("&", " and ")
    folded = _INITIALS.sub(lambda initials: _NOT_A_WORD.sub("", initials[0]), folded)
    words = _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", folded)).replace("_", " ").split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    while len(kept) > 1 and (kept[0] in FOUNDATION_WORDS or kept[0] == "the"):
        kept.pop(0)
    while len(kept) > 1 and kept[-1] in FOUNDATION_WORDS:
        kept.pop()
    return " ".join(kept or words)[:200]


# Signals, in the database -----------------------------------------------------------------------

# A network with this many signatures in a day is worth a look.
BUSY_SOURCE = 10


class Level:
    STRONG = "strong"
    CHECK = "check"
    NEUTRAL = "neutral"

    choices = [
        (STRONG, _("strong")),
        (CHECK, _("check")),
        (NEUTRAL, _("neutral")),
    ]


def _same_domains(*, website: bool = True) -> Q:
    """Rows sharing the outer row's website domain, or its own email domain (free-mail and
    disposable domains are shared by strangers, so they match nothing)."""
    own_email = (
        Q(email_domain=OuterRef("email_domain"), address_kind=AddressKind.OTHER)
        & ~Q(email_domain="")
        & Q(Exact(OuterRef("address_kind"), Value(AddressKind.OTHER)))
    )
    same_website = Q(website_domain=OuterRef("website_domain")) & ~Q(website_domain="")
    return same_website | own_email if website else own_email


def _duplicates():
    """The other live signatures of the letter that look like the same organisation."""
    same_name = Q(name_key=OuterRef("name_key")) & ~Q(name_key="")
    return (
        Signature.objects.live()
        .filter(letter=OuterRef("letter"))
        .filter(_same_domains() | same_name)
        .exclude(pk=OuterRef("pk"))
    )


def published_elsewhere():
    """The signatures that may vouch for an organisation on another letter: approved and
    published by name on a public letter. An unnamed signatory, or one on a draft or an
    embargoed letter, is counted nowhere else: any organiser can type a domain into their own
    signature, and a count that included them would tell whether an at-risk organisation
    signed another coalition's letter.
    """
    return Signature.objects.named().filter(letter__status__in=Letter.PUBLIC_STATUSES)


def _approved_elsewhere(*, website: bool = True):
    """Signatures published on other letters with the same domains."""
    return (
        published_elsewhere()
        .filter(_same_domains(website=website))
        .exclude(letter=OuterRef("letter"))
    )


def _count(queryset, field="pk", *, distinct=False):
    """A COUNT over the subquery's rows (not grouped: one number per outer row)."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = queryset.order_by().annotate(
        n=Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def with_signals(queryset):
    """Annotate each signature with what organisers vet by and no column holds:
    `duplicate_count` and `duplicate_of` (the first possible duplicate's id),
    `known_letters` (other letters its website's or address's domain was approved on),
    `same_source_count` (signatures from its network in the last day) and `review_level`
    (see the module's docstring). A fixed number of subqueries, whatever the number of rows."""
    duplicates = _duplicates()
    same_source = Signature.objects.filter(
        network_hash=OuterRef("network_hash"),
        created_at__gte=timezone.now() - timedelta(days=1),
    ).exclude(network_hash="")
    queryset = queryset.annotate(
        duplicate_count=_count(duplicates),
        duplicate_of=Subquery(duplicates.order_by("pk").values("pk")[:1]),
        known_letters=_count(_approved_elsewhere(), "letter_id", distinct=True),
        same_source_count=_count(same_source),
    )
    # A known website vouches for the organisation, not for whoever typed it: only the
    # address's own domain, approved before, vouches for the signer.
    address_known = Exists(_approved_elsewhere(website=False))
    return queryset.annotate(
        review_level=Case(
            When(
                Q(address_kind__in=[AddressKind.FREE, AddressKind.DISPOSABLE])
                | Q(lookalike_domain=True)
                | Q(duplicate_count__gt=0)
                | Q(same_source_count__gte=BUSY_SOURCE),
                then=Value(Level.CHECK),
            ),
            # An address not confirmed yet vouches for nothing.
            When(
                (Q(email_domain_matches=True) | Q(address_known))
                & ~Q(status=Signature.Status.PENDING),
                then=Value(Level.STRONG),
            ),
            default=Value(Level.NEUTRAL),
            output_field=CharField(),
        )
    )


# Explaining them --------------------------------------------------------------------------------


def review_hint(signature) -> str:
    """The review level and why, from the annotations of `with_signals`: "check: free-mail
    address, possible duplicate of #123"."""
    reasons = []
    if signature.address_kind == AddressKind.DISPOSABLE:
        reasons.append(_("disposable address"))
    elif signature.address_kind == AddressKind.FREE:
        reasons.append(_("free-mail address"))
    if signature.lookalike_domain:
        reasons.append(_("look-alike domain"))
    if signature.duplicate_count == 1:
        reasons.append(_("possible duplicate of #%(pk)s") % {"pk": signature.duplicate_of})
    elif signature.duplicate_count:
        reasons.append(
            _("possible duplicate of #%(pk)s and %(more)d more")
            % {"pk": signature.duplicate_of, "more": signature.duplicate_count - 1}
        )
    if signature.same_source_count >= BUSY_SOURCE:
        reasons.append(
            _("busy network (%(count)d in 24 h)") % {"count": signature.same_source_count}
        )
    if signature.email_domain_matches:
        reasons.append(_("email at the website's domain"))
    if signature.known_letters:
        reasons.append(
            ngettext(
                "approved on %(count)d other letter",
                "approved on %(count)d other letters",
                signature.known_letters,
            )
            % {"count": signature.known_letters}
        )
    if signature.status == Signature.Status.PENDING:
        reasons.append(_("address not confirmed yet"))
    if not reasons:
        reasons.append(_("own address, not at the website's domain, new to this site"))
    label = dict(Level.choices)[signature.review_level]
    return str(format_lazy("{}: {}", label, ", ".join(str(reason) for reason in reasons)))


@dataclass
class PossibleDuplicate:
    signature: Signature
    reasons: list[str]


def possible_duplicates(signature: Signature, limit: int = 20) -> list[PossibleDuplicate]:
    """The other live signatures of the letter that may be the same organisation, and why."""
    own_domain = signature.address_kind == AddressKind.OTHER and signature.email_domain
    matches = Q(pk__in=[])
    if signature.website_domain:
        matches |= Q(website_domain=signature.website_domain)
    if own_domain:
        matches |= Q(email_domain=signature.email_domain, address_kind=AddressKind.OTHER)
    if signature.name_key:
        matches |= Q(name_key=signature.name_key)
    others = (
        Signature.objects.live()
        .filter(matches, letter_id=signature.letter_id)
        .exclude(pk=signature.pk)
        .order_by("pk")[:limit]
    )
    found = []
    for other in others:
        reasons = []
        if signature.website_domain and other.website_domain == signature.website_domain:
            reasons.append(str(_("same website domain")))
        if own_domain and other.email_domain == signature.email_domain:
            reasons.append(str(_("same email domain")))
        if signature.name_key and other.name_key == signature.name_key:
            reasons.append(str(_("same name")))
        found.append(PossibleDuplicate(other, reasons))
    return found


def known_elsewhere(signature: Signature, letters) -> tuple[int, list[Signature]]:
    """How many other letters approved the organisation's domains, and the matching approved
    signatures on those of `letters` (the ones the viewer organises) that are not this one's
    letter."""
    others = (
        published_elsewhere()
        .exclude(letter_id=signature.letter_id)
        .filter(_domain_match(signature))
    )
    count = others.values("letter_id").distinct().count()
    visible = list(others.filter(letter__in=letters).select_related("letter").order_by("pk")[:20])
    return count, visible


def _domain_match(signature: Signature) -> Q:
    match = Q(pk__in=[])
    if signature.website_domain:
        match |= Q(website_domain=signature.website_domain)
    if signature.address_kind == AddressKind.OTHER and signature.email_domain:
        match |= Q(email_domain=signature.email_domain, address_kind=AddressKind.OTHER)
    return match
