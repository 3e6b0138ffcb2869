"""The x-swarmsim mapping: swarmsim's container model, with docker-schema-style errors."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.compose.xswarmsim import KEYS, markdown_table, parse_sim_params
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import SimParams


def test_defaults_when_empty():
    assert parse_sim_params({}, "web") == SimParams(
        pull_s=2.0,
        startup_s=1.0,
        stop_s=0.0,
        mtbf_s=None,
        exit_code=1,
        memory_used=None,
        run_time_s=30.0,
    )


def test_every_key():
    params = parse_sim_params(
        {
            "pull": "1m30s",
            "startup": "500ms",
            "stop": "3s",
            "mtbf": "2h",
            "exit_code": 137,
            "memory_used": "60M",
            "run_time": "10s",
        },
        "web",
    )
    assert params == SimParams(90.0, 0.5, 3.0, 7200.0, 137, 60 * 1024 * 1024, 10.0)


def test_integral_float_exit_code_is_an_integer():
    assert parse_sim_params({"exit_code": 2.0}, "web").exit_code == 2


@pytest.mark.parametrize(
    ("value", "message", "keys"),
    [
        ([], "services.web.x-swarmsim must be a mapping", ()),
        ("fast", "services.web.x-swarmsim must be a mapping", ()),
        (None, "services.web.x-swarmsim must be a mapping", ()),
        ({"foo": 1}, "services.web.x-swarmsim Additional property foo is not allowed", ()),
        ({"zz": 1, "aa": 2}, "services.web.x-swarmsim Additional property aa is not allowed", ()),
        ({"pull": 5}, "services.web.x-swarmsim.pull must be a string", ("pull",)),
        ({"pull": "5"}, "services.web.x-swarmsim.pull Does not match format 'duration'", ("pull",)),
        (
            {"pull": "1d"},
            "services.web.x-swarmsim.pull Does not match format 'duration'",
            ("pull",),
        ),
        (
            {"stop": "-1s"},
            "services.web.x-swarmsim.stop Must be greater than or equal to 0",
            ("stop",),
        ),
        ({"mtbf": "0s"}, "services.web.x-swarmsim.mtbf Must be greater than 0", ("mtbf",)),
        ({"exit_code": "1"}, "services.web.x-swarmsim.exit_code must be a integer", ("exit_code",)),
        ({"exit_code": 1.5}, "services.web.x-swarmsim.exit_code must be a integer", ("exit_code",)),
        (
            {"exit_code": True},
            "services.web.x-swarmsim.exit_code must be a integer",
            ("exit_code",),
        ),
        (
            {"exit_code": 256},
            "services.web.x-swarmsim.exit_code Must be less than or equal to 255",
            ("exit_code",),
        ),
        (
            {"exit_code": -1},
            "services.web.x-swarmsim.exit_code Must be greater than or equal to 0",
            ("exit_code",),
        ),
        (
            {"memory_used": 60},
            "services.web.x-swarmsim.memory_used must be a string",
            ("memory_used",),
        ),
        (
            {"memory_used": "60X"},
            "services.web.x-swarmsim.memory_used invalid suffix: 'x'",
            ("memory_used",),
        ),
    ],
)
def test_errors(value, message, keys):
    with pytest.raises(InputError) as err:
        parse_sim_params(value, "web")
    assert err.value.message == message
    assert err.value.keys == ("services", "web", "x-swarmsim", *keys)


def test_key_table_covers_every_sim_field_once():
    fields = [doc.field for doc in KEYS.values()]
    assert sorted(fields) == sorted(f.name for f in dataclasses.fields(SimParams))
    assert all(doc.doc and "\n" not in doc.doc for doc in KEYS.values())


def test_table_defaults_match_the_record():
    default = SimParams()
    for key, doc in KEYS.items():
        if doc.default == "none":
            assert getattr(default, doc.field) is None, key
        else:
            written = {key: int(doc.default) if doc.kind == "integer" else doc.default}
            assert parse_sim_params(written, "web") == default, key


def test_markdown_table_lists_every_key():
    table = markdown_table()
    lines = table.strip().splitlines()
    assert lines[0] == "| key | default | meaning |"
    assert [line.split("`")[1] for line in lines[2:]] == list(KEYS)
