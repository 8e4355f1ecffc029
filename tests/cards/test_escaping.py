"""User text in cards renders as typed: no markdown list, heading, link or mention of its own,
whatever line breaks it uses."""

from __future__ import annotations

import pytest

from cards import escape_markdown


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("1. first", "1\\. first"),
        ("1) first", "1\\) first"),
        ("a\r1) second", "a\n1\\) second"),
        ("a\r- item", "a\n\\- item"),
        ("a\r\n# title", "a\n\\# title"),
        ("a\u2028> quote", "a\n\\> quote"),
        ("12)", "12\\)"),
        ("-", "\\-"),
        ("[x](https://evil)", "\\[x\\](https://evil)"),
        ("<at>Boss</at>", "\\<at>Boss\\</at>"),
        ("1)x stays", "1)x stays"),
    ],
)
def test_user_text_keeps_no_markdown(typed: str, escaped: str) -> None:
    assert escape_markdown(typed) == escaped
