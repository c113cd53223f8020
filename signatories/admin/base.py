"""What every organisers' admin page shares: saving through services, and each organiser
seeing only the letters they organise."""

from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse

from campaigns.models import Letter
from config.forms import STALE_FORM_MESSAGE


def organised_letters(user):
    """The letters `user` may work on in the admin: every one for a superuser, otherwise the
    ones they are an organiser of."""
    if user.is_superuser:
        return Letter.objects.all()
    return Letter.objects.filter(organisers=user)


def may_organise(user, letter_id) -> bool:
    return organised_letters(user).filter(pk=letter_id).exists()


class ServiceSavedAdmin(admin.ModelAdmin):
    """A change form whose save is a service call: no outer transaction (the services' are
    durable), and a form that went stale between its check and the save is refused with a
    message rather than an error page."""

    stale_errors: tuple[type[Exception], ...] = ()
    # Other refusals of the service: exception -> what the organiser is told.
    refusals: dict[type[Exception], str] = {}

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except self.stale_errors:
            self.message_user(request, STALE_FORM_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.path)
        except tuple(self.refusals) as error:
            self.message_user(request, self.refusals[type(error)], messages.ERROR)
            return HttpResponseRedirect(request.path)


class LetterScopedAdmin(ServiceSavedAdmin):
    """An admin page of rows that belong to a letter: an organiser sees, searches, filters and
    acts on the rows of their own letters only (superusers on all). Everything the admin
    shows or changes starts from `get_queryset`, so scoping it scopes the changelist, search,
    filters, actions and change pages; a row of another letter answers 403, not a redirect
    that would hide nothing."""

    # The lookup from this model to its letter; "" for the letter itself.
    letter_path = "letter"

    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.letter_path}__organisers" if self.letter_path else "organisers"
        return queryset.filter(**{lookup: request.user})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None and not request.user.is_superuser:
            field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
            try:
                exists = self.model._default_manager.filter(
                    **{field.attname: field.to_python(object_id)}
                ).exists()
            except (ValidationError, ValueError):  # a malformed id is simply not found
                exists = False
            if exists:
                raise PermissionDenied
        return found


def may_work_on(user, letter, *permissions: str) -> bool:
    """Whether `user` holds every one of `permissions` and organises `letter`: what each page
    of the workbench (import, export, updates) asks."""
    return all(user.has_perm(permission) for permission in permissions) and may_organise(
        user, letter.pk
    )


def workbench_letter(request, object_id, *permissions: str) -> Letter:
    """The letter a workbench page is about: 404 when there is none, 403 unless the user may
    work on it with `permissions`."""
    letter = Letter.objects.filter(pk=object_id).first()
    if letter is None:
        raise Http404
    if not may_work_on(request.user, letter, *permissions):
        raise PermissionDenied
    return letter


def workbench_page(model_admin, request, template, letter, title, context):
    """A workbench page under the letter's admin (templates/admin/signatories/<template>)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": letter,
        "letter": letter,
        "title": title,
        **context,
    }
    return TemplateResponse(request, f"admin/signatories/{template}", context)
