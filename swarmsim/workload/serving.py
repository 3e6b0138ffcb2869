"""Serving one batch of routed requests at their tasks.

A request reaches its task one network hop after it was sent (nothing if the entry
node runs the task), waits in the task's FIFO queue, is served at the worker speed of
the task (see :meth:`~swarmsim.mesh.balancer.Backend.worker_speed`) and its reply takes
the hop back.  Latency is measured at the entry node: from the send to the reply's
return there.  A reply later than the client's timeout is a timeout (the task still did
the work: a server does not notice that its client left).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from swarmsim.mesh.balancer import Backend
from swarmsim.mesh.network import LatencyTable
from swarmsim.workload.costs import cost_factors
from swarmsim.workload.fifo import serve_fifo
from swarmsim.workload.records import OK, REJECTED, TIMEOUT


@dataclass(frozen=True, slots=True)
class Replies:
    """What became of each served request (arrays aligned with the batch).

    Attributes:
        end: when the client learns the outcome.
        latency: ``end - send``.
        outcome: ``OK``, ``TIMEOUT`` or ``REJECTED``.
        finish: when the task is done with it (its arrival, if rejected).
    """

    end: np.ndarray
    latency: np.ndarray
    outcome: np.ndarray
    finish: np.ndarray


def serve_batch(backends: Sequence[Backend], task: np.ndarray, send: np.ndarray,
                entry: np.ndarray, timeout: np.ndarray | float, expo: np.ndarray,
                normal: np.ndarray, table: LatencyTable, node_of: np.ndarray,
                speed: Mapping[int, float]) -> Replies:
    """Serve requests at their tasks; each task's queue state moves on.

    Args:
        backends: every backend, by index (their ``queue`` is updated).
        task: the backend of each request.
        send: send times (non-decreasing).
        entry: the entry machine of each request.
        timeout: the client timeout of each request (or of all).
        expo: standard exponential cost draws.
        normal: standard normal cost draws.
        table: network latencies.
        node_of: the machine of each backend, by index.
        speed: worker speed (cores) of each backend serving requests, by index.
    """
    n = len(task)
    if n == 0:
        empty = np.empty(0)
        return Replies(empty, empty, np.empty(0, dtype=np.int8), empty)
    hop = table.one_way(entry, node_of[task])
    arrival = send + hop
    if task[0] == task[-1] and np.all(task == task[0]) and np.all(arrival[1:] >= arrival[:-1]):
        start, service, admitted = _serve(backends[int(task[0])], arrival, expo, normal,
                                          float(speed[int(task[0])]))
    else:
        start = np.empty(n)
        service = np.empty(n)
        admitted = np.ones(n, dtype=bool)
        order = np.lexsort((arrival, task))
        sorted_task = task[order]
        cuts = np.flatnonzero(np.diff(sorted_task)) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
            idx = order[lo:hi]
            t = int(sorted_task[lo])
            start[idx], service[idx], admitted[idx] = _serve(
                backends[t], arrival[idx], expo[idx], normal[idx], float(speed[t]))
    finish = start + service
    everyone = bool(admitted.all())
    if not everyone:
        finish = np.where(admitted, finish, arrival)
    latency = finish + hop
    latency -= send
    late = latency > timeout
    if everyone:  # OK (0) or TIMEOUT (1): `late` as a code
        outcome = late.astype(np.int8) if (OK, TIMEOUT) == (0, 1) else np.where(
            late, TIMEOUT, OK).astype(np.int8)
    else:
        late &= admitted
        outcome = np.where(admitted, np.where(late, TIMEOUT, OK), REJECTED).astype(np.int8)
    if late.any():
        latency = np.where(late, timeout, latency)
    return Replies(send + latency, latency, outcome, finish)


def _serve(b: Backend, arrival: np.ndarray, expo: np.ndarray, normal: np.ndarray,
           speed: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Serve one task's requests (in arrival order); its queue state moves on."""
    req = b.request
    service = cost_factors(req.dist, req.cv, expo, normal) * (req.cost_s / speed)
    served = serve_fifo(arrival, service, b.queue, req.queue)
    b.queue = served.state
    return served.start, service, served.admitted
