"""The benchmarks still run: `python -m benchmarks --quick` on tiny sizes prints every row and writes
its report into the marked section of a file.

Only the shape of the output is checked, never a timing: the numbers are the benchmarks' business,
and this machine is shared and noisy.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- benchmarks:begin"
END = "<!-- benchmarks:end -->"

# Section title (start) -> the first cell of every row it must have.
EXPECTED_ROWS = {
    "Targets": [
        "1. calls per step",
        "2. bulk wall / rate-limit bound",
        "3. overhead per operation",
        "4. cold start",
        "5. preview per resource, the provider's check + diff",
        "5. preview per resource, through the plugin process",
    ],
    "1. HTTP calls per lifecycle step": [
        "create",
        "unchanged up",
        "update",
        "refresh",
        "preview (check + diff)",
        "delete",
    ],
    "2. Bulk apply under a route rate limit": ["8"],
    "3. Time per operation": ["create", "read", "update", "delete"],
    "4. Cold start": [
        "spawn to first Create answered: this provider",
        "spawn to first Create answered: trivial provider",
        "import provider",
        "import pulumi.dynamic (any dynamic provider's plugin)",
        "import provider.lifecycle after pulumi.dynamic (what this provider adds)",
    ],
    "5. Preview cost per resource": ["nothing changed", "every name changed"],
}
BULK_CLIENTS = ["this provider", "official client, no retries", "fixed policy (Terraform's)"]


def sections(report: str) -> dict[str, list[list[str]]]:
    """Each `### title` with its table rows, split into cells (header and separator left out)."""
    found: dict[str, list[list[str]]] = {}
    rows: list[list[str]] = []
    for line in report.splitlines():
        if line.startswith("### "):
            rows = found.setdefault(line[4:], [])
        elif line.startswith("| ") and not re.fullmatch(r"\|(---\|)+", line.replace(" ", "")):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return {title: table[1:] for title, table in found.items()}  # the first row is the header


def test_quick_run_prints_every_row_and_writes_the_marked_section(tmp_path: Path) -> None:
    document = tmp_path / "benchmarks.md"
    document.write_text(f"# Benchmarks\n\nHand-written prose stays.\n\n{BEGIN} -->\nstale table\n{END}\n")
    tiny = ["--sizes", "8", "--limit", "4", "--window", "0.2", "--iterations", "2"]
    tiny += ["--repetitions", "1", "--preview-count", "5"]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", *tiny, "--write", str(document)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    found = sections(done.stdout)
    for title, first_cells in EXPECTED_ROWS.items():
        matching = [name for name in found if name.startswith(title)]
        assert len(matching) == 1, f"no single section {title!r} in:\n{done.stdout}"
        rows = found[matching[0]]
        assert {row[0] for row in rows} >= set(first_cells), f"{title}: rows {[row[0] for row in rows]}"
    bulk = found[next(name for name in found if name.startswith("2. Bulk"))]
    assert [row[3] for row in bulk] == BULK_CLIENTS
    for marker in ("date:", "machine:", "Python ", "pulumi "):
        assert marker in done.stdout

    written = document.read_text()
    assert written.startswith("# Benchmarks\n\nHand-written prose stays.\n")
    assert "stale table" not in written
    assert written.count(BEGIN) == 1 and written.count(END) == 1
    assert done.stdout.strip() in written
