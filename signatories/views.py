from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns.models import Letter
from signatories import services
from signatories.errors import (
    AlreadyConfirmed,
    AlreadyWithdrawn,
    ExpiredToken,
    InvalidToken,
    LetterClosed,
    NotWithdrawable,
    SignatureError,
)
from signatories.forms import SignatureForm
from signatories.models import Signature

# Each way a link can be bad has its own page and status; none says more than the holder of
# the link already knows.
LINK_PROBLEMS = {
    InvalidToken: (404, "signatories/link_invalid.html"),
    AlreadyConfirmed: (404, "signatories/link_already_confirmed.html"),
    ExpiredToken: (410, "signatories/link_expired.html"),
    AlreadyWithdrawn: (404, "signatories/link_already_withdrawn.html"),
    NotWithdrawable: (404, "signatories/link_invalid.html"),
}


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as NUM_PROXIES allows."""
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if settings.NUM_PROXIES and len(forwarded) >= settings.NUM_PROXIES:
        return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "")


def link_problem(request, error: SignatureError):
    status, template = LINK_PROBLEMS[type(error)]
    signature = error.signature
    context = {"letter": signature.letter if signature else None}
    return render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign(request, slug):
    letter = get_object_or_404(Letter.objects.public(), slug=slug)
    if not letter.is_open:
        status = 403 if request.method == "POST" else 200
        return render(request, "signatories/closed.html", {"letter": letter}, status=status)
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_submit(
                letter=letter,
                data=form.cleaned_data,
                ip=client_ip(request),
                language=get_language(),
            )
        except LetterClosed:  # closed between the check above and the write
            return render(request, "signatories/closed.html", {"letter": letter}, status=403)
        return redirect("signatories:check_email", slug=letter.slug)
    return render(request, "signatories/sign.html", {"letter": letter, "form": form})


@never_cache
def check_email(request, slug):
    letter = get_object_or_404(Letter.objects.public(), slug=slug)
    context = {"letter": letter, "confirmation_days": settings.SIGNATURE_CONFIRMATION_DAYS}
    return render(request, "signatories/check_email.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    # GET only shows a button: mail scanners that open links must not confirm anything.
    # A letter closed since the signature was submitted still takes its confirmation.
    try:
        if request.method == "POST":
            signature = services.signature_confirm(token=token)
            return render(request, "signatories/confirmed.html", {"signature": signature})
        signature = Signature.objects.for_confirmation(token)
    except (InvalidToken, AlreadyConfirmed, ExpiredToken) as error:
        return link_problem(request, error)
    return render(request, "signatories/confirm.html", {"signature": signature})


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    try:
        if request.method == "POST":
            signature = services.signature_withdraw(token=token)
            return render(request, "signatories/withdrawn.html", {"signature": signature})
        signature = Signature.objects.for_withdrawal(token)
        signature.check_withdrawable()
    except (InvalidToken, AlreadyWithdrawn, NotWithdrawable) as error:
        return link_problem(request, error)
    return render(request, "signatories/withdraw.html", {"signature": signature})
