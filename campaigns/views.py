from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from campaigns.models import Letter

RECENTLY_CLOSED_SHOWN = 10


def home(request):
    letters = Letter.objects.all()
    return render(
        request,
        "campaigns/home.html",
        {
            "open_letters": letters.open(),
            "closed_letters": letters.closed().order_by("-closes_at", "-updated_at")[
                :RECENTLY_CLOSED_SHOWN
            ],
        },
    )


def letter_detail(request, slug):
    letter = get_object_or_404(Letter, slug=slug)
    # Staff may preview a draft (the admin's "view on site"); to everyone else it does not exist.
    preview = not letter.is_public
    if preview and not request.user.is_staff:
        raise Http404
    response = render(
        request, "campaigns/letter_detail.html", {"letter": letter, "preview": preview}
    )
    if preview:
        add_never_cache_headers(response)
    return response
