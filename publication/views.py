import csv

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, Sum
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from campaigns.models import Letter
from config.kept_responses import keep
from config.release import release_id
from publication.caching import letter_view, public_cache
from publication.sharing import letter_share
from publication.versions import last_text_change, version_history
from signatories.counts import letter_counts, letters_totals
from signatories.listing import PageOutOfRange, initiators, named_signatures, search, signatory_page
from signatories.spreadsheets import spreadsheet_safe

RECENTLY_CLOSED_SHOWN = 10
SIGNATORIES_PER_PAGE = 100
SEARCH_MAX_LENGTH = 100
# The lists' HTML is cached under the letter's published_version, so it is never stale.
LISTS_CACHE_SECONDS = 60 * 60


@require_safe
def home(request):
    # A first visit to / follows the browser's languages (or the language chosen before);
    # an address with a language prefix always shows that language.
    preferred = translation.get_language_from_request(request)
    if request.path == "/" and preferred != settings.LANGUAGE_CODE:
        response = redirect(translate_url("/", preferred))
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response
    # One render serves every reader until a public letter changes (home_state).
    key, until = home_state()
    content = cache.get(key)
    if content is None:
        content = _render_home(request).content
        cache.set(key, content, LISTS_CACHE_SECONDS)
    response = HttpResponse(content)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return keep(public_cache(response), until=until)


def home_state() -> tuple[str, float | None]:
    """A key that changes with anything the home page shows, and when the clock next changes
    it. Each change to a public letter moves its published_version on (their sum grows), a
    letter opening or leaving adds or takes one, one passing its closing date moves lists,
    and any save of a row moves updated_at."""
    now = timezone.now()
    state = Letter.objects.public().aggregate(
        versions=Sum("published_version"),
        letters=Count("pk"),
        past=Count("pk", filter=Q(closes_at__lte=now)),
        saved=Max("updated_at"),
        next_close=Min("closes_at", filter=Q(closes_at__gt=now)),
    )
    saved, next_close = state.pop("saved"), state.pop("next_close")
    parts = [release_id(), translation.get_language(), *state.values()]
    parts.append(saved.timestamp() if saved else 0)
    return "home:" + ":".join(str(part) for part in parts), (
        next_close.timestamp() if next_close else None
    )


def _render_home(request):
    letters = Letter.objects.all()
    open_letters = list(letters.open())
    closed_letters = list(letters.recently_closed()[:RECENTLY_CLOSED_SHOWN])
    totals = letters_totals(open_letters + closed_letters)
    for letter in open_letters + closed_letters:
        letter.totals = totals.get(letter.pk, (0, 0))
    context = {"open_letters": open_letters, "closed_letters": closed_letters}
    return render(request, "publication/home.html", context)


@require_safe
@letter_view(allow_preview=True, whole_response=True)
def letter_detail(request, letter, preview=False):
    counts = letter_counts(letter)
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    # Reads below are lazy: the template's fragment cache skips them when it has the HTML.
    context = {
        "letter": letter,
        "preview": preview,
        "counts": counts,
        "query": query,
        "lists_cache_seconds": 0 if query or preview else LISTS_CACHE_SECONDS,
        "release": release_id(),
        "share": letter_share(letter, counts),
        "last_text_change": last_text_change(letter),
    }
    if query:
        context["matches"] = SimpleLazyObject(lambda: search(letter, query))
    else:
        try:
            number = int(request.GET.get("page", "1"))
            context["page"] = signatory_page(
                letter, counts, number=number, per_page=SIGNATORIES_PER_PAGE
            )
        except (ValueError, PageOutOfRange) as error:
            raise Http404("No such page of signatories.") from error
        if number == 1:
            context["initiators"] = SimpleLazyObject(lambda: initiators(letter))
    return render(request, "publication/letter_detail.html", context)


class _Echo:
    def write(self, value):
        return value


@csrf_exempt  # open data, in the API's document: any other method is a 405, not a 403
@require_safe
@letter_view()
def signatories_csv(request, letter):
    """The open-data list: named, approved signatories only, as UTF-8 CSV."""
    writer = csv.writer(_Echo())
    signatures = named_signatures(letter).order_by("country", "organisation_name", "pk")

    def rows():
        yield "\ufeff"  # so that spreadsheets read the file as UTF-8
        yield writer.writerow(
            ["organisation", "website", "country_code", "country_name", "signed_date", "initiator"]
        )
        for signature in signatures.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    spreadsheet_safe(signature.organisation_name),
                    spreadsheet_safe(signature.website),
                    signature.country.code,
                    signature.country.name,
                    signature.confirmed_at.date().isoformat() if signature.confirmed_at else "",
                    "yes" if signature.initiator else "no",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"{slugify(letter.slug)}-signatories.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The one page other sites may frame: partners show the live counts on their own pages. Every
# other page keeps "frame-ancestors 'none'" and X-Frame-Options: DENY (clickjacking).
EMBED_POLICY = {"frame-ancestors": ["*"]}


@require_safe
@xframe_options_exempt
@csp_replace(EMBED_POLICY)
@letter_view()
def letter_embed(request, letter):
    """The headline counts, progress to the goal and a link to the sign form, small enough
    for an iframe on a partner's site."""
    context = {"letter": letter, "counts": letter_counts(letter)}
    return render(request, "publication/embed.html", context)


@require_safe
@letter_view(allow_preview=True)
def letter_versions(request, letter, preview=False):
    """Every text the letter has had while taking signatures, newest first, each with what
    changed from the one before."""
    context = {"letter": letter, "preview": preview, "history": version_history(letter)}
    return render(request, "publication/letter_versions.html", context)
