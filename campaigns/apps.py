from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Letters")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from campaigns.models import Letter
        from config.kept_responses import public_pages_changed

        # Any save of a letter, even one bypassing the services (a shell, a data fix), can
        # change a public page; the ETag's updated_at catches it too.
        def letter_saved(**kwargs):
            public_pages_changed()

        post_save.connect(letter_saved, sender=Letter, weak=False)
        post_delete.connect(letter_saved, sender=Letter, weak=False)
