"""A delivery at the very moment an approval or an import counts: the delivered list takes
nothing that was not counted before the delivery committed (PostgreSQL, where the two really
run side by side)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from campaigns import services as letter_services
from signatories import services
from signatories.counts import letter_counts
from signatories.errors import LetterDelivered
from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory, organiser

pytestmark = pytest.mark.django_db(transaction=True)


def delivered_while(monkeypatch, counting: str, work) -> list[Exception]:
    """Run `work` in one thread; just before it counts (services.<counting>), deliver the
    letter from another thread and let it commit; return what `work` raised."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks wait for each other on PostgreSQL; SQLite runs one writer")
    about_to_count, delivered = threading.Event(), threading.Event()
    count = getattr(services, counting)

    def count_after_the_delivery(*args, **kwargs):
        about_to_count.set()
        assert delivered.wait(10)
        return count(*args, **kwargs)

    monkeypatch.setattr(services, counting, count_after_the_delivery)
    raised = []

    def worker():
        try:
            work()
        except Exception as error:  # what it raised is the test's result
            raised.append(error)
        finally:
            connection.close()

    def deliverer():
        try:
            assert about_to_count.wait(10)
            letter_services.letter_deliver(letter=Signature.objects.first().letter, to="the UN")
        finally:
            delivered.set()
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=deliverer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return raised


def test_an_approval_overtaken_by_the_delivery_is_refused_and_not_counted(monkeypatch):
    letter = LetterFactory(opened_at=timezone.now())
    waiting = SignatureFactory(letter=letter, status="verified", confirmed_at=timezone.now())
    raised = delivered_while(
        monkeypatch, "_count", lambda: services.signature_approve(signature=waiting, by=organiser())
    )
    assert [type(error) for error in raised] == [LetterDelivered]
    waiting.refresh_from_db()
    assert waiting.status == Signature.Status.VERIFIED
    assert letter_counts(letter).signatories == 0


def test_an_import_overtaken_by_the_delivery_writes_nothing(monkeypatch):
    letter = LetterFactory(opened_at=timezone.now())
    SignatureFactory(letter=letter, status="verified")  # so the deliverer finds the letter
    row = {"organisation_name": "Late Import", "country": "KE", "contact_name": "A",
           "contact_email": "late@late.example", "website": ""}  # fmt: skip
    raised = delivered_while(
        monkeypatch,
        "counts_apply",
        lambda: services.signatures_import(letter=letter, rows=[row], by=None, approve=True),
    )
    assert [type(error) for error in raised] == [LetterDelivered]
    assert not Signature.objects.filter(organisation_name="Late Import").exists()
    assert letter_counts(letter).signatories == 0
