"""Every listing's `--format` and `--out`, and the one path its rows take to the screen or a file.

A listing command is decorated with ``@listing_output(...)`` and ends with
``emit(render(rows, COLUMNS, fmt), out)``; ``tracker.tabular.render`` makes the text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tracker.cli.options import OUTPUT_FILE
from tracker.tabular import FORMATS


def listing_output(
    *formats: str, default: str = "table"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add `--format` (one of ``formats``, every listing's own choice of table, csv, json,
    xlsx) and `--out FILE` to a command; the command receives ``fmt`` and ``out``."""
    chosen = formats or FORMATS
    unknown = set(chosen) - set(FORMATS)
    if unknown or default not in chosen:
        raise ValueError(f"formats {chosen} / default {default!r} are not of {FORMATS}")

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def checked(*args: Any, **kwargs: Any) -> Any:
            # A workbook without a file is refused before the command reads or logs anything.
            if kwargs.get("fmt") == "xlsx" and kwargs.get("out") is None:
                raise click.UsageError("--format xlsx needs --out FILE.xlsx")
            return command(*args, **kwargs)

        with_out = click.option(
            "--out",
            type=OUTPUT_FILE,
            help="Write to this file instead of the screen"
            + (" (needed for xlsx)." if "xlsx" in chosen else "."),
        )(checked)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(chosen),
            default=default,
            show_default=True,
            help="How to write the rows.",
        )(with_out)

    return decorate


def emit(content: str | bytes, out: Path | None) -> None:
    """Write ``content`` to ``out`` (saying where) or to the screen; a workbook needs a file,
    and a folder that does not exist is refused rather than made."""
    if out is None:
        if isinstance(content, bytes):
            raise click.UsageError("--format xlsx needs --out FILE.xlsx")
        click.echo(content, nl=not content.endswith("\n"))
        return
    if not out.parent.is_dir():
        raise click.ClickException(f"cannot write {out}: folder {out.parent} does not exist")
    try:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}", err=True)
