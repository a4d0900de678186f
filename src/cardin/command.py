"""The `cardin` command's entry point, which loads the command line only when it runs.

`cardin serve --workers N` starts each worker with multiprocessing's spawn, which first imports
the parent's main script: the `cardin` command. Pointing the command here rather than at
`cardin.cli` keeps typer and rich (about 3.5 MB of each worker's memory) out of the workers,
which load what the service needs and nothing of the command line.
"""

from __future__ import annotations


def main() -> None:
    """Run the command line (`cardin.cli`)."""
    from cardin.cli import main as run  # noqa: PLC0415 - not in the workers (see above)

    run()
