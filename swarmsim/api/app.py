"""The aiohttp application that answers the Docker Engine API: the routes of each
``routes_*`` module (each handler reaches the server's state through the
:class:`~swarmsim.api.http.Call` it is handed) and a ticker that keeps time moving.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from swarmsim.api import (
    http,
    live,
    routes_nodes,
    routes_objects,
    routes_services,
    routes_system,
)
from swarmsim.api.view import View


def make_app(view: View, *, tick: float = 0.05) -> web.Application:
    """The application: every route, and a ticker that keeps the simulation moving
    (so ``/events`` streams as time passes) while no request comes."""
    app = web.Application(client_max_size=http.MAX_BODY, middlewares=[http.answer_errors])
    app[http.VIEW] = view
    for module in (routes_system, routes_nodes, routes_services, routes_objects):
        module.register(app)
    app.router.add_get("/live.json", live.snapshot_handler(view))  # the visualizer's

    async def ticker(app: web.Application) -> Any:
        async def loop() -> None:
            while True:
                await asyncio.sleep(tick)
                view.clock.advance(budget=http.ADVANCE_BUDGET)
                view.sync()

        task = asyncio.ensure_future(loop())
        yield
        task.cancel()

    app.cleanup_ctx.append(ticker)
    return app
