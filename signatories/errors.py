"""What can go wrong when someone signs, confirms or withdraws; views turn each into a page."""


class SignatureError(Exception):
    def __init__(self, signature=None):
        super().__init__(signature)
        self.signature = signature


class LetterClosed(SignatureError):
    """The letter takes no signatures now (a draft, closed, or past its closing date)."""


class InvalidToken(SignatureError):
    """A link that is not ours: unknown, tampered with, or replaced by a newer one."""


class AlreadyConfirmed(SignatureError):
    """A confirmation link that has already done its work."""


class ExpiredToken(SignatureError):
    """A confirmation link past its lifetime: signing again sends a fresh one."""


class AlreadyWithdrawn(SignatureError):
    """A withdraw link that has already done its work."""


class NotWithdrawable(SignatureError):
    """Only confirmed signatures (awaiting review or approved) can be withdrawn."""


class NotAwaitingReview(SignatureError):
    """Approve and reject apply only to confirmed signatures awaiting review."""


class LetterDelivered(NotAwaitingReview):
    """The letter has been delivered: its list is frozen, nothing more is approved or
    imported onto it."""


class NotPending(SignatureError):
    """A confirmation email can be re-sent only while the signature awaits confirmation."""


class StaleEdit(SignatureError):
    """An organiser's form was opened before someone else changed the signature."""


class SigningPaused(SignatureError):
    """The site sent as many sign-form emails as it may this hour; try again later."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after
