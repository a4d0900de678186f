"""The work behind each `cardin` command (the CLI module only parses options)."""

TOKEN_HELP_URL = "https://app.pipedrive.com/settings/api"  # noqa: S105 - a URL, not a secret
BILLING_URL = "https://app.pipedrive.com/settings/billing"


class ExitCode:
    """Exit statuses of `cardin lookup` without --json."""

    OK = 0
    USAGE = 2
    INVALID_TOKEN = 3
    PAYMENT_REQUIRED = 4
    UNAVAILABLE = 5
