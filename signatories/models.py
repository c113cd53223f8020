from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from signatories.errors import (
    AlreadyConfirmed,
    AlreadyWithdrawn,
    ExpiredToken,
    InvalidToken,
    NotWithdrawable,
)
from signatories.tokens import looks_like_token, token_hash, withdraw_key_from_token


class SignatureQuerySet(models.QuerySet):
    def live(self):
        """Signatures that block another one from the same address on the same letter."""
        return self.exclude(status=Signature.Status.WITHDRAWN)

    def counted(self):
        """Signatures in the letter's totals: approved ones, named or not."""
        return self.filter(status=Signature.Status.APPROVED)

    def named(self):
        """Signatures shown by name in public: approved, and the organisation agreed."""
        return self.counted().filter(list_publicly=True)

    def awaiting_review(self):
        return self.filter(status=Signature.Status.VERIFIED)

    # These two do not select_related the letter: with select_for_update, a join would lock the
    # letter's row too, out of the order the count updates take their locks in.

    def for_confirmation(self, token: str) -> "Signature":
        """The pending signature this confirmation token may confirm.

        Raises InvalidToken (unknown, tampered, or replaced by a newer link), AlreadyConfirmed
        (the link worked once already) or ExpiredToken.
        """
        if not looks_like_token(token):
            raise InvalidToken
        signature = self.filter(confirmation_token_hash=token_hash(token)).first()
        if signature is None:
            raise InvalidToken
        if signature.status != Signature.Status.PENDING:
            raise AlreadyConfirmed(signature)
        if signature.confirmation_expired:
            raise ExpiredToken(signature)
        return signature

    def for_withdrawal(self, token: str) -> "Signature":
        """The signature this withdraw token was issued for, whatever its status.

        Raises InvalidToken for a token that is not one of ours.
        """
        key = withdraw_key_from_token(token)
        signature = self.filter(withdraw_key=key).first() if key else None
        if signature is None:
            raise InvalidToken
        return signature


class Signature(models.Model):
    """One organisation's signature on one letter, from submission to publication."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending email confirmation")
        VERIFIED = "verified", _("Confirmed, awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class EmailState(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    letter = models.ForeignKey(
        "campaigns.Letter", on_delete=models.PROTECT, related_name="signatures"
    )

    # What the organisation told us.
    organisation_name = models.CharField(_("organisation"), max_length=200)
    website = models.URLField(_("website"), max_length=200, blank=True)
    country = CountryField(_("country"))
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_role = models.CharField(_("contact role"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), max_length=254)
    list_publicly = models.BooleanField(_("named in public"), default=True)
    authorised = models.BooleanField(_("signer declared authority"), default=False)
    consent = models.BooleanField(_("accepted the privacy notice"), default=False)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default="en", help_text=_("Emails are written in it.")
    )

    # What we derive, for duplicates and vetting.
    email_canonical = models.CharField(max_length=254, editable=False)
    website_domain = models.CharField(_("website domain"), max_length=253, blank=True)
    email_domain_matches = models.BooleanField(
        _("email matches website"),
        default=False,
        help_text=_("The contact's address is at the organisation's own website domain."),
    )
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    # The lifecycle.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    initiator = models.BooleanField(
        _("initiator"), default=False, help_text=_("One of the organisations behind the letter.")
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The links we email.
    confirmation_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    withdraw_key = models.CharField(max_length=64, unique=True, editable=False)

    # The row is its own outbox: what happened to the last email we tried to send.
    email_state = models.CharField(
        _("email"), max_length=10, choices=EmailState.choices, default=EmailState.QUEUED
    )
    email_kind = models.CharField(_("last email"), max_length=30, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    email_error = models.CharField(_("last email error"), max_length=500, blank=True)
    email_updated_at = models.DateTimeField(_("email state changed"), default=timezone.now)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "email_canonical"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_signature_per_letter_and_email",
                violation_error_message=_("This address has already signed this letter."),
            ),
        ]
        indexes = [
            models.Index(fields=["letter", "status", "country"]),
            # The public list, page by page: named approved signatures by country, then name.
            models.Index(
                fields=["letter", "country", "organisation_name"],
                condition=models.Q(status="approved", list_publicly=True),
                name="named_signatories",
            ),
            # The few initiators, shown first on a letter's page, found without a scan.
            models.Index(
                fields=["letter", "organisation_name"],
                condition=models.Q(status="approved", list_publicly=True, initiator=True),
                name="named_initiators",
            ),
            models.Index(fields=["email_state", "email_updated_at"]),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.country.code})"

    # What a withdraw link (or an organiser) can take back: a confirmed signature.
    WITHDRAWABLE = frozenset({Status.VERIFIED, Status.APPROVED})

    def check_withdrawable(self) -> None:
        """Raise AlreadyWithdrawn or NotWithdrawable unless this signature can be withdrawn."""
        if self.status == self.Status.WITHDRAWN:
            raise AlreadyWithdrawn(self)
        if self.status not in self.WITHDRAWABLE:
            raise NotWithdrawable(self)

    @property
    def confirmation_expired(self) -> bool:
        return self.confirmation_expires_at is not None and (
            self.confirmation_expires_at <= timezone.now()
        )
