"""Property tests run under the "ci" Hypothesis profile unless HYPOTHESIS_PROFILE says otherwise."""

import os

import pytest
from hypothesis import HealthCheck, settings


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another profile was chosen"
)
def test_no_property_test_depends_on_the_machines_speed():
    current = settings()
    assert current.deadline is None
    assert HealthCheck.too_slow in current.suppress_health_check


def test_the_dev_profile_keeps_hypothesis_timing_checks():
    dev = settings.get_profile("dev")
    assert dev.deadline is not None
    assert HealthCheck.too_slow not in dev.suppress_health_check
