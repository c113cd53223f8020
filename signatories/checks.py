from django.conf import settings
from django.core.checks import Info, Tags, Warning, register

CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.compatibility, deploy=True)
def email_leaves_the_machine(app_configs, **kwargs):
    """In production, emails printed to the console reach no signer, and put contact
    addresses and working links in the logs. A deploy that forgot EMAIL_URL fails the check;
    one that chose console email on purpose (EMAIL_URL=consolemail://) is only reminded."""
    if settings.EMAIL_BACKEND not in CONSOLE_BACKENDS:
        return []
    if not settings.EMAIL_URL_SET:
        return [
            Warning(
                "EMAIL_URL is not set, so emails would be printed to the log: signers would "
                "get no confirmation link, and their addresses and links would be in the log.",
                hint="Set EMAIL_URL to your SMTP server (smtp+tls://user:password@host:587).",
                id="undersigned.W001",
            )
        ]
    return [
        Info(
            "Emails go to the console or a file, as EMAIL_URL asks: they reach no signer, and "
            "the log holds contact addresses and working links.",
            id="undersigned.I001",
        )
    ]


@register(Tags.compatibility, deploy=True)
def someone_to_contact(app_configs, **kwargs):
    """Emails and pages point signers to the organisers; without CONTACT_EMAIL, letters that
    name no contact of their own leave them nobody to write to."""
    if settings.CONTACT_EMAIL:
        return []
    return [
        Info(
            "CONTACT_EMAIL is not set: letters without a contact email of their own give "
            "signers no address to write to (no Reply-To, none on the page).",
            id="undersigned.I002",
        )
    ]
