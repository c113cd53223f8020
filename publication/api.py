"""The public JSON API: letters, their counts, and their named signatories.

Documented in the README and in the OpenAPI document served at /api/schema/.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_countries import countries

from campaigns.models import Letter
from config.site import absolute_url
from publication.caching import letter_view, public_cache
from signatories.counts import LetterCounts, letter_counts, letters_totals
from signatories.listing import PageOutOfRange, signatory_page

PAGE_SIZE = 100


def error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _identity(letter: Letter) -> dict:
    return {
        "slug": letter.slug,
        "title": letter.title,
        "status": letter.effective_status,
        "url": absolute_url(letter.get_absolute_url()),
    }


def _sign_on(letter: Letter) -> dict:
    return {
        "goal": letter.goal,
        "closes_at": letter.closes_at.isoformat() if letter.closes_at else None,
    }


def letter_summary(letter: Letter, counts: LetterCounts) -> dict:
    return {
        **_identity(letter),
        "signatories": counts.signatories,
        "countries": counts.countries,
        "unnamed": counts.unnamed,
        "by_country": [
            {"code": line.code or None, "name": line.name, "count": line.count}
            for line in counts.by_country
        ],
        **_sign_on(letter),
    }


# Read-only: GET and HEAD, anything else 405. Exempt from the CSRF check, which would answer
# an unknown method 403 before the view could say which methods it takes; nothing here writes.
@csrf_exempt
@require_safe
def letters(request):
    public = list(Letter.objects.public())  # newest first (Letter.Meta.ordering)
    totals = letters_totals(public)
    results = []
    for letter in public:
        signatories, countries_signed = totals.get(letter.pk, (0, 0))
        results.append(
            {
                **_identity(letter),
                "signatories": signatories,
                "countries": countries_signed,
                **_sign_on(letter),
                "api_url": absolute_url(reverse("api:letter", kwargs={"slug": letter.slug})),
            }
        )
    return public_cache(JsonResponse({"count": len(results), "results": results}))


@csrf_exempt
@require_safe
@letter_view(json=True, whole_response=True)
def letter(request, letter):
    return JsonResponse(letter_summary(letter, letter_counts(letter)))


@csrf_exempt
@require_safe
@letter_view(json=True)
def letter_signatories(request, letter):
    raw_page = request.GET.get("page", "1")
    if not (raw_page.isdecimal() and len(raw_page) <= 9) or int(raw_page) < 1:
        return error(f"page must be a whole number from 1, not {raw_page[:20]!r}.")
    country = request.GET.get("country", "")
    if country and country.upper() not in countries:
        return error(
            f"country must be an ISO 3166-1 alpha-2 code, such as KE; {country[:20]!r} is not one."
        )
    country = country.upper()
    try:
        page = signatory_page(
            letter, letter_counts(letter), number=int(raw_page), per_page=PAGE_SIZE, country=country
        )
    except PageOutOfRange:
        return error(f"page {raw_page} is past the last page.")

    def page_url(number: int) -> str:
        query = {"page": number, **({"country": country} if country else {})}
        path = reverse("api:letter_signatories", kwargs={"slug": letter.slug})
        return absolute_url(f"{path}?{urlencode(query)}")

    return JsonResponse(
        {
            "count": page.count,
            "next": page_url(page.number + 1) if page.has_next else None,
            "previous": page_url(page.number - 1) if page.has_previous else None,
            "results": [
                {
                    "organisation_name": signature.organisation_name,
                    "website": signature.website,
                    "country": signature.country.code,
                    "signed_at": signature.confirmed_at.isoformat()
                    if signature.confirmed_at
                    else None,
                    "initiator": signature.initiator,
                }
                for signature in page.signatures
            ],
        }
    )
