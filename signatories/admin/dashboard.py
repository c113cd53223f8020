"""The letter's dashboard on its admin page (mixed into LetterAdmin): signatures by status,
signatures per day as a chart drawn on the server, the top countries as the public sees them,
progress to the goal, and the emails that failed.

Each figure is read on first use, by the template, in a fixed number of queries however many
signatures the letter has: one for the statuses, one for the days, at most one for the counts
(cached), one for the failed emails.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from campaigns.models import Letter
from signatories.counts import letter_counts
from signatories.models import Signature

TOP_COUNTRIES = 10
FAILURES_SHOWN = 10
# The chart shows at most this many days, the most recent.
CHART_DAYS = 90
# The chart's drawing area, in SVG user units (it scales to the page's width).
CHART_WIDTH, CHART_HEIGHT = 720, 160
CHART_LEFT, CHART_BOTTOM = 40, 24
CHART_BAR_WIDEST = 24

Status = Signature.Status

# Each line of the status table: its name, what counts it, and the changelist's filter for it.
STATUS_LINES = [
    (
        "pending",
        _("Pending email confirmation"),
        Q(status=Status.PENDING),
        {"status__exact": Status.PENDING},
    ),
    (
        "verified",
        _("Confirmed, awaiting review"),
        Q(status=Status.VERIFIED),
        {"status__exact": Status.VERIFIED},
    ),
    (
        "approved_named",
        _("Approved, named"),
        Q(status=Status.APPROVED, list_publicly=True),
        {"status__exact": Status.APPROVED, "list_publicly__exact": "1"},
    ),
    (
        "approved_unnamed",
        _("Approved, not named"),
        Q(status=Status.APPROVED, list_publicly=False),
        {"status__exact": Status.APPROVED, "list_publicly__exact": "0"},
    ),
    (
        "rejected",
        _("Rejected"),
        Q(status=Status.REJECTED),
        {"status__exact": Status.REJECTED},
    ),
    (
        "withdrawn",
        _("Withdrawn"),
        Q(status=Status.WITHDRAWN),
        {"status__exact": Status.WITHDRAWN},
    ),
]
FAILED = Q(email_state=Signature.EmailState.FAILED)


def signatures_url(letter: Letter, **filters) -> str:
    """The signature changelist, filtered to `letter` and `filters`."""
    query = urlencode({"letter__id__exact": letter.pk, **filters})
    return f"{reverse('admin:signatories_signature_changelist')}?{query}"


@dataclass(frozen=True)
class StatusLine:
    key: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Signatures received per day, as bars in an SVG of CHART_WIDTH by CHART_HEIGHT."""

    days: list[tuple[date, int]]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    bottom: int = CHART_BOTTOM

    @property
    def highest(self) -> int:
        return max((count for _day, count in self.days), default=0)

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)

    @property
    def first_day(self) -> date | None:
        return self.days[0][0] if self.days else None

    @property
    def last_day(self) -> date | None:
        return self.days[-1][0] if self.days else None

    @property
    def baseline(self) -> int:
        return self.height - self.bottom

    @property
    def bars(self) -> list[Bar]:
        if not self.days:
            return []
        plot_width = self.width - self.left
        plot_height = self.baseline - 8  # room above the highest bar for its label
        step = plot_width / len(self.days)
        highest = max(self.highest, 1)
        bars = []
        # A bar fills most of its day's slot, but a few days do not make a few slabs.
        width = min(max(step * 0.8, 0.5), CHART_BAR_WIDEST)
        for index, (day, count) in enumerate(self.days):
            height = plot_height * count / highest
            bars.append(
                Bar(
                    day=day,
                    count=count,
                    x=round(self.left + index * step + (step - width) / 2, 2),
                    y=round(self.baseline - height, 2),
                    width=round(width, 2),
                    height=round(height, 2),
                )
            )
        return bars


def daily_chart(counts_by_day: dict[date, int], *, last_day: date) -> Chart:
    """The chart of `counts_by_day` from the first day with a signature to `last_day`, every
    day in between (a day without signatures is a day at 0), the last CHART_DAYS at most."""
    if not counts_by_day:
        return Chart(days=[])
    first_day = max(min(counts_by_day), last_day - timedelta(days=CHART_DAYS - 1))
    span = (last_day - first_day).days + 1
    days = [first_day + timedelta(days=offset) for offset in range(max(span, 0))]
    return Chart(days=[(day, counts_by_day.get(day, 0)) for day in days])


class Dashboard:
    """The figures of one letter's dashboard, each read when the page first shows it."""

    def __init__(self, letter: Letter):
        self.letter = letter

    @cached_property
    def _tallies(self) -> dict[str, int]:
        signatures = Signature.objects.filter(letter=self.letter).order_by()
        tallies = {key: Count("pk", filter=counted) for key, _label, counted, _f in STATUS_LINES}
        return signatures.aggregate(**tallies, total=Count("pk"), failed=Count("pk", filter=FAILED))

    @cached_property
    def statuses(self) -> list[StatusLine]:
        return [
            StatusLine(
                key=key,
                label=str(label),
                count=self._tallies[key],
                url=signatures_url(self.letter, **filters),
            )
            for key, label, _counted, filters in STATUS_LINES
        ]

    @property
    def total(self) -> int:
        return self._tallies["total"]

    @property
    def all_url(self) -> str:
        return signatures_url(self.letter)

    @cached_property
    def chart(self) -> Chart:
        per_day = (
            Signature.objects.filter(letter=self.letter)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(count=Count("pk"))
            .order_by("day")
        )
        counts_by_day = {row["day"]: row["count"] for row in per_day}
        if not counts_by_day:
            return Chart(days=[])
        # An open letter's chart runs to today (quiet days show as quiet); a closed one's to its
        # last signature.
        today = timezone.localdate()
        last_day = today if self.letter.is_open else max(counts_by_day)
        return daily_chart(counts_by_day, last_day=max(last_day, max(counts_by_day)))

    @cached_property
    def counts(self):
        return letter_counts(self.letter)

    @property
    def top_countries(self):
        return self.counts.by_country[:TOP_COUNTRIES]

    @property
    def goal_percent(self) -> int | None:
        if not self.letter.goal:
            return None
        return min(100, round(100 * self.counts.signatories / self.letter.goal))

    @property
    def failed(self) -> int:
        return self._tallies["failed"]

    @property
    def failed_url(self) -> str:
        return signatures_url(self.letter, email_state__exact=Signature.EmailState.FAILED)

    @cached_property
    def failures(self) -> list[Signature]:
        """The most recent failed emails, for links to their signatures."""
        failed = Signature.objects.filter(FAILED, letter=self.letter).order_by("-email_updated_at")
        return list(
            failed.only(
                "organisation_name", "status", "email_kind", "email_error", "email_updated_at"
            )[:FAILURES_SHOWN]
        )


class DashboardViews:
    """Mixed into LetterAdmin: the dashboard in the context of the letter's change page (also
    shown to organisers who may only view the letter)."""

    def get_urls(self):
        return super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["dashboard"] = Dashboard(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
