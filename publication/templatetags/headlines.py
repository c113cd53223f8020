from django import template

from publication.headlines import headline_html

register = template.Library()


@register.simple_tag
def headline(counts):
    """The letter's headline with its two counts in <strong> (publication.headlines)."""
    return headline_html(counts)
