"""What happened to each input file, and the contract's exit code for a load."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXIT_ALL_LOADED = 0
EXIT_NOTHING_LOADED = 1
EXIT_SOME_REJECTED = 3


@dataclass
class FileResult:
    """What happened to one input file."""

    path: Path
    kind: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reject_file: Path | None = None
    refused: str | None = None
    skipped: bool = False  # not a regular file: never opened
    warnings: list[str] = field(default_factory=list)
    source_file_id: int | None = None
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        """The line the command prints for this file."""
        if self.refused:
            return f"{self.path}: refused, nothing loaded: {self.refused}"
        line = (
            f"{self.path}: read {self.read}, loaded {self.loaded} (new {self.new}, "
            f"updated {self.updated}, unchanged {self.unchanged}), rejected {self.rejected}"
        )
        if self.reject_file is not None:
            line += f"; rejects in {self.reject_file}"
        return line

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "read": self.read,
            "loaded": self.loaded,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "reject_file": str(self.reject_file) if self.reject_file else None,
            "refused": self.refused,
        }

    def refuse(self, reason: str) -> None:
        """Nothing of the file is kept: its counts go back to nothing, and why is noted."""
        self.read = self.new = self.updated = self.unchanged = self.rejected = 0
        self.reject_file = None
        self.refused = reason

    def check_counts(self) -> None:
        """Rows read = rows loaded + rows rejected, always."""
        if self.read != self.loaded + self.rejected:  # pragma: no cover - a bug if seen
            raise RuntimeError(
                f"{self.path}: read {self.read} but loaded {self.loaded} "
                f"and rejected {self.rejected}"
            )


def exit_code(results: list[FileResult]) -> int:
    """0 when every row loaded, 3 when some were rejected and the rest loaded, 1 when nothing
    could be loaded."""
    troubled = any(r.refused or r.rejected for r in results)
    if not troubled:
        return EXIT_ALL_LOADED
    if sum(r.loaded for r in results) == 0:
        return EXIT_NOTHING_LOADED
    return EXIT_SOME_REJECTED
