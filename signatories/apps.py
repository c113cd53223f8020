from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignatoriesConfig(AppConfig):
    name = "signatories"
    verbose_name = _("Signatures")

    def ready(self):
        from signatories import checks  # noqa: F401 - registers the deploy check
