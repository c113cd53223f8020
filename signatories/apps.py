from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignatoriesConfig(AppConfig):
    name = "signatories"
    verbose_name = _("Signatures")

    def ready(self):
        from campaigns.signals import letter_updated
        from signatories import (
            checks,  # noqa: F401 - registers the deploy checks
            # The outbox queues its job by name: the web process must know the task too, not
            # only the worker (which imports every app's tasks when it starts).
            tasks,  # noqa: F401
        )
        from signatories.counts import reproject_on_letter_change

        # A letter's settings decide where its signatures count; campaigns cannot import us.
        letter_updated.connect(reproject_on_letter_change, dispatch_uid="signatories.counts")
