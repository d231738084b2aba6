"""One place for the property tests' budget: ~200 examples each keeps CI fast; set
``YJPLAN_PROPERTY_EXAMPLES=5000`` for a deeper local fuzzing run."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("YJPLAN_PROPERTY_EXAMPLES", "200"))


def budget(share: float = 1.0) -> settings:
    return settings(
        max_examples=max(10, int(EXAMPLES * share)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
