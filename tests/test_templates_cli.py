"""swarmsim's Go templates (``--format``) against the real docker CLI's: the CLI applies
each template to the object ``swarmsim serve`` returns (docker/cli's templates package
on Go's text/template); swarmsim's engine applies it to the same object's JSON.  Both
must print the same bytes.  (A field the object lacks is not compared: docker 29's
``service|node inspect`` pass the raw JSON to inspect.Inspect, whose fallback says ``map
has no entry for key``, as swarmsim does; docker 28's passed none and named the Go type.)"""

from __future__ import annotations

import json

import pytest
from api_helpers import DOCKER, docker, served

from swarmsim.commands.gotemplate import TemplateError, compile_template

pytestmark = pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")

SERVICE_TEMPLATES = (
    "{{.Spec.Name}}",
    "{{json .Spec.Mode}}",
    "{{.Spec.Labels}}",
    "{{json .Spec.TaskTemplate.RestartPolicy}}",
    "{{range .Endpoint.Ports}}{{.PublishedPort}}->{{.TargetPort}}/{{.Protocol}} {{end}}",
    "{{if .Spec.Mode.Replicated}}replicated {{.Spec.Mode.Replicated.Replicas}}"
    "{{else}}global{{end}}",
    '{{index .Spec.Labels "com.docker.stack.namespace"}}',
    "{{len .Endpoint.VirtualIPs}} {{.Spec.TaskTemplate.ContainerSpec.Image}}",
    '{{upper .Spec.Name}} {{join (split .Spec.Name "_") "-"}} {{lower "AbC"}}',
    "{{range $i, $p := .Endpoint.Ports}}{{$i}}:{{$p.PublishMode}} {{end}}",
    '{{with .Spec.Mode.Global}}g{{else}}r{{end}} {{printf "%s!" .Spec.Name}}',
    "{{.Spec.Mode.Global}} {{.UpdateStatus}}",
)
NODE_TEMPLATES = (
    "{{.Description.Hostname}} {{.Status.State}} {{.Spec.Availability}} {{.Spec.Role}}",
    "{{json .Description.Platform}} {{.ManagerStatus.Leader}}",
    "{{.Description.Resources.NanoCPUs}} {{.Description.Resources.MemoryBytes}}",
)


def _mine(template: str, obj: dict) -> tuple[str, str, int]:
    try:
        return compile_template(template)(obj) + "\n", "", 0
    except TemplateError as err:
        return ("" if err.parse else "\n"), f"template parsing error: {err}\n", (
            64 if err.parse else 1)


def test_templates_print_what_the_docker_cli_prints():
    with served("part3.yaml") as srv:
        raw = docker(srv, "service", "inspect", "getstartedlab_web")
        assert raw.returncode == 0, raw.stderr
        service = json.loads(raw.stdout)[0]
        for template in SERVICE_TEMPLATES:
            real = docker(srv, "service", "inspect", "-f", template, "getstartedlab_web")
            assert (real.stdout, real.stderr, real.returncode) == _mine(template, service), (
                template)
        node = json.loads(docker(srv, "node", "inspect", "self").stdout)[0]
        for template in NODE_TEMPLATES:
            real = docker(srv, "node", "inspect", "-f", template, "self")
            assert (real.stdout, real.stderr, real.returncode) == _mine(template, node), (
                template)
