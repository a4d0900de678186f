"""What a card builder needs besides the data: the reader, the features and the add-on's URLs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from cardin.connectors.features import Feature
from cardin.i18n.format import Formatter
from cardin.i18n.messages import Messages, messages_for


@dataclass(frozen=True, kw_only=True)
class CardContext:
    """The reader's locale and zone, the connector's features, the action and icon URLs, and now.

    `action_url` is the absolute URL every card action calls; `icon_base_url` is where the
    icons of `cardin/cards/static/icons` are served; `now` is aware and drives relative times.
    """

    locale: str
    timezone: str
    features: frozenset[Feature]
    action_url: str
    icon_base_url: str
    now: datetime
    connector_id: str | None = None
    # The connector was signed in with Pipedrive (an OAuth grant): its reauth is the sign-in.
    signed_in: bool = False
    # chipList is in developer preview for add-ons in part of Google's docs: an operator can
    # switch it off (CARDIN_CARD_CHIPS=0) and labels become a line of text
    chips: bool = True

    @functools.cached_property
    def fmt(self) -> Formatter:
        """The formatter for this reader (dates, times, money in their locale and zone)."""
        return Formatter(self.locale, self.timezone)

    @functools.cached_property
    def msgs(self) -> Messages:
        """The card's words in the reader's language."""
        return messages_for(self.locale)

    def has(self, feature: Feature) -> bool:
        """Whether the connector shows this feature's section."""
        return feature in self.features
