"""The `cardin` command line: thin adapters from options to the engine, sandbox and service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from cardin.commands import ExitCode
from cardin.links import TOKEN_PAGE_URL
from cardin.pipedrive.urls import DEFAULT_BASE_URL
from cardin.settings import load_settings

app = typer.Typer(
    name="cardin",
    help="Cardin for Gmail: the Pipedrive side panel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def lookup(  # noqa: PLR0917 - typer maps each option to a parameter
    email: Annotated[str, typer.Argument(help="The email address to look up.")],
    token: Annotated[
        str | None, typer.Option(help="Pipedrive API token (default: $PIPEDRIVE_API_TOKEN).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="Pipedrive API base, before /api/v2 (default: $PIPEDRIVE_BASE_URL)."),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            help="Locale for words, dates and money, e.g. de_DE (default: the account's)."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone of the times shown, e.g. Europe/Berlin (default: the Pipedrive "
            "user's, as in the add-on when Gmail sends none)."
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the add-on's JSON answer to Gmail instead."),
    ] = False,
) -> None:
    """Look EMAIL up in one Pipedrive account with every feature on."""
    from cardin.commands.inputs import (  # noqa: PLC0415 - fast --help
        checked_email,
        checked_locale,
        checked_timezone,
    )
    from cardin.commands.lookup import LookupRequest, run_lookup  # noqa: PLC0415

    with _usage_errors():
        email = checked_email(email)
        locale = checked_locale(locale)
        timezone = checked_timezone(timezone)
    settings = load_settings()
    api_token = (
        token
        or (settings.pipedrive_api_token.get_secret_value() if settings.pipedrive_api_token else "")
    ).strip()  # a pasted token often brings a newline or a blank along
    if not api_token:
        _fail(
            f"No Pipedrive API token: pass --token or set PIPEDRIVE_API_TOKEN "
            f"(find yours at {TOKEN_PAGE_URL}).",
            ExitCode.USAGE,
        )
    request = LookupRequest(
        email=email,
        token=api_token,
        base_url=base_url or settings.pipedrive_base_url or DEFAULT_BASE_URL,
        locale=locale,
        timezone=timezone,
        timeout=settings.pipedrive_timeout,
        as_json=as_json,
        public_url=settings.public_url,
    )
    code = asyncio.run(run_lookup(request, console=Console(), errors=Console(stderr=True)))
    raise typer.Exit(code)


@app.command()
def sandbox(  # noqa: PLR0917 - typer maps each option to a parameter
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    data: Annotated[
        str | None, typer.Option(help="JSON data file (default: the demo company).")
    ] = None,
    latency: Annotated[float, typer.Option(help="Added latency per request, in ms.")] = 0.0,
    faults: Annotated[
        str | None,
        typer.Option(help="Faults, e.g. '429:0.1,timeout@/v1/notes,malformed:0.05'."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the fault randomness.")] = 0,
) -> None:
    """Run the Pipedrive API simulator."""
    from cardin.commands.inputs import checked_latency, checked_port  # noqa: PLC0415
    from cardin.commands.sandbox import run_sandbox  # noqa: PLC0415

    with _usage_errors():
        checked_port(port)
        checked_latency(latency)

    code = run_sandbox(host=host, port=port, data=data, latency=latency, faults=faults, seed=seed)
    raise typer.Exit(code)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the demo on 127.0.0.1.")] = 8765,
    data_dir: Annotated[
        str | None,
        typer.Option(help="Keep the demo's connectors in this folder (default: a temporary one)."),
    ] = None,
) -> None:
    """Run the sandbox, the add-on and the side-panel preview: open http://127.0.0.1:PORT/."""
    from cardin.commands.demo import run_demo  # noqa: PLC0415
    from cardin.commands.inputs import checked_port  # noqa: PLC0415

    with _usage_errors():
        checked_port(port)

    raise typer.Exit(run_demo(port=port, data_dir=data_dir, console=Console()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    allow_memory_cache: Annotated[
        bool,
        typer.Option(
            help="Let several workers keep a cache each (a repeat open on another worker "
            "looks up again)."
        ),
    ] = False,
) -> None:
    """Run the add-on HTTP service (Google calls it)."""
    from cardin.commands.inputs import (  # noqa: PLC0415
        checked_port,
        checked_shared_cache,
        checked_workers,
    )
    from cardin.commands.serve import run_serve  # noqa: PLC0415

    settings = load_settings()
    with _usage_errors():
        checked_port(port)
        checked_workers(workers)
        checked_shared_cache(
            settings.cache_url,
            workers,
            allow_memory_cache=allow_memory_cache,
            signs_in=bool(settings.pipedrive_client_id or settings.pipedrive_client_secret),
        )

    raise typer.Exit(run_serve(settings, host=host, port=port, workers=workers))


@app.command()
def deployment(
    url: Annotated[str, typer.Option(help="The service's public HTTPS base URL.")],
) -> None:
    """Print the deployment.json for `gcloud workspace-add-ons deployments create`."""
    import json  # noqa: PLC0415

    from cardin.commands.deployment import deployment as descriptor  # noqa: PLC0415

    if not url.startswith("https://"):
        _fail("The add-on's URL must be https:// (Google calls it over HTTPS).", ExitCode.USAGE)
    typer.echo(json.dumps(descriptor(url), indent=2))


db_app = typer.Typer(help="The connector database: schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _database_url() -> str:
    from cardin.store import default_database_url  # noqa: PLC0415

    settings = load_settings()
    return settings.database_url or default_database_url(settings.data_dir)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database ($CARDIN_DATABASE_URL or the embedded SQLite) to the newest schema."""
    from cardin.commands.db import run_db_upgrade  # noqa: PLC0415

    raise typer.Exit(run_db_upgrade(_database_url(), console=Console()))


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision (status 1 when an upgrade is due)."""
    from cardin.commands.db import run_db_current  # noqa: PLC0415

    raise typer.Exit(run_db_current(_database_url(), console=Console()))


@contextlib.contextmanager
def _usage_errors() -> Iterator[None]:
    """Turn a refused option (InputError) into its one line and exit status 2."""
    from cardin.commands.inputs import InputError  # noqa: PLC0415

    try:
        yield
    except InputError as exc:
        _fail(str(exc), ExitCode.USAGE)


def _fail(message: str, code: int) -> NoReturn:
    # a Text, not markup: the message may quote what the user typed, brackets and all
    Console(stderr=True).print(Text(message, style="red"), soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def main() -> None:
    """The command line (the `cardin` script starts it through `cardin.command`)."""
    app(prog_name="cardin")


if __name__ == "__main__":  # pragma: no cover
    main()
