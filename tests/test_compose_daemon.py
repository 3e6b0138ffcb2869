"""Daemon-side rejections at ``docker stack deploy`` time (compose-deploy.md 6.3 and 1, step 18).

Services are built with the real conversion from plain compose dicts, then checked.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from swarmsim.compose.convert import convert_stack
from swarmsim.compose.daemon import daemon_error, validate_for_daemon
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import Healthcheck, Mount, PortConfig, ServiceSpec, Stack

INVALID = "rpc error: code = InvalidArgument desc = "


def stack_of(services: dict[str, Any], name: str = "app", **top: Any) -> Stack:
    return convert_stack({"services": services, **top}, name, base_dir=Path("/srv"), env={})


def web(**fields: Any) -> dict[str, Any]:
    return {"web": {"image": "nginx", **fields}}


def rejection(stack: Stack, existing: tuple[ServiceSpec, ...] = ()) -> InputError:
    with pytest.raises(InputError) as err:
        validate_for_daemon(stack, existing=existing)
    return err.value


def test_valid_stacks_pass():
    validate_for_daemon(stack_of(web(ports=["8080:80"], deploy={"replicas": 3})))
    validate_for_daemon(stack_of(web(deploy={"mode": "replicated-job", "replicas": 2})))
    validate_for_daemon(
        stack_of(
            web(
                deploy={"endpoint_mode": "dnsrr"},
                ports=[{"target": 80, "published": 80, "mode": "host"}],
            )
        )
    )


@pytest.mark.parametrize(
    ("deploy", "message", "keys"),
    [
        (
            {"restart_policy": {"condition": "always"}},
            'invalid RestartCondition: "always"',
            ("deploy", "restart_policy", "condition"),
        ),
        (
            {"update_config": {"failure_action": "explode"}},
            "unrecognized update failure action explode",
            ("deploy", "update_config", "failure_action"),
        ),
        (
            {"rollback_config": {"failure_action": "explode"}},
            "unrecognized update failure action explode",
            ("deploy", "rollback_config", "failure_action"),
        ),
        ({"endpoint_mode": "foo"}, 'invalid resolution mode: "foo"', ("deploy", "endpoint_mode")),
        (
            {"resources": {"limits": {"cpus": "0.0001"}}},
            INVALID + "invalid cpu value 0.0001: Must be at least 0.001",
            ("deploy", "resources", "limits", "cpus"),
        ),
        (
            {"resources": {"reservations": {"cpus": "-1"}}},
            INVALID + "invalid cpu value -1: Must be at least 0.001",
            ("deploy", "resources", "reservations", "cpus"),
        ),
        (
            {"resources": {"limits": {"cpus": "0.00001"}}},
            INVALID + "invalid cpu value 1e-05: Must be at least 0.001",
            ("deploy", "resources", "limits", "cpus"),
        ),
        (
            {"resources": {"limits": {"memory": "1m"}}},
            INVALID + "invalid memory value 1048576: Must be at least 4MiB",
            ("deploy", "resources", "limits", "memory"),
        ),
        (
            {"restart_policy": {"delay": "-1s"}},
            INVALID + "TaskSpec: restart-delay cannot be negative",
            ("deploy", "restart_policy", "delay"),
        ),
        (
            {"restart_policy": {"window": "-1s"}},
            INVALID + "TaskSpec: restart-window cannot be negative",
            ("deploy", "restart_policy", "window"),
        ),
        (
            {"update_config": {"delay": "-1s"}},
            INVALID + "TaskSpec: update-delay cannot be negative",
            ("deploy", "update_config", "delay"),
        ),
        (
            {"update_config": {"monitor": "-1s"}},
            INVALID + "TaskSpec: update-monitor cannot be negative",
            ("deploy", "update_config", "monitor"),
        ),
        (
            {"update_config": {"max_failure_ratio": 1.5}},
            INVALID + "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1",
            ("deploy", "update_config", "max_failure_ratio"),
        ),
        (
            {"mode": "replicated-job", "update_config": {}},
            INVALID + "Jobs may not have an update config",
            ("deploy", "update_config"),
        ),
        (
            {"mode": "global-job", "update_config": {"parallelism": 2}},
            INVALID + "Jobs may not have an update config",
            ("deploy", "update_config"),
        ),
    ],
)
def test_deploy_rejections(deploy, message, keys):
    err = rejection(stack_of(web(deploy=deploy)))
    assert err.message == f"failed to create service app_web: Error response from daemon: {message}"
    assert err.keys == ("services", "web", *keys)


def test_minimum_values_pass():
    validate_for_daemon(
        stack_of(web(deploy={"resources": {"limits": {"cpus": "0.001", "memory": "4M"}}}))
    )
    validate_for_daemon(stack_of(web(deploy={"update_config": {"max_failure_ratio": 1}})))


def test_rollback_config_delays_are_not_checked_by_swarmkit():
    validate_for_daemon(
        stack_of(web(deploy={"rollback_config": {"delay": "-1s", "max_failure_ratio": 2}}))
    )


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        ("node.role=manager", "constraint expected one operator from ==, !="),
        ("node role==manager", "key 'node role' is invalid"),
        ("node.role==mana<ger", "value 'mana<ger' is invalid"),
    ],
)
def test_constraint_syntax_is_a_code_unknown_error(constraint, message):
    err = rejection(stack_of(web(deploy={"placement": {"constraints": [constraint]}})))
    assert err.message == (
        "failed to create service app_web: Error response from daemon: "
        f"rpc error: code = Unknown desc = {message}"
    )
    assert err.keys == ("services", "web", "deploy", "placement", "constraints")


def test_dnsrr_with_ingress_port():
    err = rejection(stack_of(web(deploy={"endpoint_mode": "dnsrr"}, ports=["3306:3306"])))
    assert err.message.endswith(
        INVALID + "EndpointSpec: port published with ingress mode can't be used with dnsrr mode"
    )
    assert err.keys == ("services", "web", "ports")


def test_duplicate_published_port_any_mode():
    ports = ["8080:80", {"target": 81, "published": 8080, "mode": "host"}]
    err = rejection(stack_of(web(ports=ports)))
    assert err.message.endswith(INVALID + "EndpointSpec: duplicate published ports provided")
    # same number on another protocol is fine
    validate_for_daemon(stack_of(web(ports=["8080:80", "8080:80/udp"])))


def test_port_used_by_an_existing_service():
    other = ServiceSpec(name="other", image="x", ports=(PortConfig(80, 8080),))
    err = rejection(stack_of(web(ports=["8080:80"])), existing=(other,))
    assert err.message == (
        "failed to create service app_web: Error response from daemon: "
        + INVALID
        + "port '8080' is already in use by service 'other' (other) as an ingress port"
    )


def test_host_port_of_another_service_conflicts_with_ingress():
    other = ServiceSpec(name="other", image="x", ports=(PortConfig(80, 8080, mode="host"),))
    err = rejection(stack_of(web(ports=["8080:80"])), existing=(other,))
    assert err.message.endswith(
        "port '8080' is already in use by service 'other' (other) as a host-published port"
    )
    # host vs host is left to the scheduler
    validate_for_daemon(
        stack_of(web(ports=[{"target": 80, "published": 8080, "mode": "host"}])), existing=(other,)
    )


def test_port_conflict_inside_the_same_stack():
    stack = stack_of(
        {"a": {"image": "x", "ports": ["80:80"]}, "b": {"image": "y", "ports": ["80:8080"]}}
    )
    err = rejection(stack)
    assert err.message.startswith("failed to create service app_b: ")
    assert err.message.endswith(
        "port '80' is already in use by service 'app_a' (app_a) as an ingress port"
    )


def test_redeploy_is_an_update_and_does_not_conflict_with_itself():
    stack = stack_of(web(ports=["8080:80"]))
    validate_for_daemon(stack, existing=stack.services)
    changed = stack_of(web(ports=["8080:80"], deploy={"mode": "global"}))
    err = rejection(changed, existing=stack.services)
    assert err.message == (
        "failed to update service app_web: Error response from daemon: "
        "rpc error: code = Unimplemented desc = service mode change is not allowed"
    )


@pytest.mark.parametrize(
    ("stack_name", "service", "message"),
    [
        ("app", "web.1", "name must be valid as a DNS name component"),
        ("app", "web-", "name must be valid as a DNS name component"),
        ("a" * 40, "b" * 30, "name must be 63 characters or fewer"),
    ],
)
def test_service_names(stack_name, service, message):
    err = rejection(stack_of({service: {"image": "nginx"}}, name=stack_name))
    assert err.message.endswith(INVALID + message)
    assert err.keys == ("services", service)


def test_duplicate_mount_point():
    err = rejection(stack_of(web(volumes=["/a:/data", "db:/data"]), volumes={"db": None}))
    assert err.message.endswith(INVALID + "ContainerSpec: duplicate mount point: /data")


def test_healthcheck_interval_below_1ms():
    err = rejection(stack_of(web(healthcheck={"test": "true", "interval": "500us"})))
    assert err.message.endswith(
        INVALID + "ContainerSpec: Interval in HealthConfig cannot be less than 1ms"
    )
    err = rejection(stack_of(web(healthcheck={"test": "true", "timeout": "-1s"})))
    assert err.message.endswith(
        INVALID + "ContainerSpec: Timeout in HealthConfig cannot be less than 1ms"
    )
    validate_for_daemon(stack_of(web(healthcheck={"test": "true", "interval": "1ms"})))


def test_explicit_ingress_network():
    stack = stack_of(web(networks=["ing"]), networks={"ing": {"external": True, "name": "ingress"}})
    err = rejection(stack)
    assert err.message.endswith(
        INVALID + 'Service cannot be explicitly attached to the ingress network "ingress"'
    )


def test_engine_checks_come_before_swarmkit_checks():
    # restart condition (engine) wins over a too-small cpu value (SwarmKit)
    deploy = {
        "restart_policy": {"condition": "always"},
        "resources": {"limits": {"cpus": "0.0001"}},
    }
    err = rejection(stack_of(web(deploy=deploy)))
    assert err.message.endswith('invalid RestartCondition: "always"')


def test_daemon_error_is_pure_and_returns_none_when_fine():
    spec = ServiceSpec(name="app_web", image="nginx")
    assert daemon_error(spec) is None
    bad = replace(spec, mounts=(Mount("volume", "/d"), Mount("bind", "/d", "/x")))
    assert daemon_error(bad) == (INVALID + "ContainerSpec: duplicate mount point: /d", ("volumes",))
    hc = replace(spec, healthcheck=Healthcheck(test=("NONE",), disabled=True))
    assert daemon_error(hc) is None
