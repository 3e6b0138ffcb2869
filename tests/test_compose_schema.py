"""The compose v3 schemas and docker's choice of the one error to print (§6.2, §6.3)."""

from __future__ import annotations

import math

import pytest

from swarmsim.compose import schema
from swarmsim.compose.schema_data import schema_for, supported
from swarmsim.compose.yamlv3 import GeneralMap, parse
from swarmsim.foundation.errors import InputError


def schema_error(text: str) -> InputError:
    config, _ = parse(text)
    version = str(config.get("version", "3.13"))
    with pytest.raises(InputError) as err:
        schema.validate(config, version)
    return err.value


def message(text: str) -> str:
    return schema_error(text).message


def accepts(text: str) -> bool:
    config, _ = parse(text)
    schema.validate(config, str(config.get("version", "3.13")))
    return True


def svc(body: str, version: str = "3.8") -> str:
    """A one-service file; ``body`` is indented under ``services.web``."""
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return f'version: "{version}"\nservices:\n  web:\n    image: nginx\n{lines}'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("foo: bar", "services.web Additional property foo is not allowed"),
        ("deploy: {replica: 3}", "services.web.deploy Additional property replica is not allowed"),
        ("deploy: {x-foo: 1}", "services.web.deploy Additional property x-foo is not allowed"),
        ("deploy: {replicas: '3'}", "services.web.deploy.replicas must be a integer"),
        ("deploy: {replicas: 1.5}", "services.web.deploy.replicas must be a integer"),
        (
            "deploy: {resources: {limits: {cpus: 0.5}}}",
            "services.web.deploy.resources.limits.cpus must be a string",
        ),
        (
            "deploy: {update_config: {delay: 10}}",
            "services.web.deploy.update_config.delay must be a string",
        ),
        (
            "deploy: {update_config: {delay: 10 seconds}}",
            "services.web.deploy.update_config.delay Does not match format 'duration'",
        ),
        (
            "stop_grace_period: 1d",
            "services.web.stop_grace_period Does not match format 'duration'",
        ),
        (
            "deploy: {update_config: {order: first-start}}",
            "services.web.deploy.update_config.order services.web.deploy.update_config.order "
            'must be one of the following: "start-first", "stop-first"',
        ),
        (
            "deploy: {update_config: {max_failure_ratio: '0.2'}}",
            "services.web.deploy.update_config.max_failure_ratio must be a number",
        ),
        (
            "deploy: {labels: {traefik.enable: true}}",
            "services.web.deploy.labels.traefik.enable must be a string, number or null",
        ),
        (
            "deploy: {labels: [a=1, a=1]}",
            "services.web.deploy.labels array items[0,1] must be unique",
        ),
        ("deploy: [1]", "services.web.deploy must be a mapping or null"),
        ("deploy: x", "services.web.deploy must be a mapping or null"),
        ("environment: FOO=1", "services.web.environment must be a mapping"),
        ("environment: [5]", "services.web.environment.0 must be a string"),
        ("command: 123", "services.web.command must be a string"),
        ("networks: front", "services.web.networks must be a list"),
        ("volumes: [5]", "services.web.volumes.0 must be a string"),
        ("volumes: [{source: d, target: /d}]", "services.web.volumes.0 type is required"),
        (
            "volumes: [{type: tmpfs, target: /t, tmpfs: {size: -1}}]",
            "services.web.volumes.0.tmpfs.size Must be greater than or equal to 0",
        ),
        (
            "ports: [{target: 80, published: '8080'}]",
            "services.web.ports.0.published must be a integer",
        ),
        (
            "ports: [{target: 80, host_ip: x}]",
            "services.web.ports.0 Additional property host_ip is not allowed",
        ),
        ("ports: ['80:80', '80:80']", "services.web.ports array items[0,1] must be unique"),
        ("healthcheck: {interval: 30}", "services.web.healthcheck.interval must be a string"),
        ("ulimits: {nofile: {soft: 1}}", "services.web.ulimits.nofile hard is required"),
        (
            "depends_on: {db: {condition: service_healthy}}",
            "services.web.depends_on must be a list",
        ),
        ("env_file: [{path: ./x}]", "services.web.env_file.0 must be a string"),
        (
            "deploy: {placement: {preferences: [spread=x]}}",
            "services.web.deploy.placement.preferences.0 must be a mapping",
        ),
    ],
)
def test_docker_messages(body: str, expected: str) -> None:
    assert message(svc(body)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'version: "3.8"\nhelicopters: {}\n',
            "(root) Additional property helicopters is not allowed",
        ),
        ("name: x\nservices: {}\n", "(root) Additional property name is not allowed"),
        (
            'version: "3.8"\nservices:\n  "web app": {image: x}\n',
            "services Additional property web app is not allowed",
        ),
        ('version: "3.8"\nservices:\n  web:\n', "services.web must be a mapping"),
        ('version: "3.8"\nservices: [web]\n', "services must be a mapping"),
        (
            'version: "3.8"\nnetworks:\n  n: {external: "yes"}\n',
            "networks.n.external must be a boolean or mapping",
        ),
        (
            'version: "3.8"\nnetworks:\n  f: {drivr: overlay}\n',
            "networks.f Additional property drivr is not allowed",
        ),
        (
            'version: "3.8"\nsecrets:\n  s: {filename: x}\n',
            "secrets.s Additional property filename is not allowed",
        ),
        ("version: 3.8\n", "version must be a string"),
    ],
)
def test_top_level_messages(text: str, expected: str) -> None:
    assert message(text) == expected


