"""A launch-day moment: many people signing at once, some of them twice."""

import threading

import pytest
from django.db import connection

from signatories import services
from signatories.forms import SignatureForm
from signatories.models import Signature
from tests.factories import LetterFactory
from tests.signatories.helpers import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_signers_all_get_through_and_twins_make_one_signature():
    letter = LetterFactory()
    # 12 organisations; the first four submit twice at the same moment (a double click).
    emails = [f"org{n}@org{n}.or.ke" for n in range(12)] + [
        f"org{n}@org{n}.or.ke" for n in range(4)
    ]
    forms = [SignatureForm(form_data(contact_email=e, organisation_name=e)) for e in emails]
    assert all(form.is_valid() for form in forms)

    failures = at_once(
        lambda form: services.signature_submit(
            letter=letter, data=form.cleaned_data, ip="192.0.2.1"
        ),
        forms,
    )

    assert failures == []  # on SQLite: no "database is locked"; on PostgreSQL: no duplicate key
    assert Signature.objects.filter(letter=letter).count() == 12
    assert Signature.objects.filter(letter=letter, status="pending").count() == 12


def at_once(work, arguments) -> list[str]:
    """Run work(argument) in one thread per argument, released together; return the failures."""
    barrier = threading.Barrier(len(arguments))
    failures = []

    def run(argument):
        try:
            barrier.wait()
            work(argument)
        except Exception as error:  # every failure is returned
            failures.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_fifty_submissions_with_one_address_at_once_make_one_submission_and_one_email():
    from django.core import mail

    from tests.conftest import committed

    letter = LetterFactory()
    forms = [
        SignatureForm(form_data(organisation_name=f"Variant {n}", contact_email="x@org.or.ke"))
        for n in range(50)
    ]
    assert all(form.is_valid() for form in forms)

    def submit(form):
        with committed():
            services.signature_submit(letter=letter, data=form.cleaned_data, ip="192.0.2.1")

    assert at_once(submit, forms) == []
    assert Signature.objects.filter(letter=letter).count() == 1
    assert len(mail.outbox) == 1


def test_two_links_of_one_address_confirmed_at_once_make_one_signature():
    from signatories.tokens import confirmation_expiry, new_token
    from tests.factories import SignatureFactory

    letter = LetterFactory()
    tokens = []
    for name in ("Owner's details", "Someone else's details"):
        token, digest = new_token()
        SignatureFactory(
            letter=letter,
            organisation_name=name,
            contact_email="x@org.or.ke",
            confirmation_token_hash=digest,
            confirmation_expires_at=confirmation_expiry(),
        )
        tokens.append(token)

    failures = at_once(lambda token: services.signature_confirm(token=token), tokens)

    # The loser finds its submission discarded, or the address confirmed: a link that no
    # longer works, never a database error.
    assert len(failures) == 1 and failures[0] in {"InvalidToken", "AlreadyConfirmed"}
    assert Signature.objects.filter(letter=letter).count() == 1
    assert Signature.objects.get(letter=letter).status == "verified"


def test_two_sweeps_at_once_queue_each_lost_email_once():
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from signatories import outbox
    from tests.factories import SignatureFactory

    letter = LetterFactory()
    SignatureFactory.create_batch(10, letter=letter, status="approved", email_kind="approved")
    Signature.objects.update(
        email_state="queued", email_due_at=timezone.now() - timedelta(hours=1), email_job="lost"
    )

    failures = at_once(lambda _: outbox.sweep(), [1, 2])

    assert failures == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Signature.objects.values_list("contact_email", flat=True)
    )
    assert set(Signature.objects.values_list("email_state", flat=True)) == {"sent"}
