"""One-line notices for the person running Pulumi.

The provider process's stderr is shown by the Pulumi CLI, so a line there is the way to say
something that is not an error (manifest validation skipped, why a replacement is planned).
"""

from __future__ import annotations

import sys

PREFIX = "launchdarkly: "


def notify(line: str) -> None:
    """Write one line on stderr, flushed at once so that it is not lost if the process is stopped."""
    text = " ".join(line.split())  # one line, whatever the parts contained
    print(f"{PREFIX}{text}", file=sys.stderr, flush=True)
