"""The emails a signatory receives, built from templates under templates/signatories/email/.

Each kind has `<kind>.subject.txt`, `<kind>.txt` and `<kind>.html`. Links are absolute, built
from SITE_URL, since they are opened from a mail client.
"""

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
}


def confirmation_needed(signature: Signature, token: str) -> bool:
    """Whether the email with this confirmation link should still go out."""
    return (
        signature.status == Status.PENDING
        and signature.confirmation_token_hash == token_hash(token)  # not replaced since
        and not (
            signature.email_kind == CONFIRMATION
            and signature.email_state == Signature.EmailState.SENT
        )
    )


def notice_needed(signature: Signature, kind: str) -> bool:
    """Whether this notice should still go out: the state it announces still holds, and a
    redelivered job does not send it twice."""
    already_sent = (
        signature.email_kind == kind and signature.email_state == Signature.EmailState.SENT
    )
    return signature.status in NOTICE_STATUSES[kind] and not already_sent


def send_confirmation(signature: Signature, token: str) -> None:
    confirm_url = absolute_url(reverse("signatories:confirm", kwargs={"token": token}))
    _send(
        signature,
        CONFIRMATION,
        confirm_url=confirm_url,
        expires_at=signature.confirmation_expires_at,
    )


def send_notice(signature: Signature, kind: str) -> None:
    _send(signature, kind)


def _send(signature: Signature, kind: str, **extra) -> None:
    letter = signature.letter
    # Emails after confirmation carry the withdraw link, while there is something to withdraw.
    context = {
        "signature": signature,
        "letter": letter,
        "letter_url": absolute_url(letter.get_absolute_url()),
        "sign_url": absolute_url(reverse("signatories:sign", kwargs={"slug": letter.slug})),
        "withdraw_url": (
            absolute_url(
                reverse(
                    "signatories:withdraw",
                    kwargs={"token": withdraw_token(signature.withdraw_key)},
                )
            )
            if signature.status in Signature.WITHDRAWABLE
            else None
        ),
        **extra,
    }
    with translation.override(signature.language):
        subject = render_to_string(f"signatories/email/{kind}.subject.txt", context)
        text = render_to_string(f"signatories/email/{kind}.txt", context)
        html = render_to_string(f"signatories/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[signature.contact_email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()
