"""docker/cli template semantics and type casts (compose-deploy.md §5.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.compose.interpolate import (
    TemplateError,
    caster_for,
    interpolate,
    substitute,
)
from swarmsim.compose.yamlv3 import GeneralMap
from swarmsim.foundation.errors import InputError

ENV = {"EMPTY_VAR": "", "HOME": "/home/user", "TAG": "1.2", "N": "3"}


def lookup(name: str) -> tuple[str, bool]:
    return (ENV[name], True) if name in ENV else ("", False)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("plain text", "plain text"),
        ("$HOME", "/home/user"),
        ("${HOME}/x", "/home/user/x"),
        ("${UNSET_VAR}", ""),  # unset: empty, no warning
        ("$$HOME", "$HOME"),
        ("$$", "$"),
        ("${UNSET_VAR:-dflt}", "dflt"),
        ("${EMPTY_VAR:-dflt}", "dflt"),
        ("${UNSET_VAR-dflt}", "dflt"),
        ("${EMPTY_VAR-dflt}", ""),
        ("${TAG:-latest}", "1.2"),
        ("${TAG:?needed}", "1.2"),
        ("${EMPTY_VAR?ok}", ""),
        ("${home}", ""),  # names are case-sensitive in the environment
        # no nesting: the default ends at the first "}"
        ("${UNSET_VAR:-${HOME}}", "${HOME}"),
        ("${TAG:-${HOME}}", "1.2}"),
        # the corpus' interp_escape command
        (
            "echo $$HOME ${UNSET_VAR} ${UNSET_VAR-dflt} ${EMPTY_VAR:-dflt2} ${EMPTY_VAR-notused}",
            "echo $HOME  dflt dflt2 ",
        ),
        # docker quirks kept on purpose
        ("$HOME-dir/x", "/home/user"),  # unbraced "-" starts a default that runs to the end
        ("${UNSET_VAR:?a-b}", "b"),  # the "-" default rule is tried before ":?"
        ("${UNSET_VAR:?boom} $N", " 3"),  # a later substitution clears the error
    ],
)
def test_substitution_forms(template: str, expected: str) -> None:
    assert substitute(template, lookup) == expected


@pytest.mark.parametrize(
    ("template", "quoted"),
    [
        ("${IMAGE", "${IMAGE"),
        ("cost: $5", "cost: $5"),
        ("trailing $", "trailing $"),
        ("${}", "${}"),
        (
            "${UNSET_VAR:?image must be set}",
            "required variable UNSET_VAR is missing a value: image must be set",
        ),
        ("${EMPTY_VAR:?empty}", "required variable EMPTY_VAR is missing a value: empty"),
        ("${UNSET_VAR?}", "required variable UNSET_VAR is missing a value: "),
    ],
)
def test_substitution_errors(template: str, quoted: str) -> None:
    with pytest.raises(TemplateError) as err:
        substitute(template, lookup)
    assert err.value.template == quoted


def test_interpolation_error_messages() -> None:
    with pytest.raises(InputError) as err:
        interpolate({"services": {"web": {"image": "${IMAGE"}}}, ENV)
    assert err.value.message == (
        'invalid interpolation format for services.web.image: "${IMAGE"; '
        "you may need to escape any $ with another $"
    )
    assert err.value.keys == ("services", "web", "image")
    with pytest.raises(InputError) as err:
        interpolate({"services": {"web": {"image": "${IMAGE:?image must be set}"}}}, {})
    assert err.value.message == (
        'invalid interpolation format for services.web.image: "required variable IMAGE is '
        'missing a value: image must be set"; you may need to escape any $ with another $'
    )


def test_list_items_are_named_with_brackets_in_messages() -> None:
    config = {"services": {"web": {"environment": ["A=1", "B=${X"]}}}
    with pytest.raises(InputError) as err:
        interpolate(config, ENV)
    assert err.value.message.startswith(
        'invalid interpolation format for services.web.environment.[]: "B=${X"'
    )
    assert err.value.keys == ("services", "web", "environment", 1)


def test_casts_after_substitution() -> None:
    config = {
        "services": {
            "web": {
                "deploy": {
                    "replicas": "${N}",
                    "update_config": {"max_failure_ratio": "${R:-0.25}", "parallelism": "$N"},
                },
                "read_only": "${RO:-Yes}",
                "ports": [{"target": "${P:-80}", "published": 8080}],
                "ulimits": {"nofile": {"soft": "${S:-10}", "hard": "20"}},
                "cpus_note": "${N}",
            }
        },
        "networks": {"front": {"external": "${EXT:-off}"}},
    }
    out = interpolate(config, ENV)
    web = out["services"]["web"]
    assert web["deploy"]["replicas"] == 3
    assert web["deploy"]["update_config"] == {"max_failure_ratio": 0.25, "parallelism": 3}
    assert web["read_only"] is True
    assert web["ports"] == [{"target": 80, "published": 8080}]
    # a value without a substitution is never cast (the schema then rejects "20")
    assert web["ulimits"]["nofile"] == {"soft": 10, "hard": "20"}
    assert web["cpus_note"] == "3"  # not a typed path: stays a string
    assert out["networks"]["front"]["external"] is False


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("deploy", "replicas"),
            "${REPLICAS:-four}",
            'strconv.Atoi: parsing "four": invalid syntax',
        ),
        (
            ("deploy", "replicas"),
            "${R:-99999999999999999999}",
            'strconv.Atoi: parsing "99999999999999999999": value out of range',
        ),
        (("deploy", "replicas"), "${R:-1_0}", 'strconv.Atoi: parsing "1_0": invalid syntax'),
        (
            ("deploy", "update_config", "max_failure_ratio"),
            "${R:-x}",
            'strconv.ParseFloat: parsing "x": invalid syntax',
        ),
        (("privileged",), "${R:-maybe}", "invalid boolean: maybe"),
    ],
)
def test_cast_errors(path: tuple[str, ...], value: str, message: str) -> None:
    svc: dict = {}
    node = svc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        interpolate({"services": {"web": svc}}, ENV)
    dotted = ".".join(("services", "web", *path))
    assert err.value.message == (
        f"error while interpolating {dotted}: failed to cast to expected type: {message}"
    )


def test_keys_are_not_interpolated_and_x_values_are() -> None:
    out = interpolate({"x-$HOME": {"${N}": "$HOME"}}, ENV)
    assert out == {"x-$HOME": {"${N}": "/home/user"}}


def test_non_string_keyed_maps_are_left_alone() -> None:
    general = GeneralMap({1: "${IMAGE"})
    assert interpolate({"a": general}, ENV)["a"] is general


def test_cast_table_matches_docker_paths() -> None:
    assert caster_for("services.web.deploy.replicas") is not None
    assert caster_for("services.web.secrets.[].mode") is not None
    assert caster_for("services.web.ulimits.nproc") is not None
    assert caster_for("volumes.data.external") is not None
    # a service name containing a dot splits into extra parts, so docker never casts it
    assert caster_for("services.web.app.deploy.replicas") is None
    assert caster_for("services.web.deploy.resources.limits.cpus") is None


@given(st.text().filter(lambda s: "$" not in s))
def test_text_without_dollar_is_unchanged(text: str) -> None:
    assert substitute(text, lookup) == text


@given(st.text())
def test_doubling_every_dollar_escapes_everything(text: str) -> None:
    assert substitute(text.replace("$", "$$"), lookup) == text
