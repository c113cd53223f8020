from django.conf import settings
from django.core.checks import Info, Tags, register

CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.compatibility, deploy=True)
def email_leaves_the_machine(app_configs, **kwargs):
    """In production, emails printed to the console put addresses and live links in logs."""
    if settings.EMAIL_BACKEND in CONSOLE_BACKENDS:
        return [
            Info(
                "Emails go to the console or a file, not to signers: set EMAIL_URL to an "
                "SMTP server (smtp+tls://user:password@host:587).",
                id="undersigned.I001",
            )
        ]
    return []
