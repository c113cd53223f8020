"""Sharing a letter: the page's OpenGraph and Twitter card metadata, and plain share links to
the usual services. Only links: no service's script or image is loaded from the page."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.urls import reverse

from config.site import absolute_url
from publication.headlines import as_sentence, headline


@dataclass(frozen=True)
class Share:
    url: str  # the letter's address
    title: str
    description: str  # "N organisations from M countries have signed. <summary>"
    links: list[tuple[str, str]]  # (service, link)
    image: str  # the share card (a 1200 by 630 PNG), at an address that changes with the counts
    image_alt: str


def letter_share(letter, counts) -> Share:
    url = absolute_url(letter.get_absolute_url())
    description = " ".join(filter(None, [_headline(counts), letter.summary]))
    text = f"{letter.title} {url}"
    links = [
        ("Email", f"mailto:?{urlencode({'subject': letter.title, 'body': url}, quote_via=quote)}"),
        ("Mastodon", f"https://mastodonshare.com/?{urlencode({'text': text})}"),
        ("Bluesky", f"https://bsky.app/intent/compose?{urlencode({'text': text})}"),
        ("X", f"https://x.com/intent/post?{urlencode({'text': letter.title, 'url': url})}"),
        ("WhatsApp", f"https://wa.me/?{urlencode({'text': text})}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?{urlencode({'url': url})}"),
    ]
    card = reverse("publication:letter_card", kwargs={"slug": letter.slug})
    return Share(
        url=url,
        title=letter.title,
        description=description,
        links=links,
        image=absolute_url(f"{card}?v={letter.published_version}"),
        image_alt=" ".join(filter(None, [letter.title, _headline(counts)])),
    )


def _headline(counts) -> str:
    return as_sentence(headline(counts)) if counts.signatories else ""
