"""Email addresses in cards wrap after "@" and before ".", never in the middle of a word (nor
after a hyphen)."""

from __future__ import annotations

import pytest

from cardin.cards.widgets import WORD_JOINER as WJ
from cardin.cards.widgets import ZERO_WIDTH_SPACE as ZW
from cardin.cards.widgets import breakable_email

ADDRESSES = [
    ("maria.svensson@aurora-demo.example", f"maria{ZW}.svensson@{ZW}aurora-{WJ}demo{ZW}.example"),
    ("a@b", f"a@{ZW}b"),
    (".a@b.", f".a@{ZW}b{ZW}."),  # nothing before the first character or after the last
    ("a@", "a@"),
    ("", ""),
    ("no-at-sign", f"no-{WJ}at-{WJ}sign"),
]


@pytest.mark.parametrize(("address", "shown"), ADDRESSES)
def test_an_address_may_break_after_the_at_sign_and_before_each_dot(
    address: str, shown: str
) -> None:
    assert breakable_email(address) == shown
    assert shown.replace(ZW, "").replace(WJ, "") == address  # nothing else changes


def test_an_address_already_breakable_is_not_broken_twice() -> None:
    once = breakable_email("ada@engines-of-london.example")
    assert breakable_email(once) == once
    assert (once.count(ZW), once.count(WJ)) == (2, 2)
