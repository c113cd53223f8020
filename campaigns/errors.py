"""What can go wrong when an organiser changes a letter."""


class LetterError(Exception):
    pass


class StaleEdit(LetterError):
    """The organiser's form was opened before someone else saved the letter."""


class SlugLocked(LetterError):
    """The letter has opened: its address is in emails and links, and stays as it is."""


class LanguageLocked(LetterError):
    """The letter has taken signatures: its authoritative language, the one its signers signed
    and its text versions record, stays as it is."""


class DeliveredLetter(LetterError):
    """The letter has been delivered: its text and addressee stay as delivered, and it stays
    closed."""


class NotDeliverable(LetterError):
    """Only a public letter not yet delivered can be delivered."""
