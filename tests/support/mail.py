"""An email backend for unit tests whose next sends fail as we tell them to."""

from django.core.mail.backends.locmem import EmailBackend


class ScriptedBackend(EmailBackend):
    """Like locmem (mail.outbox), but raises the queued exceptions first, one per send."""

    failures: list[BaseException] = []

    def send_messages(self, messages):
        if ScriptedBackend.failures:
            raise ScriptedBackend.failures.pop(0)
        return super().send_messages(messages)
