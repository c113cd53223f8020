from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from signatories.errors import (
    AlreadyConfirmed,
    AlreadyWithdrawn,
    ExpiredToken,
    InvalidToken,
    NotWithdrawable,
)
from signatories.text import CleanTextField, WebsiteField
from signatories.tokens import looks_like_token, token_hash, withdraw_key_from_token

# What a signer gives us on the sign form, in the form's order: the form and the services read
# this one list.
SUBMITTED_FIELDS = [
    "organisation_name", "website", "country", "contact_name", "contact_role", "contact_email",
    "list_publicly", "hide_country", "authorised", "consent", "comment",
]  # fmt: skip
# What the public sees of an approved, named signature (pages, API, CSV); editing any of these
# changes a public page.
PUBLIC_FIELDS = ["organisation_name", "website", "country", "confirmed_at", "initiator"]
# The statuses of a signature whose address was confirmed: one such per letter and address.
CONFIRMED_STATUSES = ("verified", "approved", "rejected")


class SignatureQuerySet(models.QuerySet):
    def live(self):
        """Signatures not withdrawn: submissions waiting for their link, and confirmed ones."""
        return self.exclude(status=Signature.Status.WITHDRAWN)

    def confirmed(self):
        """Signatures whose address was confirmed and not withdrawn: at most one per letter and
        address (the database holds to it)."""
        return self.filter(status__in=CONFIRMED_STATUSES)

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


class AddressKind(models.TextChoices):
    """What the contact's address says about who is behind it."""

    OTHER = "other", _("own domain")
    FREE = "free", _("free-mail")
    DISPOSABLE = "disposable", _("disposable")


