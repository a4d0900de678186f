"""The `cardin` command line: thin adapters from options to the engine, sandbox and service."""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from cardin.commands import TOKEN_HELP_URL, ExitCode
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
def lookup(
    email: Annotated[str, typer.Argument(help="The email address to look up.")],
    token: Annotated[
        str | None, typer.Option(help="Pipedrive API token (default: $PIPEDRIVE_API_TOKEN).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="Pipedrive API base, before /api/v2 (default: $PIPEDRIVE_BASE_URL)."),
    ] = None,
    locale: Annotated[
        str | None, typer.Option(help="Locale for dates and money (default: the account's).")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the add-on's JSON answer to Gmail instead."),
    ] = False,
) -> None:
    """Look EMAIL up in one Pipedrive account with every feature on."""
    from cardin.commands.lookup import LookupRequest, run_lookup  # noqa: PLC0415 - fast --help

    settings = load_settings()
    api_token = token or (
        settings.pipedrive_api_token.get_secret_value() if settings.pipedrive_api_token else None
    )
    if not api_token:
        _fail(
            f"No Pipedrive API token: pass --token or set PIPEDRIVE_API_TOKEN "
            f"(find yours at {TOKEN_HELP_URL}).",
            ExitCode.USAGE,
        )
    request = LookupRequest(
        email=email,
        token=api_token,
        base_url=base_url or settings.pipedrive_base_url or DEFAULT_BASE_URL,
        locale=locale,
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
    from cardin.commands.sandbox import run_sandbox  # noqa: PLC0415

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

    raise typer.Exit(run_demo(port=port, data_dir=data_dir, console=Console()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the add-on HTTP service (Google calls it)."""
    from cardin.commands.serve import run_serve  # noqa: PLC0415

    raise typer.Exit(run_serve(load_settings(), host=host, port=port, workers=workers))


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


def _fail(message: str, code: int) -> NoReturn:
    Console(stderr=True).print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(code)


def main() -> None:
    """Entry point of the `cardin` script."""
    app(prog_name="cardin")


if __name__ == "__main__":  # pragma: no cover
    main()
