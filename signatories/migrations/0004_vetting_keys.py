"""Fill the vetting keys (email domain, kind of address, name key) of signatures made before
they existed."""

from django.db import migrations

from signatories.domains import address_kind, email_domain
from signatories.vetting import name_key

CHUNK = 1000


def fill_vetting_keys(apps, schema_editor):
    Signature = apps.get_model("signatories", "Signature")
    last = 0
    while True:
        chunk = list(
            Signature.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "organisation_name", "contact_email")[:CHUNK]
        )
        if not chunk:
            return
        for signature in chunk:
            signature.email_domain = email_domain(signature.contact_email)
            signature.address_kind = str(address_kind(signature.contact_email))
            signature.name_key = name_key(signature.organisation_name)
        Signature.objects.bulk_update(chunk, ["email_domain", "address_kind", "name_key"])
        last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [("signatories", "0003_organisers_group")]

    operations = [migrations.RunPython(fill_vetting_keys, migrations.RunPython.noop)]
