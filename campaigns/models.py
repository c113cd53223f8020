import hashlib
import secrets
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaigns import languages
from campaigns.markdown import render_markdown
from config.kept_responses import public_pages_changed
from config.release import release_id


class LetterQuerySet(models.QuerySet):
    def publication_changed(self, pk: int) -> None:
        """Note that something public about the letter changed: every cache keyed on its old
        version is bypassed from the commit on, and the kept public pages with it."""
        self.filter(pk=pk).every_publication_changed()

    def every_publication_changed(self) -> None:
        """publication_changed for every letter of the queryset; on all of them, after a
        change the site's own code did not make and so did not announce (a bulk update in a
        shell, raw SQL)."""
        self.update(published_version=F("published_version") + 1)
        public_pages_changed()

    def public(self):
        """Letters anyone may see: open and closed ones, not drafts nor embargoed ones."""
        return self.filter(status__in=Letter.PUBLIC_STATUSES)

    def open(self):
        """Letters taking signatures now: open, and not past their closing date."""
        now = timezone.now()
        return self.filter(status=Letter.Status.OPEN).filter(
            models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=now)
        )

    def closed(self):
        """Letters no longer taking signatures, including open ones past their closing date."""
        now = timezone.now()
        return self.filter(
            models.Q(status=Letter.Status.CLOSED)
            | models.Q(status=Letter.Status.OPEN, closes_at__lte=now)
        )

    def recently_closed(self):
        """Closed letters, the most recently closed first. An open letter past its date closed
        at its date, before the periodic job stamped it; NULLs go last on every database."""
        closed = Coalesce("closed_at", "closes_at")
        return self.closed().order_by(closed.desc(nulls_last=True), "-pk")


def new_invite_key() -> str:
    return secrets.token_urlsafe(24)


