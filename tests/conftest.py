import pytest
from django.test import Client, TestCase

from tests.factories import LetterFactory


def committed():
    """Run the on-commit callbacks (our email jobs) registered inside this block when it ends.

    Most tests run inside a transaction that is rolled back, never committed; this makes
    each block behave as if it had committed, as every request does in production.
    """
    return TestCase.captureOnCommitCallbacks(execute=True)


class CommittingClient(Client):
    def request(self, **request):
        with committed():
            return super().request(**request)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rolled-back tests reuse primary keys, so cached counts must not outlive a test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language, as each request does: the test client's
    LocaleMiddleware leaves the last request's language active in the thread, and a letter
    created then would get its text in that language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = CommittingClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def letter(db):
    return LetterFactory()
