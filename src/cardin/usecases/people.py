"""The people an action is about: an address with the name it came with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Participant:
    """One address of the message; `email` is lower-case, `role` is "from", "to" or "cc"."""

    email: str
    name: str | None
    role: str

    @classmethod
    def of(cls, email: str, name: str | None = None, role: str = "from") -> Participant:
        """A participant from an address given elsewhere (a card parameter, a search field)."""
        tidy = " ".join((name or "").split())
        return cls(email.strip().lower(), tidy or None, role)

    @property
    def base_email(self) -> str | None:
        """The address without its +tag ("ann+news@x.com" → "ann@x.com"); None without a tag."""
        local, _, domain = self.email.rpartition("@")
        base, plus, _ = local.partition("+")
        return f"{base}@{domain}" if plus and base else None

    @property
    def domain(self) -> str:
        """The part after the @."""
        return self.email.rpartition("@")[2]