def text_hash(title: str, body: str) -> str:
    """What identifies a text of a letter: anyone holding the title and body can check it."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class Letter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Collecting signatures before the launch: nothing public, signing only by the invite
        # link. Opening it reveals the counts and the list at once.
        EMBARGOED = "embargoed", _("Embargoed: signing by invitation only")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")

    PUBLIC_STATUSES = (Status.OPEN, Status.CLOSED)
    # Statuses in which the text people sign is fixed: each change of it is a new version.
    SIGNING_STATUSES = (Status.EMBARGOED, Status.OPEN)

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("The letter's address: /letters/<slug>/")
    )
    language = models.CharField(
        _("authoritative language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of the text that binds the signatories. A reader whose language has "
            "no text of its own reads this one, with a note saying so."
        ),
    )
    addressee = models.CharField(
        _("addressee"), max_length=255, blank=True, help_text=_("Whom the letter is addressed to.")
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=1000,
        help_text=_("One or two plain sentences, shown in listings and beside the sign form."),
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Scripts, styles and unsafe links are removed.")
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_(
            "Where signatories can reach the organisers: shown on the letter's page and used as "
            "Reply-To on every email about the letter. Empty: the site's CONTACT_EMAIL."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    requires_approval = models.BooleanField(
        _("signatures require approval"),
        default=True,
        help_text=_("Confirmed signatures wait for an organiser's approval before they count."),
    )
    hide_unnamed_countries = models.BooleanField(
        _("keep unnamed signatories' countries private"),
        default=False,
        help_text=_(
            "For letters about places where any hint is dangerous: every signatory that asked "
            "not to be named counts under “Country not disclosed”, so no country's count shows "
            "that an unnamed organisation from there signed. Totals stay exact."
        ),
    )
    always_challenge = models.BooleanField(
        _("ask every signer for a proof-of-work check"),
        default=False,
        help_text=_(
            "Normally only a source signing often is asked to let the browser solve a small "
            "puzzle before the form is accepted; tick to ask everyone (a letter under attack)."
        ),
    )
    goal = models.PositiveIntegerField(
        _("goal"), null=True, blank=True, help_text=_("Number of organisations you hope to gather.")
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("After this moment the letter takes no more signatures."),
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_letters",
        help_text=_(
            "Who may vet, import, export and message this letter's signatures in the admin "
            "(with the Organisers group's permissions). Nobody else sees them, except superusers."
        ),
    )
    invite_key = models.CharField(
        _("invite key"), max_length=64, default=new_invite_key, editable=False
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, editable=False)
    delivered_to = models.CharField(_("delivered to"), max_length=255, blank=True, editable=False)
    # The number of the letter's current text (LetterVersion); 0 until it first takes signatures.
    text_version = models.PositiveIntegerField(_("text version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    # Bumped by every edit of the letter's own fields: a form opened before another organiser
    # saved is refused instead of silently undoing their change (campaigns.services).
    revision = models.PositiveIntegerField(default=0, editable=False)
    # Changes whenever anything the public sees of the letter changes (its text, a signature
    # published or withdrawn): cached counts, lists and ETags are keyed on it, so a change is
    # visible on the very next request, with any cache backend and any number of processes.
    published_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        # Explicit about drafts, never opened: PostgreSQL sorts NULL first when descending,
        # SQLite last.
        ordering = [F("opened_at").desc(nulls_last=True), "-created_at"]
        permissions = [("deliver_letter", _("Can record the delivery of a letter"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publication:letter_detail", kwargs={"slug": self.slug})

    def fresh_url(self) -> str:
        """The letter's address, stamped with its current version: a browser holding the page
        in its cache (for up to max-age) fetches it anew, for someone who just signed or left."""
        version = Letter.objects.filter(pk=self.pk).values_list("published_version", flat=True)
        return f"{self.get_absolute_url()}?v={version.first()}"

    def get_invite_url(self) -> str:
        """The sign form's address that works while the letter is embargoed (and after)."""
        sign = reverse("signatories:sign", kwargs={"slug": self.slug})
        return f"{sign}?invite={self.invite_key}"

    def get_sign_url(self) -> str:
        """The sign form's address for someone who can see the letter (staff, during the
        embargo): the invite link while it is embargoed."""
        if self.is_embargoed:
            return self.get_invite_url()
        return reverse("signatories:sign", kwargs={"slug": self.slug})

    def invite_matches(self, key: str | None) -> bool:
        # Bytes: compare_digest refuses non-ASCII strings, and a 500 would tell a guessed
        # slug is an embargoed letter.
        return bool(key) and secrets.compare_digest(str(key).encode(), self.invite_key.encode())

    @property
    def is_past_closing(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()

    @property
    def effective_status(self) -> str:
        """The status a reader sees: an open letter past its closing date is closed."""
        if self.status == self.Status.OPEN and self.is_past_closing:
            return self.Status.CLOSED
        return self.status

    @property
    def is_open(self) -> bool:
        """Taking signatures: open, or embargoed (through the invite link), until it closes."""
        return self.status in self.SIGNING_STATUSES and not self.is_past_closing

    @property
    def is_embargoed(self) -> bool:
        return self.status == self.Status.EMBARGOED

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def slug_locked(self) -> bool:
        """Once a letter takes signatures, its address is in emails, links and the press:
        fixed."""
        return self.opened_at is not None or self.is_embargoed

    @property
    def reply_to(self) -> str:
        """The address signatories can write to about this letter ("" when none is set)."""
        return self.contact_email or settings.CONTACT_EMAIL

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def days_left(self) -> int | None:
        """Whole days (rounded up) until signatures close, while the letter is open."""
        if self.closes_at is None or not self.is_open:
            return None
        return ceil((self.closes_at - timezone.now()).total_seconds() / 86400)

    def clock_changes_at(self) -> float | None:
        """When the clock next changes what readers see of the letter (a Unix time), or None:
        the days left tick down at each whole day before the closing date, and the letter
        closes at it."""
        days = self.days_left
        if days is None:
            return None
        return (self.closes_at - timedelta(days=days - 1)).timestamp()

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label

    def has_text_in(self, language: str | None) -> bool:
        """Whether the letter has its own text in `language` (a body is what makes one)."""
        return bool(language) and bool(getattr(self, languages.localized("body", language), ""))

    def text_language(self, language: str | None = None) -> str:
        """The language of the text shown to a reader in `language` (the active one): theirs
        if the letter has it, else the authoritative one. `title`, `summary` and `body` read
        in it (campaigns.translation)."""
        language = language or get_language()
        return language if self.has_text_in(language) else self.language

    @property
    def shows_authoritative_instead(self) -> bool:
        """The reader's language has no text of its own: the page says so."""
        return self.text_language() != get_language()

    def text_in(self, language: str) -> tuple[str, str, str]:
        """The title, summary and body as written in `language` ("" where there is none)."""
        return tuple(getattr(self, name) or "" for name in languages.text_field_names(language))

    @property
    def authoritative_name(self) -> str:
        return languages.name_of(self.language)

    @cached_property
    def body_html(self):
        # Rendering Markdown costs more than the rest of the page; the version in the key
        # changes whenever the letter is saved, the language with the reader's.
        language = self.text_language()
        key = f"letter-body:{release_id()}:{self.pk}:{self.published_version}:{language}"
        return cache.get_or_set(key, lambda: render_markdown(self.body), 60 * 60 * 24)


class LetterVersion(models.Model):
    """One text of a letter (title and body) as it stood while taking signatures: the first
    when it opened (or went under embargo), then one for each change. Signatures record the
    number of the text their signer signed."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"))
    text_hash = models.CharField(_("SHA-256 of the text"), max_length=64)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        ordering = ["letter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="one_text_per_number")
        ]

    def __str__(self):
        return f"{self.letter} v{self.number}"
