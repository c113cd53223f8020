import pytest
from django.db import OperationalError
from django.utils import timezone

from signatories import outbox
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(client, letter):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured",  # the embedded default (tests send emails in process)
        "oldest_unsent_email_seconds": 0,
        "last_sweep": None,
    }


def test_healthz_tells_how_long_the_oldest_email_has_waited_and_when_the_sweep_ran(client, letter):
    waiting = SignatureFactory(letter=letter, email_state="queued", email_job="a-job")
    waiting.__class__.objects.filter(pk=waiting.pk).update(
        email_updated_at=timezone.now() - timezone.timedelta(minutes=3)
    )
    outbox.sweep()

    data = client.get("/healthz").json()

    assert 180 <= data["oldest_unsent_email_seconds"] < 200
    assert data["last_sweep"] is not None


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    for path in ("/healthz", "/healthz?ready"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.json()["status"] == "error"
        assert response.json()["database"] == "error"


def test_healthz_says_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_JOBS = "celery"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert client.get("/healthz?ready").status_code == 200  # requests can still be served


def test_a_request_while_the_database_is_down_gets_a_503_page_not_a_500(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/letters/any-letter/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot reach its database for a moment" in response.text
