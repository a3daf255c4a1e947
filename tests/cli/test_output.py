"""Every listing's `--format`/`--out` and the one path its output takes (tracker/cli/output.py)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tracker.cli.output import emit, listing_output


@click.command()
@listing_output("table", "csv", "xlsx")
def listing(fmt: str, out) -> None:
    emit(b"PK workbook" if fmt == "xlsx" else f"format {fmt}", out)


def test_listing_output_offers_only_the_chosen_formats_with_the_default_shown():
    runner = CliRunner()
    assert runner.invoke(listing, []).output == "format table\n"
    refused = runner.invoke(listing, ["--format", "json"])
    assert refused.exit_code == 2 and "'json' is not one of" in refused.output
    assert "[default: table]" in runner.invoke(listing, ["--help"]).output


def test_a_workbook_needs_a_file(tmp_path):
    runner = CliRunner()
    refused = runner.invoke(listing, ["--format", "xlsx"])
    assert refused.exit_code == 2 and "--format xlsx needs --out" in refused.output
    written = runner.invoke(listing, ["--format", "xlsx", "--out", str(tmp_path / "q.xlsx")])
    assert written.exit_code == 0 and (tmp_path / "q.xlsx").read_bytes() == b"PK workbook"


def test_a_missing_folder_is_refused_not_made(tmp_path):
    target = tmp_path / "missing" / "x.csv"
    result = CliRunner().invoke(listing, ["--format", "csv", "--out", str(target)])
    assert result.exit_code == 1 and "folder" in result.output and "does not exist" in result.output
    assert not target.parent.exists()


def test_a_listing_cannot_offer_a_format_the_renderer_lacks():
    with pytest.raises(ValueError):
        listing_output("table", "html")


def test_a_workbook_without_a_file_is_refused_before_the_command_runs():
    ran = []

    @click.command()
    @listing_output("table", "xlsx")
    def counted(fmt: str, out) -> None:
        ran.append(fmt)

    result = CliRunner().invoke(counted, ["--format", "xlsx"])
    assert result.exit_code == 2 and "--format xlsx needs --out" in result.output
    assert ran == []


def test_a_text_file_written_ends_with_a_newline(tmp_path):
    target = tmp_path / "rows.csv"
    assert CliRunner().invoke(listing, ["--format", "csv", "--out", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == "format csv\n"
