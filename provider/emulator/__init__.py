"""A local emulator of LaunchDarkly's integration-configurations API, for tests and offline work.

It speaks HTTP like the real service (auth, beta header, validation against the bundled manifests,
secret obfuscation, JSON Patch) and records every request so tests can inspect what was sent.
"""

from .errors import ApiError
from .faults import Faults, ScriptedAnswer
from .recording import RecordedRequest
from .server import Emulator, running_emulator

__all__ = ["ApiError", "Emulator", "Faults", "RecordedRequest", "ScriptedAnswer", "running_emulator"]
