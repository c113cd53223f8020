"""State changes to letters. Organisers edit letters in the admin; what happens on its own
lives here."""

from django.db import transaction
from django.utils import timezone

from campaigns.models import Letter


@transaction.atomic
def letters_close_due() -> int:
    """Mark open letters whose closing date has passed as closed; return how many.

    Readers already see such a letter as closed (Letter.effective_status); this makes the
    stored status agree, so admin lists and filters tell organisers the truth.
    """
    return Letter.objects.filter(status=Letter.Status.OPEN, closes_at__lte=timezone.now()).update(
        status=Letter.Status.CLOSED, updated_at=timezone.now()
    )
