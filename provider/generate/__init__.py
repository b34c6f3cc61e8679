"""Write a Pulumi program that adopts existing integration configurations: `python -m provider.generate`.

The program declares each configuration with `import_id`, every non-secret value filled in, and
each secret read from stack config, so that its first `pulumi up` changes nothing but re-sending
the secrets LaunchDarkly cannot show.
"""

from .plan import PlannedConfiguration, SecretSetting, plan_configurations
from .program import render_program

__all__ = ["PlannedConfiguration", "SecretSetting", "plan_configurations", "render_program"]
