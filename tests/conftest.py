"""Shared test settings: hypothesis profiles and optional peers."""

import os

from hypothesis import HealthCheck, settings

# "ci": fixed examples, no deadlines (CI machines stall); "dev": the default locally;
# "thorough": many more examples.  Pick one with AUTOGRAD_MINI_PROFILE=thorough.
settings.register_profile(
    "ci", derandomize=True, max_examples=40, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("AUTOGRAD_MINI_PROFILE", default))
