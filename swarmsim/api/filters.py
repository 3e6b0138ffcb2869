"""The ``filters`` query parameter: ``{"key": {"value": true}}`` (or the legacy
``{"key": ["value"]}``), checked against the keys an endpoint accepts, as moby's
``filters.FromJSON`` and ``Args.Validate`` do."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from swarmsim.api.errors import bad_request

Filters = dict[str, list[str]]


def parse(raw: str | None, accepted: Iterable[str]) -> Filters:
    """The filters of a request; raises ApiError 400 with docker's words."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise bad_request("invalid filter: " + raw) from None
    if not isinstance(data, dict):
        raise bad_request("invalid filter: " + raw)
    out: Filters = {}
    for key, values in data.items():
        if isinstance(values, Mapping):
            out[str(key)] = [str(v) for v, on in values.items() if on]
        elif isinstance(values, list):
            out[str(key)] = [str(v) for v in values]
        else:
            raise bad_request("invalid filter: " + raw)
    allowed = set(accepted)
    for key in out:
        if key not in allowed:
            raise bad_request(f"invalid filter '{key}'")
    return out


def prefix_ok(values: list[str] | None, text: str) -> bool:
    """A name or id prefix filter (any of the values), or no filter."""
    return not values or any(text.startswith(v) for v in values)


def labels_ok(values: list[str] | None, labels: Mapping[str, str]) -> bool:
    """``label=key`` (present) or ``label=key=value`` (equal), all of them."""
    for item in values or ():
        key, eq, value = item.partition("=")
        if key not in labels or (eq and labels[key] != value):
            return False
    return True
