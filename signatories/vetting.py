"""What organisers vet a signature by, beyond what the signer typed (first version)."""

from signatories.text import name_for_matching


def name_key(name: str) -> str:
    """The organisation's name reduced to what tells organisations apart (for duplicates)."""
    return name_for_matching(name)[:200]
