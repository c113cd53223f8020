import pytest

from tests.factories import LetterFactory


@pytest.fixture
def letter(db):
    return LetterFactory()
