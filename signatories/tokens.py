"""The secrets in emailed links.

A confirmation link carries a random token of which only the SHA-256 is stored: it works once,
expires, and a copy of the database is no use to anyone. A withdraw link must keep working
until it is used and appear in every later email, so it is a signature (HMAC with SECRET_KEY)
over a random key stored on the signature: any email can carry it, and it can be revoked by
changing the key.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")
WITHDRAW_SALT = "signatories.withdraw"


def new_token() -> tuple[str, str]:
    """A fresh random token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def confirmation_expiry() -> datetime:
    """When a confirmation link issued now stops working."""
    return timezone.now() + timedelta(days=settings.SIGNATURE_CONFIRMATION_DAYS)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    """Cheap shape check, so that junk in a URL never reaches the database."""
    return bool(_TOKEN_SHAPE.fullmatch(token))


def new_withdraw_key() -> str:
    return secrets.token_urlsafe(24)


def withdraw_token(withdraw_key: str) -> str:
    return signing.Signer(salt=WITHDRAW_SALT).sign(withdraw_key)


def withdraw_key_from_token(token: str) -> str | None:
    """The key a withdraw token was made for, or None if it is not one of ours."""
    try:
        # Made per call, so that it reads SECRET_KEY and SECRET_KEY_FALLBACKS as they are now.
        return signing.Signer(salt=WITHDRAW_SALT).unsign(token)
    except signing.BadSignature:
        return None
