from math import ceil

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns.models import Letter
from config.kept_responses import keep
from signatories import limits, services
from signatories.errors import (
    AlreadyConfirmed,
    AlreadyWithdrawn,
    ExpiredToken,
    InvalidToken,
    LetterClosed,
    LetterDelivered,
    NotWithdrawable,
    SignatureError,
    SigningPaused,
)
from signatories.forms import SignatureForm
from signatories.models import Signature
from signatories.sign_page import blank_sign_page

# Each way a link can be bad has its own page and status; none says more than the holder of
# the link already knows.
LINK_PROBLEMS = {
    InvalidToken: (404, "signatories/link_invalid.html"),
    AlreadyConfirmed: (404, "signatories/link_already_confirmed.html"),
    ExpiredToken: (410, "signatories/link_expired.html"),
    AlreadyWithdrawn: (404, "signatories/link_already_withdrawn.html"),
    NotWithdrawable: (404, "signatories/link_invalid.html"),
}


def link_problem(request, error: SignatureError):
    status, template = LINK_PROBLEMS[type(error)]
    signature = error.signature
    if signature is None:
        return render(request, template, {"letter": None}, status=status)
    return signers_page(request, signature, template, {"letter": signature.letter}, status)


def signers_page(request, signature: Signature, template: str, context=None, status=200):
    """A page behind an emailed link: it speaks the language the signer signed in, as the
    email did, whatever the browser asks for (LocaleMiddleware then says so in
    Content-Language), and has no language switcher (base.html)."""
    translation.activate(signature.reading_language)
    context = {"signature": signature, "in_signers_language": True, **(context or {})}
    return render(request, template, context, status=status)


def signing_letter(request, slug) -> Letter:
    """The letter whose sign form (or check-email page) this is: a public one, or an embargoed
    one reached through its invite link. Anything else is a 404, whether or not it exists."""
    letter = get_object_or_404(Letter.objects.exclude(status=Letter.Status.DRAFT), slug=slug)
    if letter.is_embargoed and not letter.invite_matches(request.GET.get("invite")):
        raise Http404
    return letter


@never_cache
@require_http_methods(["GET", "POST"])
def sign(request, slug):
    letter = signing_letter(request, slug)
    # Before the letter is seen open: a form made as it closes is kept no longer than that.
    until = letter.clock_changes_at()
    if not letter.is_open:
        status = 403 if request.method == "POST" else 200
        return render(request, "signatories/closed.html", {"letter": letter}, status=status)
    verdict = limits.sign_attempt(request, letter, count=request.method == "POST")
    if verdict.retry_after:
        return too_many(request, letter, verdict.retry_after)
    challenge = verdict.challenge or letter.always_challenge
    if request.method == "GET" and not challenge:
        # The same for everyone: rendered once, kept, and filled in for each visitor.
        return blank_sign_page(request, letter, until=until)
    form = SignatureForm(
        request.POST or None, challenge=challenge, text_version=letter.text_version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_submit(
                letter=letter,
                data=form.cleaned_data,
                ip=limits.client_ip(request),
                language=get_language(),
            )
        except LetterClosed:  # closed between the check above and the write
            return render(request, "signatories/closed.html", {"letter": letter}, status=403)
        except SigningPaused as paused:
            return too_many(request, letter, paused.retry_after)
        check_email_url = reverse("signatories:check_email", kwargs={"slug": letter.slug})
        if letter.is_embargoed:
            check_email_url += f"?invite={letter.invite_key}"
        return redirect(check_email_url)
    return render(request, "signatories/sign.html", {"letter": letter, "form": form})


def too_many(request, letter, retry_after: int):
    """429: too many signatures from this source (or site-wide) just now; when to come back."""
    context = {"letter": letter, "minutes": max(1, ceil(retry_after / 60))}
    response = render(request, "signatories/too_many.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
def check_email(request, slug):
    letter = signing_letter(request, slug)
    until = letter.clock_changes_at()
    context = {"letter": letter, "confirmation_days": settings.SIGNATURE_CONFIRMATION_DAYS}
    # The same for every signer (each one reaches it after signing): rendered once and kept.
    return keep(render(request, "signatories/check_email.html", context), until=until)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    # GET only shows a button: mail scanners that open links must not confirm anything.
    # A letter closed since the signature was submitted still takes its confirmation.
    try:
        if request.method == "POST":
            try:
                signature = services.signature_confirm(token=token)
            except LetterDelivered:  # delivered while counting it: kept now, but not counted
                signature = services.signature_confirm(token=token)
            return signers_page(request, signature, "signatories/confirmed.html")
        signature = Signature.objects.for_confirmation(token)
    except (InvalidToken, AlreadyConfirmed, ExpiredToken) as error:
        return link_problem(request, error)
    return signers_page(request, signature, "signatories/confirm.html")


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    try:
        if request.method == "POST":
            signature = services.signature_withdraw(token=token)
            return signers_page(request, signature, "signatories/withdrawn.html")
        signature = Signature.objects.for_withdrawal(token)
        signature.check_withdrawable()
    except (InvalidToken, AlreadyWithdrawn, NotWithdrawable) as error:
        return link_problem(request, error)
    return signers_page(request, signature, "signatories/withdraw.html")
