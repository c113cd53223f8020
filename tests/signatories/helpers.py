"""What a signer does, in test form: fill the form, read the email, follow its links."""

import re

from django.core import mail

LINK = re.compile(r"https?://[^\s\"<>]+/signatures/(confirm|withdraw)/([^/\s\"<>]+)/")


def shown_a_minute_ago() -> str:
    import time

    from signatories.forms import started_token

    return started_token(at=time.time() - 60)


def form_data(**overrides) -> dict:
    data = {
        "organisation_name": "Kenya Human Rights Network",
        "website": "https://www.khrn.or.ke",
        "country": "KE",
        "contact_name": "Amina Otieno",
        "contact_role": "Director",
        "contact_email": "amina@khrn.or.ke",
        "list_publicly": "on",
        "authorised": "on",
        "consent": "on",
        "comment": "",
        "started": shown_a_minute_ago(),  # a person took a while to fill it
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign(client, letter, **overrides):
    return client.post(f"/letters/{letter.slug}/sign/", form_data(**overrides))


def links_in(message) -> dict[str, str]:
    """The confirm and withdraw paths in an email, by kind, from its plain-text body."""
    return {kind: f"/signatures/{kind}/{token}/" for kind, token in LINK.findall(message.body)}


def last_email_to(address: str):
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no email to {address}"
    return sent[-1]


def confirm_path(address: str) -> str:
    return links_in(last_email_to(address))["confirm"]


def minutes_pass(minutes: int = 3) -> None:
    """Age every signature's last email, as if the signer came back some minutes later."""
    from datetime import timedelta

    from django.db.models import F

    from signatories.models import Signature

    Signature.objects.update(email_updated_at=F("email_updated_at") - timedelta(minutes=minutes))
