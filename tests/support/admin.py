"""Posting an admin change form as a browser would: every field as the page showed it (the
revision it was opened at included), with the test's changes on top."""

from django import forms


def change_form_data(admin_client, url: str, **changes) -> dict:
    context = admin_client.get(url).context
    form = context["adminform"].form
    data = {}
    for inline in context["inline_admin_formsets"]:  # read-only ones still post their counts
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(getattr(widget, "widget", widget), forms.SelectMultiple):
            data[name] = [str(getattr(item, "pk", item)) for item in value or []]
        elif isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        else:
            data[name] = "" if value is None else str(value)
    for name, value in changes.items():
        if value is None or value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def post_change_form(admin_client, url: str, **changes):
    return admin_client.post(url, change_form_data(admin_client, url, **changes))


def organisers_group():
    """The Organisers group as its migration makes it. Browser tests run in transactions that
    end by emptying the database, which takes the migration's group with it: this puts it
    back, with the migration's own list of permissions."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    created = importlib.import_module("signatories.migrations.0003_organisers_group")
    added = importlib.import_module("signatories.migrations.0005_text_version")
    group, _ = Group.objects.get_or_create(name=created.GROUP)
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, _, codename in created.PERMISSIONS + added.PERMISSIONS
    )
    return group
