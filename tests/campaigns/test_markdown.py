import pytest

from campaigns.markdown import render_markdown
from tests.factories import LetterFactory

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">hi</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg><script>alert(1)</script></svg>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_comes_out_inert(source):
    html = render_markdown(source).lower()

    for dangerous in ("<script", "javascript:", "onerror", "onclick", "<iframe", "<style", "data:"):
        assert dangerous not in html


def test_ordinary_markdown_renders():
    html = render_markdown("## Our ask\n\n1. **Act** now\n2. See [the report](https://example.org)")

    assert "<h2>Our ask</h2>" in html
    assert "<ol>" in html and "<strong>Act</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.mark.django_db
def test_a_hostile_body_is_inert_on_the_public_page(client):
    letter = LetterFactory(body="Hello <script>alert('x')</script> [x](javascript:alert(2))")

    html = client.get(letter.get_absolute_url()).text

    assert "alert(" not in html
    assert "javascript:" not in html
