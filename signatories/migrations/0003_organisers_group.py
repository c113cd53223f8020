"""The Organisers group: exactly what vetting, importing, exporting the public list and sending
updates need. Exporting contact details (export_contacts) is given to people one by one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisers"
PERMISSIONS = [
    ("campaigns", "letter", "view_letter"),
    ("signatories", "signature", "view_signature"),
    ("signatories", "signature", "change_signature"),  # vetting: approve, reject, correct
    ("signatories", "signatureevent", "view_signatureevent"),  # the trail on its page
    ("signatories", "signature", "import_signatures"),
    ("signatories", "signature", "export_signatures"),
    ("signatories", "signature", "send_update"),
    ("signatories", "update", "view_update"),
    ("signatories", "update", "add_update"),
    ("signatories", "update", "change_update"),
]


def create_group(apps, schema_editor):
    # Permissions are made after the last migration; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.get(
            content_type__app_label=app, content_type__model=model, codename=codename
        )
        for app, model, codename in PERMISSIONS
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("signatories", "0002_workbench"),
        ("campaigns", "0002_workbench"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