class Signature(models.Model):
    """One organisation's signature on one letter, from submission to publication."""

    class Source(models.TextChoices):
        FORM = "form", _("sign form")
        IMPORT = "import", _("imported by an organiser")

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
        CANCELLED = "cancelled", _("Not needed any more")

    letter = models.ForeignKey(
        "campaigns.Letter",
        verbose_name=_("letter"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )

    # What the organisation told us.
    organisation_name = CleanTextField(_("organisation"), max_length=200, visible=True)
    website = WebsiteField(_("website"), max_length=200, blank=True)
    country = CountryField(_("country"))
    contact_name = CleanTextField(_("contact name"), max_length=150, visible=True)
    contact_role = CleanTextField(_("contact role"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), max_length=254)
    list_publicly = models.BooleanField(_("named in public"), default=True)
    hide_country = models.BooleanField(
        _("country not disclosed"),
        default=False,
        help_text=_(
            "Unnamed, and its country kept out of every public count too (it counts only in "
            "the total, under “Country not disclosed”). A named signatory always shows its "
            "country."
        ),
    )
    authorised = models.BooleanField(_("signer declared authority"), default=False)
    consent = models.BooleanField(_("accepted the privacy notice"), default=False)
    comment = CleanTextField(_("comment"), max_length=1000, blank=True, multiline=True)
    language = models.CharField(
        _("language"), max_length=10, default="en", help_text=_("Emails are written in it.")
    )
    # The letter's text version (campaigns.LetterVersion.number) on the form the signer sent;
    # empty for imported signatures and those from before versions were recorded.
    text_version = models.PositiveIntegerField(
        _("text version signed"), null=True, blank=True, editable=False
    )

    # What we derive, for duplicates and vetting.
    email_canonical = models.CharField(_("inbox"), max_length=254, editable=False)
    name_normalised = models.CharField(
        _("name, normalised"),
        max_length=200,
        editable=False,
        help_text=_("Case, accents and invisible characters folded: for search and duplicates."),
    )
    website_domain = models.CharField(_("website domain"), max_length=253, blank=True)
    lookalike_domain = models.BooleanField(
        _("look-alike domain"),
        default=False,
        help_text=_(
            "The website's or the email's domain mixes scripts or imitates a Latin name "
            "(a Cyrillic “а” in “amnesty”): check it is the organisation's own."  # noqa: RUF001
        ),
    )
    email_domain = models.CharField(
        _("email domain"),
        max_length=253,
        blank=True,
        help_text=_(
            "The registrable domain of the contact's address (mail.example.org.uk: example.org.uk)."
        ),
    )
    address_kind = models.CharField(
        _("kind of address"),
        max_length=10,
        choices=AddressKind.choices,
        default=AddressKind.OTHER,
    )
    # The organisation's name with case, accents, punctuation and legal-form words ("e.V.",
    # "Ltd", "Foundation") folded away: two signatures with one key are likely one organisation.
    name_key = models.CharField(_("name, for duplicates"), max_length=200, blank=True)
    email_domain_matches = models.BooleanField(
        _("email matches website"),
        default=False,
        help_text=_("The contact's address is at the organisation's own website domain."),
    )
    # Keyed hashes of where it was signed from (the address; its network): floods show, the
    # address is not kept. Cleared after the abuse window (`manage.py purge`).
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    network_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Where it came from: the sign form, or an organisers' import (who, and when: created_at).
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.FORM
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
    # Told to the signer in the rejection email, when the organiser gave one.
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)
    # Set when the retention period erased the contact details (signatories.retention).
    contacts_erased_at = models.DateTimeField(_("contact details erased"), null=True, blank=True)
    # Who approved or rejected it: kept through a later withdrawal (the trail has the rest).
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
    confirmation_expires_at = models.DateTimeField(
        _("confirmation link expires"), null=True, blank=True
    )
    withdraw_key = models.CharField(max_length=64, unique=True, editable=False)

    # Bumped by every organiser's edit, so that a form opened before another organiser saved
    # is refused rather than undoing their change.
    revision = models.PositiveIntegerField(default=0, editable=False)

    # The row is its own outbox: the last email queued for it and what became of it
    # (signatories.outbox keeps these).
    email_state = models.CharField(
        _("email"), max_length=10, choices=EmailState.choices, default=EmailState.QUEUED
    )
    email_kind = models.CharField(_("last email"), max_length=30, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    email_error = models.CharField(_("last email error"), max_length=500, blank=True)
    email_updated_at = models.DateTimeField(_("email state changed"), default=timezone.now)
    # The job that may send it: a job carrying another id (replaced, or re-queued by the sweep)
    # sends nothing, so an email goes at most once per queueing.
    email_job = models.CharField(max_length=32, blank=True, editable=False)
    # When the next attempt is due (or, while a job is sending, when its lease runs out): a
    # queued email left well past it was lost with its job, and the sweep queues it again.
    email_due_at = models.DateTimeField(_("next attempt due"), null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at"]
        # Beyond view and change (which is vetting): the organisers' workbench. The Organisers
        # group (a migration makes it) holds all but export_contacts, given one by one.
        permissions = [
            ("import_signatures", _("Can import signatures gathered outside the form")),
            ("export_signatures", _("Can export the list of signatories")),
            ("export_contacts", _("Can export signatories' contact details")),
            ("send_update", _("Can send updates to a letter's signatories")),
        ]
        constraints = [
            # Submissions waiting for their link may be several (each confirms exactly its own
            # details); once one is confirmed it is the signature of that address.
            models.UniqueConstraint(
                fields=["letter", "email_canonical"],
                condition=models.Q(status__in=CONFIRMED_STATUSES),
                name="one_confirmed_signature_per_letter_and_email",
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
            models.Index(fields=["letter", "email_canonical"]),
            models.Index(fields=["letter", "name_normalised"]),
            models.Index(fields=["letter", "name_key"]),
            # Domain first: duplicates look within a letter, "known to this site" across them.
            models.Index(fields=["website_domain", "letter"]),
            models.Index(fields=["email_domain", "letter"]),
            models.Index(fields=["network_hash", "created_at"]),
            models.Index(fields=["email_state", "email_due_at"]),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.country.code})"

    @property
    def reading_language(self) -> str:
        """The site's language closest to the one recorded (a language since removed from
        LANGUAGES, or a regional variant, falls back): emails and pages speak it, and links
        carry its prefix."""
        try:
            return get_supported_language_variant(self.language or "")
        except LookupError:
            return settings.LANGUAGE_CODE

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


class SignatureEvent(models.Model):
    """One entry in a signature's trail: a transition or an edit, who made it, and when.

    Written by the services in the transaction that makes the change, so the trail is never
    missing a step that happened nor holds one that was rolled back.
    """

    class Actor(models.TextChoices):
        SIGNER = "signer", _("the signer")
        ORGANISER = "organiser", _("an organiser")
        SYSTEM = "system", _("the site")

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CONFIRMED = "confirmed", _("confirmed by email")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EDITED = "edited", _("edited")
        EMAIL_CORRECTED = "email_corrected", _("contact email corrected")
        LINK_RESENT = "link_resent", _("confirmation link sent again")
        IMPORTED = "imported", _("imported")

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(_("by"), max_length=10, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The organiser's username when it happened: the trail outlives a deleted account.
    actor_name = models.CharField(_("organiser's username"), max_length=150, blank=True)
    before = models.CharField(_("from"), max_length=10, choices=Signature.Status.choices)
    after = models.CharField(_("to"), max_length=10, choices=Signature.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("signature event")
        verbose_name_plural = _("signature trail")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.before} → {self.after})"

    @property
    def who(self) -> str:
        if self.actor_kind == self.Actor.ORGANISER:
            return self.actor_name or str(self.get_actor_kind_display())
        return str(self.get_actor_kind_display())


class Inbox(models.Model):
    """One row per mailbox that was given as a contact address, keyed by a keyed hash of its
    canonical form (so the table names nobody). Submissions for one mailbox lock its row and so
    take turns: two at the same moment cannot both pass the limits kept here."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Emails the sign form sent to this mailbox on `day` (UTC), across all letters.
    day = models.DateField(null=True)
    emails_on_day = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("inbox")

    def __str__(self):
        return self.key[:12]

    def take_email(self, *, limit: int) -> bool:
        """Count one more email sent today at the sign form's request, unless `limit` were
        passed; say whether it may go. The caller holds the row's lock and saves it."""
        today = timezone.now().date()
        if self.day != today:
            self.day, self.emails_on_day = today, 0
        if self.emails_on_day >= limit:
            return False
        self.emails_on_day += 1
        return True


class CountryCount(models.Model):
    """How many approved signatures a letter has from one country, of which how many unnamed.

    Maintained in the same transaction as every move into or out of "approved"
    (signatories.counts), so pages read a few hundred rows at most, never the signatures.
    """

    letter = models.ForeignKey(
        "campaigns.Letter", on_delete=models.CASCADE, related_name="country_counts"
    )
    # "" for the signatures counted under "Country not disclosed".
    country = CountryField(blank=True)
    signatories = models.IntegerField(default=0)
    unnamed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "country"], name="one_count_per_country"),
        ]

    def __str__(self):
        return f"{self.letter_id}/{self.country.code}: {self.signatories} ({self.unnamed} unnamed)"


class Update(models.Model):
    """A message from a letter's organisers to its signatories (the letter was delivered, a
    reply came): written once, sent to every approved signature, each in its own language."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    letter = models.ForeignKey("campaigns.Letter", on_delete=models.CASCADE, related_name="updates")
    subject = CleanTextField(_("subject"), max_length=200, visible=True)
    body = models.TextField(_("body"), help_text=_("Markdown."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("update to signatories")
        verbose_name_plural = _("updates to signatories")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class UpdateDelivery(models.Model):
    """One update to one signatory: made for every recipient when sending starts, so a job that
    is retried, redelivered or restarted sends to whoever is still owed the email, once."""

    class State(models.TextChoices):
        PENDING = "pending", _("To send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="deliveries")
    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="update_deliveries"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    # While a job holds it (state "sending"): when its lease runs out. While pending after a
    # failure: when the next attempt is due.
    due_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery of an update")
        verbose_name_plural = _("deliveries of updates")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "signature"], name="one_delivery_per_update_and_signature"
            ),
        ]
        indexes = [models.Index(fields=["update", "state"])]

    def __str__(self):
        return f"{self.update_id}/{self.signature_id}: {self.state}"
