"""Counts are maintained with every transition and always equal a fresh recount."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from campaigns.models import Letter
from signatories import services
from signatories.counts import letter_counts, recount
from signatories.errors import SignatureError
from signatories.models import CountryCount, Signature
from signatories.tasks import check_counts
from signatories.tokens import withdraw_token
from tests.factories import LetterFactory, SignatureFactory, organiser
from tests.signatories.helpers import form_data


def approved(letter, **fields) -> Signature:
    fields.setdefault("confirmed_at", timezone.now())
    signature = SignatureFactory(letter=letter, status="verified", **fields)
    return services.signature_approve(signature=signature, by=organiser())


def headline(letter) -> tuple[int, int, int]:
    letter.refresh_from_db()
    counts = letter_counts(letter)
    return counts.signatories, counts.countries, counts.unnamed


@pytest.mark.django_db
def test_only_approved_signatures_count_and_unnamed_ones_count_in_their_country(letter):
    approved(letter, country="KE")
    approved(letter, country="KE", list_publicly=False)
    approved(letter, country="NG")
    SignatureFactory(letter=letter, country="FR", status="verified")
    SignatureFactory(letter=letter, country="FR", status="pending")
    SignatureFactory(letter=letter, country="FR", status="rejected")

    counts = letter_counts(letter)

    assert (counts.signatories, counts.countries, counts.unnamed) == (3, 2, 1)
    assert [(line.code, line.count, line.unnamed) for line in counts.by_country] == [
        ("KE", 2, 1),
        ("NG", 1, 0),
    ]


@pytest.mark.django_db
def test_by_country_is_sorted_by_count_then_name(letter):
    for country in ["NG", "KE", "KE", "DE", "AR"]:
        approved(letter, country=country)

    names = [line.name for line in letter_counts(letter).by_country]

    assert names == ["Kenya", "Argentina", "Germany", "Nigeria"]


@pytest.mark.django_db
def test_withdrawing_an_approved_signature_uncounts_it(letter):
    signature = approved(letter, country="KE", list_publicly=False)
    assert headline(letter) == (1, 1, 1)

    services.signature_withdraw(token=withdraw_token(signature.withdraw_key))

    assert headline(letter) == (0, 0, 0)


@pytest.mark.django_db
def test_an_organiser_moving_a_signature_to_another_country_moves_its_count(letter):
    signature = approved(letter, country="KE")

    services.signature_edit_by_staff(
        signature=signature,
        changes={"country": "TZ", "list_publicly": False},
        revision=signature.revision,
        by=organiser(),
    )

    counts = letter_counts(Letter.objects.get(pk=letter.pk))
    assert [(line.code, line.count, line.unnamed) for line in counts.by_country] == [("TZ", 1, 1)]
    assert recount(letter, repair=False) == []


@pytest.mark.django_db
def test_recount_repairs_drift_and_check_reports_it(letter, capsys):
    approved(letter, country="KE")
    approved(letter, country="NG")
    CountryCount.objects.filter(country="KE").update(signatories=7)
    CountryCount.objects.filter(country="NG").delete()

    with pytest.raises(CommandError) as check:
        call_command("recount", "--check", "--letter", letter.slug)
    assert check.value.returncode == 1
    assert "KE: counted 7" in capsys.readouterr().out
    assert headline(letter)[0] == 7  # --check changed nothing

    call_command("recount")
    out = capsys.readouterr().out
    assert "2 counts repaired." in out
    assert headline(letter) == (2, 2, 0)

    call_command("recount", "--check")
    assert "Counts match the signatures." in capsys.readouterr().out


@pytest.mark.django_db
def test_recount_of_an_unknown_letter_is_an_error():
    with pytest.raises(CommandError, match="No letter with the slug"):
        call_command("recount", "--letter", "nope")


@pytest.mark.django_db
def test_the_nightly_check_repairs_drift_and_logs_it_as_an_error(letter, caplog):
    approved(letter, country="KE")
    CountryCount.objects.update(signatories=5)

    assert check_counts() == 1

    assert [record.levelname for record in caplog.records if "drift" in record.message] == ["ERROR"]
    assert headline(letter) == (1, 1, 0)
    assert check_counts() == 0


# Random histories: after every step, the counts equal a recount.

EMAILS = ["a@one.or.ke", "b@two.or.ke", "c@three.or.ke"]
step = st.tuples(
    st.sampled_from(["submit", "confirm", "approve", "reject", "withdraw", "edit"]),
    st.sampled_from(EMAILS),
    st.sampled_from(["KE", "NG", "FR"]),
    st.booleans(),
)


# The states each action is meant for. A step acts on a signature in such a state when there is
# one, so that random histories do move signatures along, and otherwise on the address's own
# signature, so that refusals happen too.
ACTS_ON = {
    "confirm": {"pending"},
    "approve": {"verified"},
    "reject": {"verified"},
    "withdraw": {"verified", "approved"},
    "edit": {"approved"},
}


def apply_step(letter, action, email, country, named, tokens):
    from signatories.forms import SignatureForm

    if action == "submit":
        hidden = "on" if country == "FR" else None  # FR signers keep their country private
        form = SignatureForm(
            form_data(
                contact_email=email, country=country, list_publicly=named, hide_country=hidden
            )
        )
        assert form.is_valid(), form.errors
        services.signature_submit(letter=letter, data=form.cleaned_data, ip="")
        return
    live = Signature.objects.live().filter(letter=letter)
    signature = (
        live.filter(status__in=ACTS_ON[action]).order_by("-pk").first()
        or live.filter(email_canonical=email).first()
    )
    if signature is None:
        return
    if action == "confirm" and signature.email_canonical in tokens:
        services.signature_confirm(token=tokens[signature.email_canonical])
    elif action == "approve":
        services.signature_approve(signature=signature, by=organiser())
    elif action == "reject":
        services.signature_reject(signature=signature, by=organiser())
    elif action == "withdraw":
        services.signature_withdraw(token=withdraw_token(signature.withdraw_key))
    elif action == "edit":
        services.signature_edit_by_staff(
            signature=signature,
            changes={"country": country, "list_publicly": named, "hide_country": country == "FR"},
            revision=signature.revision,
            by=organiser(),
        )


def latest_confirmation_tokens() -> dict[str, str]:
    """{address: token of the newest confirmation link emailed to it}."""
    from django.core import mail

    from tests.signatories.helpers import links_in

    tokens = {}
    for message in mail.outbox:
        if "confirm" in links_in(message):
            tokens[message.to[0]] = links_in(message)["confirm"].split("/")[-2]
    return tokens


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=25))
# A history that surely counts and uncounts, beside the random ones.
@example(
    steps=[
        ("submit", EMAILS[0], "KE", True),
        ("submit", EMAILS[1], "NG", False),
        ("confirm", EMAILS[0], "KE", True),
        ("confirm", EMAILS[1], "NG", False),
        ("approve", EMAILS[0], "KE", True),
        ("approve", EMAILS[1], "NG", False),
        ("edit", EMAILS[0], "FR", False),
        ("approve", EMAILS[0], "KE", True),
        ("withdraw", EMAILS[1], "NG", False),
        ("reject", EMAILS[0], "KE", True),
    ]
)
def run_histories(steps, reached):
    from tests.conftest import committed

    # Each history on a letter of its own (the test's transaction is rolled back at the end);
    # each step is a service's own durable transaction, as in a request.
    letter = LetterFactory(requires_approval=True)
    tokens = {}
    for action, email, country, named in steps:
        try:
            with committed():
                apply_step(letter, action, email, country, named, tokens)
        except SignatureError:
            pass  # a refused step changes nothing, which the recount below also checks
        tokens.update(latest_confirmation_tokens())
        assert recount(letter, repair=False) == []
        signatures = Signature.objects.filter(letter=letter)
        reached["counted"] += signatures.filter(status="approved").count()
        reached["uncounted"] += signatures.filter(
            status="withdrawn", approved_at__isnull=False
        ).count()


@pytest.mark.django_db
def test_counts_equal_a_recount_after_every_step_of_any_history():
    reached = {"counted": 0, "uncounted": 0}

    run_histories(reached=reached)

    # The histories did reach the transitions that move counts, in and back out.
    assert reached["counted"] > 0 and reached["uncounted"] > 0, reached


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_and_withdrawals_keep_counts_exact():
    letter = LetterFactory()
    countries = ["KE", "NG", "FR", "BR"]
    to_approve = [
        SignatureFactory(letter=letter, status="verified", country=countries[n % 4])
        for n in range(40)
    ]
    to_withdraw = [approved(letter, country=countries[n % 4]) for n in range(20)]
    barrier = threading.Barrier(20)
    failures = []

    def attempt(service, **kwargs):
        try:
            service(**kwargs)
        except Exception as error:  # every failure is counted below
            failures.append(error)

    def work(batch):
        barrier.wait()
        for approve_me, withdraw_me in batch:
            attempt(services.signature_approve, signature=approve_me, by=organiser())
            attempt(services.signature_withdraw, token=withdraw_token(withdraw_me.withdraw_key))
        connection.close()

    # Every signature to withdraw is withdrawn twice, by two different threads at once.
    pairs = list(zip(to_approve, to_withdraw + to_withdraw[::-1], strict=True))
    batches = [pairs[n::20] for n in range(20)]
    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    withdraw_errors = [f for f in failures if type(f).__name__ == "AlreadyWithdrawn"]
    assert len(failures) == len(withdraw_errors) == 20  # each signature withdrawn exactly once
    assert recount(letter, repair=False) == []
    assert headline(letter) == (40, 4, 0)


@pytest.mark.django_db(transaction=True)
def test_a_repair_racing_an_approval_in_a_country_without_a_row_leaves_the_count_right(
    monkeypatch,
):
    """The nightly repair and an approval at the same moment: the repair counts a country
    again once it holds the country's row, so the approval is neither lost nor counted twice."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks wait for each other on PostgreSQL; SQLite runs one writer")
    from signatories import counts

    letter = LetterFactory()
    # Drift: an approved signature the counts never saw (no ZA row at all).
    SignatureFactory(letter=letter, status="approved", country="ZA", confirmed_at=timezone.now())
    second = SignatureFactory(
        letter=letter, status="verified", country="ZA", confirmed_at=timezone.now()
    )
    holds_its_lock, let_it_commit = threading.Event(), threading.Event()
    real_queue = services.outbox.queue

    def queue(signature, kind, **kwargs):
        real_queue(signature, kind, **kwargs)
        holds_its_lock.set()  # its ZA row is written (1), not yet committed
        let_it_commit.wait(10)

    monkeypatch.setattr(services.outbox, "queue", queue)

    def approve():
        try:
            services.signature_approve(signature=second, by=organiser())
        finally:
            connection.close()

    real_locked_row = counts._locked_row
    approval = threading.Thread(target=approve)

    def locked_row(letter_id, country):
        # The repair found the drift (ZA: 0 counted, 1 approved); the approval comes now.
        approval.start()
        holds_its_lock.wait(10)
        threading.Timer(1.0, let_it_commit.set).start()
        return real_locked_row(letter_id, country)  # waits for the approval's commit

    monkeypatch.setattr(counts, "_locked_row", locked_row)

    drift = recount(letter, repair=True)
    approval.join(10)

    assert [(item.country, item.stored, item.actual) for item in drift] == [("ZA", (0, 0), (1, 0))]
    assert CountryCount.objects.get(letter=letter, country="ZA").signatories == 2
    assert recount(letter, repair=False) == []
