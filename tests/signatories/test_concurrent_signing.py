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
    barrier = threading.Barrier(len(emails))
    failures = []

    def sign(email):
        form = SignatureForm(form_data(contact_email=email, organisation_name=email))
        assert form.is_valid(), form.errors
        try:
            barrier.wait()
            services.signature_submit(letter=letter, data=form.cleaned_data, ip="192.0.2.1")
        except Exception as error:  # every failure is reported below
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []  # on SQLite: no "database is locked"; on PostgreSQL: no duplicate key
    assert Signature.objects.filter(letter=letter).count() == 12
    assert Signature.objects.filter(letter=letter, status="pending").count() == 12
