"""Settings are read when a process starts, so these start real processes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "SITE_URL",
            "DJANGO_SETTINGS_MODULE",
            "EMAIL_URL",
            "CONTACT_EMAIL",
        }
        and not key.startswith("SECURE_")
    }
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_or_insecure_secret_key():
    short = run_manage("check", DEBUG="false", SECRET_KEY="short")
    insecure = run_manage("check", DEBUG="false", SECRET_KEY="django-insecure-" + "x1y2z3" * 10)

    assert "SECRET_KEY must be set" in short.stderr
    assert "SECRET_KEY must be set" in insecure.stderr


PRODUCTION = {
    "SECRET_KEY": "Kq7-deploy-check-" + "aB3dE5fG7hJ9kL" * 4,
    "ALLOWED_HOSTS": "letters.example.org",
    "SITE_URL": "https://letters.example.org",
}


def test_a_deploy_that_forgot_email_url_fails_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode != 0
    assert "undersigned.W001" in result.stderr + result.stdout


def test_console_email_chosen_on_purpose_passes_with_a_reminder():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", EMAIL_URL="consolemail://", **PRODUCTION
    )

    assert result.returncode == 0, result.stderr + result.stdout
    output = result.stdout + result.stderr
    assert "undersigned.I001" in output
    assert "WARNING" not in output and "ERROR" not in output


def test_deploy_checks_note_when_signers_have_nobody_to_write_to():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", EMAIL_URL="smtp://mail:25", **PRODUCTION
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "undersigned.I002" in result.stdout + result.stderr


def test_deploy_checks_are_silent_once_email_leaves_the_machine_and_a_contact_is_set():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "INFO",
        EMAIL_URL="smtp://mail:25",
        CONTACT_EMAIL="letters@example.org",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_runs_without_a_secret_key():
    result = run_manage("check", DEBUG="true")

    assert result.returncode == 0, result.stderr
