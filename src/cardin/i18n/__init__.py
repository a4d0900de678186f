"""Locale-dependent output: formatting of dates, times, numbers and money for one reader."""

from cardin.i18n.format import Formatter

__all__ = ["Formatter"]