def test_deepest_error_wins() -> None:
    text = svc("deploy:\n  replicas: x\n  bogus: 1\nbogus2: 1")
    assert message(text) == "services.web.deploy.replicas must be a integer"


def test_type_error_beats_an_earlier_error_at_the_same_depth() -> None:
    # both errors have 3 parts: services.web.deploy (additional) vs services.web.command
    text = svc("deploy: {bogus: 1}\ncommand: 5")
    assert message(text) == "services.web.command must be a string"


def test_first_error_wins_a_tie_between_equal_kinds() -> None:
    assert message(svc("zzz: 1\naaa: 1")) == "services.web Additional property zzz is not allowed"


def test_integral_floats_are_integers() -> None:
    assert accepts(svc("deploy: {replicas: 2.0}"))
    assert accepts(svc("healthcheck: {retries: 2.5}"))  # a number, not an integer


@pytest.mark.parametrize(
    ("version", "body", "expected"),
    [
        (
            "3.8",
            "deploy: {resources: {limits: {pids: 100}}}",
            "services.web.deploy.resources.limits Additional property pids is not allowed",
        ),
        (
            "3.6",
            "deploy: {rollback_config: {parallelism: 1}}",
            "services.web.deploy Additional property rollback_config is not allowed",
        ),
        (
            "3.7",
            "deploy: {placement: {max_replicas_per_node: 1}}",
            "services.web.deploy.placement Additional property max_replicas_per_node"
            " is not allowed",
        ),
        (
            "3.3",
            "deploy: {update_config: {order: start-first}}",
            "services.web.deploy.update_config Additional property order is not allowed",
        ),
        (
            "3.11",
            "healthcheck: {start_interval: 5s}",
            "services.web.healthcheck Additional property start_interval is not allowed",
        ),
        ("3.6", "x-foo: 1", "services.web Additional property x-foo is not allowed"),
        (
            "3.12",
            "oom_score_adj: 5",
            "services.web Additional property oom_score_adj is not allowed",
        ),
        (
            "3.10",
            "build: {context: ., foo: 1}",
            "services.web.build Additional property foo is not allowed",
        ),
        ("3.1", "ports: [{target: 80}]", "services.web.ports.0 must be a string or number"),
        ("3.0", "secrets: [s]", "services.web Additional property secrets is not allowed"),
    ],
)
def test_keys_arrive_with_their_version(version: str, body: str, expected: str) -> None:
    assert message(svc(body, version)) == expected


