"""The emails a signatory receives, built from templates under templates/signatories/email/.

Each kind has `<kind>.subject.txt`, `<kind>.txt` and `<kind>.html`. Links are absolute, built
from SITE_URL, since they are opened from a mail client.
"""

import re

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from config.site import absolute_url
from signatories.models import Signature
from signatories.tokens import token_hash, withdraw_token

CONFIRMATION = "confirmation"
CONFIRMED_FOR_REVIEW = "confirmed_review"
CONFIRMED_AND_PUBLISHED = "confirmed_published"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
ALREADY_SIGNED = "already_signed"
# Organisers imported the signature (signatories.importing): the contact is told they are listed.
IMPORTED = "imported"

# Any run of white space in a subject (its template's line breaks and indentation, a line
# separator in a title) becomes one space, but for the no-break spaces of French typography
# ("signature : …"), which str.split() would also take.
TEMPLATE_WHITESPACE = re.compile(r"[^\S\u00a0\u202f]+")

Status = Signature.Status
# A notice is worth sending only while the signature is still in the state it announces:
# an "approved" email for a signature withdrawn since would be wrong.
NOTICE_STATUSES = {
    CONFIRMED_FOR_REVIEW: {Status.VERIFIED},
    CONFIRMED_AND_PUBLISHED: {Status.APPROVED},
    APPROVED: {Status.APPROVED},
    REJECTED: {Status.REJECTED},
    WITHDRAWN: {Status.WITHDRAWN},
    ALREADY_SIGNED: {Status.VERIFIED, Status.APPROVED, Status.REJECTED},
    IMPORTED: {Status.VERIFIED, Status.APPROVED},
}


def still_needed(signature: Signature, kind: str, token: str = "") -> bool:
    """Whether the email of this kind should still go: the state it speaks of still holds
    (an "approved" email for a signature withdrawn since would be wrong), and a confirmation's
    link is still the signature's current one."""
    if kind == CONFIRMATION:
        return (
            signature.status == Status.PENDING
            and signature.confirmation_token_hash == token_hash(token)
        )
    return signature.status in NOTICE_STATUSES.get(kind, ())


def send(signature: Signature, kind: str, *, token: str = "") -> None:
    """Build and send the email of this kind to the signature's contact."""
    extra = {}
    if kind == CONFIRMATION:
        extra = {
            "confirm_url": absolute_url(
                reverse("signature_links:confirm", kwargs={"token": token})
            ),
            "expires_at": signature.confirmation_expires_at,
        }
    _send(signature, kind, **extra)


def _send(signature: Signature, kind: str, **extra) -> None:
    message(signature, kind, **extra).send()


def message(signature: Signature, kind: str, **extra) -> EmailMultiAlternatives:
    """The email of this kind to the signature's contact, in the signer's language, ready to
    send; `extra` goes into the templates' context."""
    letter = signature.letter
    # Everything in the signer's language, the links too: they open the pages in it.
    with translation.override(signature.reading_language):
        # An address not yet confirmed gets nothing the signer typed (a name can carry a
        # phishing text): the letter's own words only.
        context = {**_links(signature), "unconfirmed": kind == CONFIRMATION, **extra}
        subject = render_to_string(f"signatories/email/{kind}.subject.txt", context)
        text = render_to_string(f"signatories/email/{kind}.txt", context)
        html = render_to_string(f"signatories/email/{kind}.html", context)
    email = EmailMultiAlternatives(
        subject=TEMPLATE_WHITESPACE.sub(" ", subject).strip(),
        body=text,
        to=[signature.contact_email],
        # Replies reach the letter's organisers, not the site's no-reply sender.
        reply_to=[letter.reply_to] if letter.reply_to else None,
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": signature.reading_language,
        },
    )
    email.attach_alternative(html, "text/html")
    return email


def _links(signature: Signature) -> dict:
    """The templates' context: the letter and the links, in the active language."""
    letter = signature.letter
    return {
        "signature": signature,
        "letter": letter,
        "contact_email": letter.reply_to,
        "letter_url": absolute_url(letter.get_absolute_url()),
        "sign_url": absolute_url(reverse("signatories:sign", kwargs={"slug": letter.slug})),
        # Emails after confirmation carry the withdraw link, while there is something to
        # withdraw. (Confirm and withdraw links have one address in every language: their
        # pages speak the signer's.)
        "withdraw_url": (
            absolute_url(
                reverse(
                    "signature_links:withdraw",
                    kwargs={"token": withdraw_token(signature.withdraw_key)},
                )
            )
            if signature.status in Signature.WITHDRAWABLE
            else None
        ),
    }
