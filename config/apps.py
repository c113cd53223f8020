from django.contrib.admin.apps import AdminConfig


class SiteAdminConfig(AdminConfig):
    """The admin, with the site's own sign-in (config.admin.SiteAdmin)."""

    default_site = "config.admin.SiteAdmin"
