"""Each service transition, and each way it refuses."""

import pytest
from django.core import mail

from signatories import services
from signatories.errors import (
    AlreadyConfirmed,
    AlreadyWithdrawn,
    InvalidToken,
    LetterClosed,
    NotAwaitingReview,
    NotPending,
    NotWithdrawable,
)
from signatories.models import Signature
from signatories.tokens import withdraw_token
from tests.conftest import committed
from tests.factories import LetterFactory, organiser
from tests.signatories.helpers import form_data

pytestmark = pytest.mark.django_db


def submit(letter, **overrides) -> tuple[Signature, str]:
    """Submit through the service; return the signature and its confirmation token."""
    from signatories.forms import SignatureForm

    form = SignatureForm(form_data(**overrides))
    assert form.is_valid(), form.errors
    with committed():
        signature = services.signature_submit(letter=letter, data=form.cleaned_data, ip="10.0.0.1")
    token = mail.outbox[-1].body.split("/signatures/confirm/")[1].split("/")[0]
    return signature, token


def in_state(letter, status: str) -> Signature:
    signature, token = submit(letter)
    if status == "pending":
        return signature
    services.signature_confirm(token=token)
    signature.refresh_from_db()
    moves = {
        "approved": services.signature_approve,
        "rejected": services.signature_reject,
    }
    if status in moves:
        moves[status](signature=signature, by=organiser())
    if status == "withdrawn":
        services.signature_withdraw(token=withdraw_token(signature.withdraw_key))
    signature.refresh_from_db()
    assert signature.status == status
    return signature


def test_submit_records_a_pending_signature_with_hashed_secrets(letter):
    signature, token = submit(letter)

    assert signature.status == "pending"
    assert signature.confirmation_token_hash and token not in signature.confirmation_token_hash
    assert signature.ip_hash and "10.0.0.1" not in signature.ip_hash
    signature.refresh_from_db()
    assert (signature.email_kind, signature.email_state) == ("confirmation", "sent")


def trail(signature) -> list[tuple[str, str, str, str]]:
    """The signature's trail as (what, who, from, to)."""
    return [(e.kind, e.who, e.before, e.after) for e in signature.events.all()]


def test_submit_to_a_closed_letter_is_refused():
    letter = LetterFactory(status="closed")

    with pytest.raises(LetterClosed):
        services.signature_submit(letter=letter, data=form_data(), ip="")
    assert Signature.objects.count() == 0


def test_confirm_moves_pending_to_verified(letter):
    signature, token = submit(letter)

    services.signature_confirm(token=token)

    signature.refresh_from_db()
    assert signature.status == "verified"


def test_confirm_twice_is_refused_as_already_confirmed(letter):
    _, token = submit(letter)
    services.signature_confirm(token=token)

    with pytest.raises(AlreadyConfirmed):
        services.signature_confirm(token=token)


def test_confirm_with_an_unknown_token_is_refused(letter):
    submit(letter)

    with pytest.raises(InvalidToken):
        services.signature_confirm(token="Z" * 43)


def test_approve_and_reject_record_who_and_when(letter, admin_user):
    to_approve = in_state(letter, "verified")
    to_reject = in_state(LetterFactory(), "verified")

    services.signature_approve(signature=to_approve, by=admin_user)
    services.signature_reject(signature=to_reject, by=admin_user)

    to_approve.refresh_from_db()
    to_reject.refresh_from_db()
    assert (to_approve.status, to_approve.reviewed_by) == ("approved", admin_user)
    assert (to_reject.status, to_reject.reviewed_by) == ("rejected", admin_user)
    assert to_approve.approved_at and to_reject.rejected_at


@pytest.mark.parametrize("status", ["pending", "approved", "rejected", "withdrawn"])
def test_approve_and_reject_refuse_what_is_not_awaiting_review(letter, status, admin_user):
    signature = in_state(letter, status)

    with pytest.raises(NotAwaitingReview):
        services.signature_approve(signature=signature, by=admin_user)
    with pytest.raises(NotAwaitingReview):
        services.signature_reject(signature=signature, by=admin_user)
    signature.refresh_from_db()
    assert signature.status == status


@pytest.mark.parametrize("status", ["verified", "approved"])
def test_withdraw_takes_back_a_confirmed_signature(letter, status):
    signature = in_state(letter, status)

    services.signature_withdraw(token=withdraw_token(signature.withdraw_key))

    signature.refresh_from_db()
    assert signature.status == "withdrawn"


@pytest.mark.parametrize(
    ("status", "error"),
    [("pending", NotWithdrawable), ("rejected", NotWithdrawable), ("withdrawn", AlreadyWithdrawn)],
)
def test_withdraw_refuses_what_cannot_be_withdrawn(letter, status, error):
    signature = in_state(letter, status)

    with pytest.raises(error):
        services.signature_withdraw(token=withdraw_token(signature.withdraw_key))


def test_staff_withdrawal_keeps_who_approved_and_trails_who_withdrew(letter, admin_user):
    signature = in_state(letter, "approved")  # approved by "organiser"

    services.signature_withdraw_by_staff(signature=signature, by=admin_user)

    signature.refresh_from_db()
    assert signature.status == "withdrawn" and signature.reviewed_by == organiser()
    assert trail(signature)[-1] == ("withdrawn", "admin", "approved", "withdrawn")


def test_resend_issues_a_new_link_only_while_pending(letter):
    signature, old_token = submit(letter)

    with committed():
        services.signature_resend_confirmation(signature=signature, by=organiser())
    new_token = mail.outbox[-1].body.split("/signatures/confirm/")[1].split("/")[0]

    assert new_token != old_token
    with pytest.raises(InvalidToken):
        services.signature_confirm(token=old_token)
    services.signature_confirm(token=new_token)
    with pytest.raises(NotPending):
        services.signature_resend_confirmation(signature=signature, by=organiser())
