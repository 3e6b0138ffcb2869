"""The get-started web app that swarmsim's shell answers for: a greeting, the
container's hostname, and a visit counter kept in a `redis` service if one is reachable."""
import os
import socket

from flask import Flask
from redis import Redis, RedisError

counter = Redis(host="redis", db=0, socket_connect_timeout=2, socket_timeout=2)
app = Flask(__name__)


@app.route("/")
def hello():
    try:
        visits = counter.incr("counter")
    except RedisError:
        visits = "<i>cannot connect to Redis, counter disabled</i>"
    return ("<h3>Hello {}!</h3><b>Hostname:</b> {}<br/><b>Visits:</b> {}"
            .format(os.getenv("NAME", "world"), socket.gethostname(), visits))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=80)
