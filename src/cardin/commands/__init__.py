"""The work behind each `cardin` command (the CLI module only parses options)."""

from cardin.links import BILLING_PAGE_URL, TOKEN_PAGE_URL

TOKEN_HELP_URL = TOKEN_PAGE_URL
BILLING_URL = BILLING_PAGE_URL


class ExitCode:
    """Exit statuses of `cardin lookup` without --json."""

    OK = 0
    USAGE = 2
    INVALID_TOKEN = 3
    PAYMENT_REQUIRED = 4
    UNAVAILABLE = 5
