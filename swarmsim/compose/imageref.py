"""Image references as docker checks them (the distribution/reference grammar).

``docker stack deploy`` refuses a service whose ``image`` is empty or not a valid
reference before it talks to the daemon.  A reference is
``[HOST[:PORT]/]PATH[:TAG][@DIGEST]``: the path is lowercase components separated by
``/`` (each ``[a-z0-9]+`` joined by ``.``, ``_``, ``__`` or dashes), the tag is
``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``, a digest is ``algorithm:hex``.  A first component
without ``.`` or ``:`` (and not ``localhost``) is a Docker Hub path, so ``nginx`` means
``docker.io/library/nginx``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_PATH = rf"{_COMPONENT}(?:/{_COMPONENT})*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"((?:{_DOMAIN}/)?{_PATH})(?::({_TAG}))?(?:@({_DIGEST}))?\Z", re.ASCII)
_NAME = re.compile(rf"(?:({_DOMAIN})/)?({_PATH})\Z", re.ASCII)
_HEX64 = re.compile(r"[a-f0-9]{64}\Z")
_DIGEST_SHAPE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+\Z")
_HASH_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_MAX_PATH = 255

DEFAULT_DOMAIN = "docker.io"
_LEGACY_DOMAIN = "index.docker.io"
_OFFICIAL = "library/"


class ReferenceError(ValueError):
    """An invalid reference; the message is distribution/reference's own text."""


@dataclass(frozen=True)
class ImageRef:
    """A parsed, normalised reference (``docker.io/library/nginx``, tag, digest)."""

    domain: str
    path: str
    tag: str = ""
    digest: str = ""

    def familiar(self) -> str:
        """The short form docker prints: ``nginx:1.25``, ``user/app``, ``ghcr.io/x/y``."""
        path = self.path
        if self.domain == DEFAULT_DOMAIN:
            rest = path[len(_OFFICIAL) :] if path.startswith(_OFFICIAL) else None
            name = rest if rest is not None and "/" not in rest else path
        else:
            name = f"{self.domain}/{path}"
        return (
            name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")
        )

    def canonical(self) -> str:
        """The full form with the default tag: ``docker.io/library/nginx:latest``."""
        tag = self.tag or ("" if self.digest else "latest")
        return (
            f"{self.domain}/{self.path}"
            + (f":{tag}" if tag else "")
            + (f"@{self.digest}" if self.digest else "")
        )


def _digest_error(digest: str) -> str | None:
    """go-digest's validation message for ``algorithm:encoded`` (None when valid)."""
    algorithm, sep, encoded = digest.partition(":")
    if not algorithm or not sep or not encoded:
        return "invalid checksum digest format"
    if algorithm not in _HASH_LENGTHS:
        return (
            "invalid checksum digest format"
            if not _DIGEST_SHAPE.match(digest)
            else ("unsupported digest algorithm")
        )
    if len(encoded) != _HASH_LENGTHS[algorithm]:
        return "invalid checksum digest length"
    return None if re.fullmatch(r"[a-f0-9]+", encoded) else "invalid checksum digest format"


def _split_domain(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, _OFFICIAL + name
    if first == "localhost":
        domain, remote = first, rest
    elif first == _LEGACY_DOMAIN:
        domain, remote = DEFAULT_DOMAIN, rest
    elif "." in first or ":" in first or first.lower() != first:
        domain, remote = first, rest
    else:
        domain, remote = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in remote:
        remote = _OFFICIAL + remote
    return domain, remote


def parse(image: str) -> ImageRef:
    """Parse and normalise a reference as ``reference.ParseNormalizedNamed`` does.

    Raises:
        ReferenceError: e.g. ``invalid reference format: repository name (library/Nginx)
            must be lowercase`` or ``invalid reference format``.
    """
    if _HEX64.match(image):
        raise ReferenceError(
            f"invalid repository name ({image}), cannot specify 64-byte hexadecimal strings"
        )
    domain, remainder = _split_domain(image)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise ReferenceError(
            f"invalid reference format: repository name ({remote}) must be lowercase"
        )
    full = f"{domain}/{remainder}"
    match = _REFERENCE.match(full)
    if match is None:
        if _REFERENCE.match(full.lower()):
            raise ReferenceError("repository name must be lowercase")
        raise ReferenceError("invalid reference format")
    name = _NAME.match(match.group(1))
    assert name is not None  # the reference pattern embeds the name pattern
    if len(name.group(2)) > _MAX_PATH:
        raise ReferenceError(f"repository name must not be more than {_MAX_PATH} characters")
    digest = match.group(3) or ""
    if digest:
        problem = _digest_error(digest)
        if problem:
            raise ReferenceError(problem)
    return ImageRef(name.group(1) or "", name.group(2), match.group(2) or "", digest)


def check_image(service: str, image: object) -> None:
    """Apply docker's pre-deploy image check to one service.

    Raises:
        ReferenceError: ``invalid image reference for service web: no image specified``
            or ``invalid image reference for service web: <reference error>``.
    """
    if not image:
        raise ReferenceError(f"invalid image reference for service {service}: no image specified")
    text = str(image)
    if _HEX64.match(text) or _digest_error(text) is None:
        return  # a bare image ID or digest is a valid "any reference"
    try:
        parse(text)
    except ReferenceError as exc:
        raise ReferenceError(f"invalid image reference for service {service}: {exc}") from None


def normalize(image: str) -> str:
    """The familiar form of an image reference (``docker.io/library/nginx`` -> ``nginx``).

    Raises:
        ReferenceError: when ``image`` is not a valid reference.
    """
    return parse(image).familiar()
