from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from campaigns.markdown import render_markdown


class LetterQuerySet(models.QuerySet):
    def public(self):
        """Letters anyone may see: everything but drafts."""
        return self.exclude(status=Letter.Status.DRAFT)

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


class Letter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("The letter's address: /letters/<slug>/")
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
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    requires_approval = models.BooleanField(
        _("signatures require approval"),
        default=True,
        help_text=_("Confirmed signatures wait for an organiser's approval before they count."),
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-opened_at", "-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.OPEN and self.opened_at is None:
            self.opened_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "opened_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("campaigns:letter_detail", kwargs={"slug": self.slug})

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
        return self.effective_status == self.Status.OPEN

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label

    @cached_property
    def body_html(self):
        return render_markdown(self.body)
