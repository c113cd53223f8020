import factory
from factory.django import DjangoModelFactory

from campaigns.models import Letter
from signatories.models import Signature
from signatories.text import name_for_matching
from signatories.tokens import new_withdraw_key


class LetterFactory(DjangoModelFactory):
    class Meta:
        model = Letter

    title = factory.Sequence(lambda n: f"Letter number {n}")
    slug = factory.Sequence(lambda n: f"letter-{n}")
    addressee = "the UN Human Rights Council"
    summary = "A short summary of the letter."
    body = "We, the undersigned, **urge** you to act."
    status = Letter.Status.OPEN


class SignatureFactory(DjangoModelFactory):
    """A signature as signature_submit leaves it; use the services to move it on."""

    class Meta:
        model = Signature

    letter = factory.SubFactory(LetterFactory)
    organisation_name = factory.Sequence(lambda n: f"Rights Group {n}")
    website = factory.Sequence(lambda n: f"https://group{n}.example.org")
    country = "KE"
    contact_name = "Amina Otieno"
    contact_role = "Director"
    contact_email = factory.Sequence(lambda n: f"contact{n}@group{n}.example.org")
    email_canonical = factory.LazyAttribute(lambda s: s.contact_email.lower())
    name_normalised = factory.LazyAttribute(lambda s: name_for_matching(s.organisation_name))
    authorised = True
    consent = True
    withdraw_key = factory.LazyFunction(new_withdraw_key)


def organiser():
    """A staff account for the services that record who acted."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="organiser", defaults={"is_staff": True}
    )
    return user
