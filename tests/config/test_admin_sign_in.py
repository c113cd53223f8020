"""The organisers' door: wrong passwords are throttled, and two-factor sign-in works."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def organiser(django_user_model):
    return django_user_model.objects.create_user(
        "organiser", password="correct horse battery staple", is_staff=True
    )


def sign_in(client, password, code=None, username="organiser"):
    data = {"username": username, "password": password, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data)


def code_for(device) -> str:
    """What the organiser's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_thirty_wrong_passwords_lock_the_account_out_from_that_address(organiser):
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    with time_machine.travel(start, tick=False) as clock:
        statuses = [sign_in(attacker, f"guess {n}").status_code for n in range(30)]

        assert statuses[:4] == [200] * 4  # the form again, with an error
        assert set(statuses[5:]) == {429}
        assert "Too many failed sign-ins" in sign_in(attacker, "guess 31").text
        # The right password does not get through while locked…
        assert sign_in(attacker, "correct horse battery staple").status_code == 429
        assert attacker.get("/admin/").status_code == 302
        # …nor does the lockout shut the organiser out from their own connection.
        own = Client(REMOTE_ADDR="198.51.100.5")
        assert sign_in(own, "correct horse battery staple").status_code == 302

        clock.shift(timedelta(minutes=16))
        assert sign_in(attacker, "correct horse battery staple").status_code == 302


def test_an_organiser_with_an_authenticator_needs_its_code(organiser):
    device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    client = Client()

    with time_machine.travel(datetime(2026, 11, 28, 12, 0, tzinfo=UTC), tick=False) as clock:
        without = sign_in(client, "correct horse battery staple")
        assert without.status_code == 200 and client.get("/admin/").status_code == 302
        assert "Enter the code from your authenticator app." in without.text
        wrong = sign_in(client, "correct horse battery staple", code="000000")
        assert wrong.status_code == 200 and client.get("/admin/").status_code == 302

        clock.shift(timedelta(seconds=5))  # a failed code holds the next try back a moment
        right = sign_in(client, "correct horse battery staple", code=code_for(device))
        assert right.status_code == 302
        assert client.get("/admin/").status_code == 200


def test_a_session_without_the_second_factor_is_not_enough(organiser):
    TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    client = Client()
    client.force_login(organiser)  # a password-only session

    assert client.get("/admin/").status_code == 302


def test_organisers_without_an_authenticator_sign_in_with_their_password(organiser):
    client = Client()

    assert sign_in(client, "correct horse battery staple").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_superusers_must_use_two_factor_when_the_site_asks(django_user_model, settings):
    settings.ADMIN_2FA_FOR_SUPERUSERS = True
    django_user_model.objects.create_superuser("root", password="another long passphrase")
    client = Client()

    response = sign_in(client, "another long passphrase", username="root")

    assert response.status_code == 200
    assert "must sign in with two-factor authentication" in response.text
    assert "manage.py totp_enrol root" in response.text
    assert client.get("/admin/").status_code == 302


def test_enrolling_prints_the_address_for_the_app_and_the_code_then_works(organiser, capsys):
    call_command("totp_enrol", "organiser")

    address = capsys.readouterr().out.strip().splitlines()[-1]
    assert address.startswith("otpauth://totp/") and "secret=" in address
    device = TOTPDevice.objects.get(user=organiser)
    client = Client()
    assert sign_in(client, "correct horse battery staple", code=code_for(device)).status_code == 302
