"""The client's image resolution before it sends a service spec.

``docker stack deploy``, ``docker service create`` and ``docker service update --image``
ask the registry for the image's manifest (moby client/service_create.go and
service_update.go, ``resolveContainerSpecImage``). When it answers, the manifest's
platforms replace the spec's ``Placement.Platforms`` (see
:func:`swarmsim.simulation.images.resolve_image`); when it does not, the spec goes as it
was (no platforms for a new service, the old ones for an update) with docker's warning.
"""

from __future__ import annotations

from swarmsim.commands.context import Context
from swarmsim.input.specs import ServiceSpec
from swarmsim.simulation.images import resolve_image


def digest_warning(image: str) -> str:
    """The client's warning when it cannot pin ``image`` to a digest (moby client
    service_create.go, digestWarning); it ends with a newline, and the CLI prints it
    with ``Fprintln``."""
    return (
        f"image {image} could not be accessed on a registry to record\n"
        f"its digest. Each node will access {image} independently,\n"
        "possibly leading to different nodes running different\n"
        "versions of the image.\n"
    )


def registry_answers(ctx: Context, image: str, auth_from: str | None) -> bool:
    """Whether the registry answers the manifest query for ``image``, sent with the
    credentials of machine ``auth_from`` (None: none sent)."""
    images = getattr(ctx.sim, "images", None)
    return images is None or bool(images.answers(image, auth_from))


def client_resolve(ctx: Context, spec: ServiceSpec, *, query: bool,
                   auth_from: str | None) -> tuple[ServiceSpec, str]:
    """``spec`` as the client sends it, and the warning it prints ("" for none)."""
    if not query:
        return spec, ""
    if not registry_answers(ctx, spec.image, auth_from):
        return spec, digest_warning(spec.image)
    return resolve_image(spec, query=True, reachable=True), ""
