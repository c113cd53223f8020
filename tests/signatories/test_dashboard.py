"""The letter's dashboard on its admin page: what an organiser reads there, and where its links
lead."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signatories import services
from signatories.admin.dashboard import CHART_DAYS, Dashboard, daily_chart
from signatories.models import Signature
from tests.conftest import CommittingClient
from tests.factories import LetterFactory, SignatureFactory, organiser

pytestmark = pytest.mark.django_db


def approved(letter, **fields):
    fields.setdefault("confirmed_at", timezone.now())
    signature = SignatureFactory(letter=letter, status="verified", **fields)
    return services.signature_approve(signature=signature, by=organiser())


def signatures(letter, count, **fields):
    return [SignatureFactory(letter=letter, **fields) for _ in range(count)]


@pytest.fixture
def letter(db):
    """A letter with signatures in every status, over three days, two of them with failed
    emails."""
    letter = LetterFactory(goal=20)
    signatures(letter, 1, status="pending")
    signatures(letter, 2, status="verified")
    for country in ("KE", "KE", "NG"):
        approved(letter, country=country)
    approved(letter, country="KE", list_publicly=False)
    approved(letter, country="UG", list_publicly=False, hide_country=True)
    signatures(letter, 3, status="rejected")
    signatures(letter, 1, status="withdrawn")
    Signature.objects.filter(letter=letter, status="rejected").update(
        email_state="failed", email_error="550 mailbox unavailable", email_kind="rejected"
    )
    Signature.objects.filter(letter=letter, status="pending").update(
        created_at=timezone.now() - timedelta(days=2)
    )
    Signature.objects.filter(letter=letter, status="withdrawn").update(email_state="failed")
    signatures(LetterFactory(), 4, status="verified", email_state="failed")  # another letter's
    return letter


def organiser_of(letter, username="organiser-a"):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    letter.organisers.add(user)
    client = CommittingClient()
    client.force_login(user)
    return client


def change_page(client, letter):
    response = client.get(f"/admin/campaigns/letter/{letter.pk}/change/")
    assert response.status_code == 200
    return response.text


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</table>" if "statuses" in element_id else "</div>", start)]


def status_table(html) -> dict[str, tuple[int, str]]:
    """{status label: (count, link)} as the dashboard shows them."""
    rows = re.findall(
        r'<tr class="status-[\w]+"><th scope="row"><a href="([^"]+)">([^<]+)</a></th>'
        r'<td><a href="[^"]+">(\d+)</a></td>',
        html,
    )
    return {label: (int(count), unescape(url)) for url, label, count in rows}


def test_the_dashboard_counts_each_status_and_links_to_those_signatures(letter, admin_client):
    html = change_page(admin_client, letter)

    table = status_table(html)
    base = f"/admin/signatories/signature/?letter__id__exact={letter.pk}"
    assert table == {
        "Pending email confirmation": (1, f"{base}&status__exact=pending"),
        "Confirmed, awaiting review": (2, f"{base}&status__exact=verified"),
        "Approved, named": (3, f"{base}&status__exact=approved&list_publicly__exact=1"),
        "Approved, not named": (2, f"{base}&status__exact=approved&list_publicly__exact=0"),
        "Rejected": (3, f"{base}&status__exact=rejected"),
        "Withdrawn": (1, f"{base}&status__exact=withdrawn"),
    }
    # Each link lists exactly the signatures counted.
    for count, url in table.values():
        listed = admin_client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["cl"].result_count == count, url


def test_the_dashboard_shows_progress_to_the_goal(letter, admin_client):
    html = change_page(admin_client, letter)

    assert "5 signatories of a goal of 20 (25%)" in html
    assert '<progress id="goal-progress" value="5" max="20">' in html


def test_without_a_goal_the_dashboard_says_so():
    letter = LetterFactory(goal=None)
    approved(letter)
    client = organiser_of(letter)

    html = change_page(client, letter)

    assert "1 signatory counted; no goal set." in html
    assert "goal-progress" not in html


def test_the_top_countries_are_those_the_public_sees(letter, admin_client):
    html = change_page(admin_client, letter)

    countries = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td></tr>',
        section(html, "dashboard-countries"),
    )
    # Uganda's only signatory keeps its country private: the public sees no Uganda.
    assert countries == [
        ("Kenya", "3", "1"),
        ("Nigeria", "1", "0"),
        ("Country not disclosed", "1", "1"),
        ("Total, from 2 countries", "5", "2"),
    ]
    assert "Uganda" not in html


def test_the_chart_draws_each_day_with_a_text_alternative(letter, admin_client):
    html = change_page(admin_client, letter)

    chart = html[html.index('id="dashboard-chart"') : html.index("</details>")]
    assert '<svg role="img" aria-labelledby="dashboard-chart-title dashboard-chart-desc"' in chart
    assert '<title id="dashboard-chart-title">Signatures received per day</title>' in chart
    assert "<script" not in html.split('id="letter-dashboard"')[1].split("</svg>")[0]
    # Three days, the one between without signatures included, each a bar and a table row.
    assert chart.count("<rect ") == 3
    days = re.findall(r'<time datetime="([\d-]+)">[^<]+</time></th><td>(\d+)</td>', chart)
    today = timezone.localdate()
    assert days == [
        ((today - timedelta(days=2)).isoformat(), "1"),
        ((today - timedelta(days=1)).isoformat(), "0"),
        (today.isoformat(), "11"),
    ]
    assert "12 signatures from" in chart


def test_the_chart_fills_quiet_days_and_keeps_to_the_last_days():
    first = date(2025, 1, 1)

    chart = daily_chart({first: 2, first + timedelta(days=3): 4}, last_day=first + timedelta(3))
    assert [count for _day, count in chart.days] == [2, 0, 0, 4]
    bars = chart.bars
    assert bars[3].height > bars[0].height > bars[1].height == 0
    assert bars[3].y + bars[3].height == chart.baseline

    long = daily_chart({first: 1}, last_day=first + timedelta(days=400))
    assert len(long.days) == CHART_DAYS and long.days[-1][0] == first + timedelta(days=400)


def test_failed_emails_are_listed_with_links(letter, admin_client):
    html = change_page(admin_client, letter)

    failures = section(html, "dashboard-email-failures")
    link = re.search(r'<a href="([^"]+)">4 emails failed and need attention</a>', failures)
    assert link
    listed = admin_client.get(unescape(link.group(1)))
    assert listed.context["cl"].result_count == 4
    for signature in Signature.objects.filter(letter=letter, email_state="failed"):
        assert f'href="/admin/signatories/signature/{signature.pk}/change/"' in failures
    assert "550 mailbox unavailable" in failures


def test_a_letter_without_signatures_has_a_quiet_dashboard(admin_client):
    letter = LetterFactory(goal=10)

    html = change_page(admin_client, letter)

    assert "No signatures yet." in html
    assert "No email failures." in html
    assert "0 signatories of a goal of 10 (0%)" in html


def test_an_organiser_who_may_only_view_the_letter_sees_the_dashboard(letter):
    client = organiser_of(letter)

    html = change_page(client, letter)

    assert 'name="_save"' not in html  # the page is read-only for the Organisers group
    assert status_table(html)["Confirmed, awaiting review"][0] == 2
    assert "5 signatories of a goal of 20" in html


def test_an_organiser_of_another_letter_sees_no_dashboard(letter):
    client = organiser_of(LetterFactory(), username="organiser-b")

    response = client.get(f"/admin/campaigns/letter/{letter.pk}/change/")

    assert response.status_code == 403


def test_the_dashboard_costs_the_same_queries_however_many_signatures(admin_client):
    letter = LetterFactory(goal=100)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            change_page(admin_client, letter)
        return len(queries)

    for country in ("KE", "NG"):
        approved(letter, country=country)
    SignatureFactory(letter=letter, email_state="failed")
    few = page_queries()
    for index in range(30):
        approved(letter, country=["KE", "NG", "FR", "DE", "BR"][index % 5])
        SignatureFactory(letter=letter, email_state="failed")
        SignatureFactory(
            letter=letter, status="rejected", created_at=timezone.now() - timedelta(index)
        )
    many = page_queries()

    assert many == few


def test_the_dashboard_reads_four_queries_at_most(letter, django_assert_max_num_queries):
    # One for the statuses, one for the days, one for the counts (unless cached), one for
    # the failed emails.
    with django_assert_max_num_queries(4):
        html = render_to_string(
            "admin/campaigns/letter/_dashboard.html",
            {"dashboard": Dashboard(letter), "original": letter},
        )

    assert "4 emails failed" in html and "Kenya" in html
