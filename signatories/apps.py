from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignatoriesConfig(AppConfig):
    name = "signatories"
    verbose_name = _("Signatures")

    def ready(self):
        # The outbox queues its job by name; the web process must know the task too, not only
        # the worker (which imports every app's tasks when it starts).
        from signatories import (
            checks,  # noqa: F401 - registers the deploy checks
            tasks,  # noqa: F401
        )
