import factory
from factory.django import DjangoModelFactory

from campaigns.models import Letter


class LetterFactory(DjangoModelFactory):
    class Meta:
        model = Letter

    title = factory.Sequence(lambda n: f"Letter number {n}")
    slug = factory.Sequence(lambda n: f"letter-{n}")
    addressee = "The UN Human Rights Council"
    summary = "A short summary of the letter."
    body = "We, the undersigned, **urge** you to act."
    status = Letter.Status.OPEN
