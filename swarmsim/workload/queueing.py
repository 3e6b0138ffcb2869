"""Textbook queueing results the traffic model reproduces exactly (tests, benchmark).

Every function returns the mean sojourn time (waiting plus service) in seconds of a
stable FIFO queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def mm1_sojourn(arrival_rate: float, service_rate: float) -> float:
    """M/M/1: ``1 / (mu - lambda)``."""
    _stable(arrival_rate, service_rate)
    return 1.0 / (service_rate - arrival_rate)


def erlang_c(servers: int, offered: float) -> float:
    """Erlang's C formula: the probability that an arrival waits in M/M/c, with
    ``offered = lambda / mu`` (in erlangs)."""
    if offered >= servers:
        raise ValueError("unstable queue: offered load >= servers")
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers * servers / (servers - offered)
    return last / (total + last)


def mmc_sojourn(servers: int, arrival_rate: float, service_rate: float) -> float:
    """M/M/c: ``C(c, a) / (c mu - lambda) + 1 / mu``."""
    _stable(arrival_rate, servers * service_rate)
    wait = erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)
    return wait + 1.0 / service_rate


def md1_sojourn(arrival_rate: float, service_time: float) -> float:
    """M/D/1 (Pollaczek-Khinchine): ``S + rho S / (2 (1 - rho))``."""
    rho = arrival_rate * service_time
    _stable(rho, 1.0)
    return service_time + rho * service_time / (2 * (1 - rho))


def gim1_sigma(transform: Callable[[float], float], service_rate: float) -> float:
    """The GI/M/1 root: the ``sigma`` in (0, 1) with ``sigma = A*(mu (1 - sigma))``,
    where ``A*`` is the Laplace-Stieltjes transform of the interarrival time."""
    lo, hi = 0.0, 1.0 - 1e-15
    for _ in range(200):  # f(s) = A*(mu (1 - s)) - s is > 0 below the root, < 0 above
        mid = (lo + hi) / 2
        if transform(service_rate * (1 - mid)) - mid > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def ekm1_sojourn(phases: int, phase_rate: float, service_rate: float) -> float:
    """E_k/M/1: interarrival times Erlang with ``phases`` phases of rate ``phase_rate``
    each (what one of ``k`` round-robin tasks sees of a Poisson stream of rate
    ``phase_rate``); the sojourn is ``1 / (mu (1 - sigma))``."""
    _stable(phase_rate / phases, service_rate)
    sigma = gim1_sigma(lambda s: (phase_rate / (phase_rate + s)) ** phases, service_rate)
    return 1.0 / (service_rate * (1 - sigma))


def _stable(arrival_rate: float, service_rate: float) -> None:
    if not arrival_rate < service_rate or math.isnan(arrival_rate):
        raise ValueError("unstable queue: arrival rate >= service rate")