@pytest.mark.parametrize(
    ("version", "body"),
    [
        ("3.9", "deploy: {resources: {limits: {pids: 100}}}"),
        ("3.7", "deploy: {rollback_config: {parallelism: 1}}"),
        ("3.8", "deploy: {placement: {max_replicas_per_node: 1}}"),
        ("3.12", "healthcheck: {start_interval: 5s}"),
        ("3.7", "x-foo: 1"),
        ("3.13", "oom_score_adj: 5"),
        ("3.11", "build: {context: ., foo: 1}"),
        ("3.2", "ports: [{target: 80}]"),
        ("3.0", "healthcheck: {interval: 10 seconds}"),  # no duration format before 3.4
    ],
)
def test_keys_accepted_from_their_version(version: str, body: str) -> None:
    assert accepts(svc(body, version))


def test_top_level_sections_by_version() -> None:
    assert message('version: "3.2"\nconfigs: {c: {file: ./c}}\n') == (
        "(root) Additional property configs is not allowed"
    )
    assert accepts('version: "3.3"\nconfigs: {c: {file: ./c}}\n')
    assert (
        message('version: "3.3"\nx-any: 1\n') == "(root) Additional property x-any is not allowed"
    )
    assert accepts('version: "3.4"\nx-any: 1\n')
    # the network section has no name check: docker accepts any network name
    assert accepts('version: "3.8"\nnetworks: {"a b": {}}\n')


def test_every_minor_version_has_a_schema() -> None:
    assert [v for v in (f"3.{m}" for m in range(16)) if supported(v)] == [
        f"3.{m}" for m in range(14)
    ]
    assert not supported("3") and not supported("2") and not supported("3.08")
    assert schema_for("3.13").closed


def test_unsupported_version() -> None:
    with pytest.raises(InputError) as err:
        schema.validate({"version": "2"}, "2")
    assert err.value.message == "unsupported Compose file version: 2"


def test_values_json_cannot_hold() -> None:
    with pytest.raises(InputError) as err:
        schema.validate({"x-a": math.nan}, "3.13")
    assert err.value.message == "json: unsupported value: NaN"
    with pytest.raises(InputError) as err:
        schema.validate({"x-a": {"b": -math.inf}}, "3.13")
    assert err.value.message == "json: unsupported value: -Inf"
    with pytest.raises(InputError) as err:
        schema.validate({"x-a": GeneralMap({1: 2})}, "3.13")
    assert err.value.message == "json: unsupported type: map[interface {}]interface {}"


def test_error_keys_point_at_the_offending_key() -> None:
    err = schema_error(svc("deploy: {replica: 3}"))
    assert err.path == "services.web.deploy"
    assert err.keys == ("services", "web", "deploy", "replica")
    err = schema_error(svc("ports: ['80:80', '80:80']"))
    assert err.keys == ("services", "web", "ports", 1)


def test_ports_format() -> None:
    pytest.importorskip("swarmsim.compose.ports")
    assert (
        message(svc("ports: ['80:80/http']"))
        == "services.web.ports.0 Does not match format 'ports'"
    )
    assert message(svc("ports: ['8000-8010:80-85']")) == (
        "services.web.ports.0 Does not match format 'ports'"
    )
    assert message(svc("ports: [-1]")) == "services.web.ports.0 Does not match format 'ports'"
    # 80.5 is 161/2 to gojsonschema: its numerator "161" is a valid port
    assert accepts(svc("ports: [80, 80.5, '127.0.0.1::5000', '9000-9002:9000', 22:22]"))
    # ports are checked as numbers before 3.2 too
    assert (
        message(svc("ports: ['x']", "3.0")) == "services.web.ports.0 Does not match format 'ports'"
    )
