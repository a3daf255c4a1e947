"""`tracker demo` and `tracker generate`: synthetic data and a working demonstration."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from tracker.cli.app import AppContext
from tracker.cli.options import DATE, GENERATED_ROWS, OUTPUT_FOLDER, PORT, SEED


@click.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tracker-demo"),
    show_default=True,
    help="Folder for the demo's fresh SQLite file and its outputs (replaced each time).",
)
@click.option(
    "--serve",
    "then_serve",
    is_flag=True,
    help="Then start the web application on the demo's database (as `tracker serve`).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve.")
@click.option("--port", default=8000, show_default=True, type=PORT, help="With --serve.")
@click.pass_context
def demo(ctx: click.Context, workdir: Path, then_serve: bool, host: str, port: int) -> None:
    """Run the whole nightly job on the bundled synthetic inbox (data/samples) in a fresh
    SQLite file, add one demo person per role, then say what it found, where every output
    is and how to open it in the browser."""
    from tracker.demo import run_demo

    app = ctx.ensure_object(AppContext)
    try:
        result = run_demo(workdir, echo=click.echo, settings=app.settings)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    if result.nightly.status != "succeeded":
        sys.exit(1)
    if then_serve:
        from tracker.cli.serve import serve

        # `tracker serve` itself, on the demo's database and data folder
        ctx.obj = AppContext(result.settings)
        ctx.call_on_close(ctx.obj.close)
        ctx.invoke(serve, host=host, port=port)


class _ProfileChoice(click.Choice):
    """The generator's profiles, read only when needed: importing the generator (numpy,
    pandas) would slow the start of every other command."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from tracker.synthetic.profiles import PROFILES

        return tuple(PROFILES)

    @choices.setter
    def choices(self, value: object) -> None:
        """Choice.__init__ assigns the choices; the profiles module holds them instead."""


class _GenerateCommand(click.Command):
    """`tracker generate --help` lists the profiles, one line each, after the options."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        from tracker.synthetic.profiles import PROFILES

        with formatter.section("Profiles"):
            formatter.write_dl([(p.name, p.summary) for p in PROFILES.values()])


@click.command(cls=_GenerateCommand)
@click.option("--out", required=True, type=OUTPUT_FOLDER)
@click.option(
    "--offenders", default=300, show_default=True, type=GENERATED_ROWS, help="Register entries."
)
@click.option(
    "--travel", default=3000, show_default=True, type=GENERATED_ROWS, help="Travel records."
)
@click.option("--seed", default=7, show_default=True, type=SEED, help="Same seed, same files.")
@click.option(
    "--as-of",
    type=DATE,
    default="2026-11-20",
    show_default=True,
    help="The date the planted compliance failures are true on.",
)
@click.option(
    "--profile",
    type=_ProfileChoice(),
    default="default",
    show_default=True,
    help="Carrier habits: today's mix, or a stress profile that turns one habit up (below).",
)
def generate(
    out: Path, offenders: int, travel: int, seed: int, as_of: datetime, profile: str
) -> None:
    """Write a synthetic inbox (the contract's files) plus ground truth, for demos, tests and
    benchmarks. Every name and detail is invented."""
    from tracker.synthetic import generate as generate_inbox

    summary = generate_inbox(
        out,
        offenders=offenders,
        travel=travel,
        seed=seed,
        as_of=as_of.date(),
        progress=sys.stderr.isatty(),
        profile=profile,
    )
    files = ", ".join(f"{name} {n:,}" for name, n in summary.counts.items())
    shown = "" if profile == "default" else f", profile {profile}"
    click.echo(
        f"wrote a synthetic inbox to {out} in {summary.seconds:.1f}s (seed {seed}, as of "
        f"{summary.as_of}{shown}): {files}"
    )
