"""What campaigns tells the apps built on it, without knowing them (imports run one way)."""

from django.dispatch import Signal

# Sent by campaigns.services.letter_update inside its transaction, after the letter is saved,
# with `letter` and `changed` (the names of the fields changed): a receiver's writes commit
# or roll back with the letter's.
letter_updated = Signal()
