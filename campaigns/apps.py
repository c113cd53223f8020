from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Letters")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from campaigns.models import Letter
        from config.kept_responses import public_pages_changed

        # Any save() or delete() of a letter can change a public page, even one bypassing the
        # services (a shell); the ETag's updated_at changes with it. A bulk .update() or raw
        # SQL sends no signal and moves no version: run `manage.py refresh_pages` after one.
        def letter_saved(**kwargs):
            public_pages_changed()

        # A migration, a data migration included, may change anything public: every letter's
        # version moves after one (even one that applied nothing), so every page is made anew
        # and browsers fetch each letter again once. The check is on the state migrate reached;
        # the update is on the model as the code has it.
        def migrated(using, apps=None, **kwargs):
            try:
                if apps is not None:  # the state migrate reached (none from flush)
                    apps.get_model("campaigns", "Letter")
            except LookupError:
                return  # migrated back to before there were letters
            Letter.objects.using(using).every_publication_changed()

        post_save.connect(letter_saved, sender=Letter, weak=False)
        post_delete.connect(letter_saved, sender=Letter, weak=False)
        post_migrate.connect(migrated, sender=self, weak=False)
