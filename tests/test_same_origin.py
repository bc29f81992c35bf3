"""Socket.IO accepts connections from the server's own pages only (same origin)."""

from __future__ import annotations

import pytest
import socketio
from helpers.server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on 127.0.0.1 with the demo workshop."""
    running = Server(tmp_path_factory.mktemp("data")).start()
    yield running
    running.stop()


def projector_auth(server: Server) -> dict:
    workshop_id, key = server.links["Projector"].split("/p/")[1].split("?key=")
    return {"role": "projector", "workshop": workshop_id, "key": key}


def test_foreign_origin_is_refused(server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.base, auth=projector_auth(server), transports=["polling"],
                       headers={"Origin": "http://evil.example"}, wait_timeout=5)
    assert not client.connected


def test_own_origin_is_accepted(server):
    client = socketio.Client(reconnection=False)
    try:
        client.connect(server.base, auth=projector_auth(server), transports=["polling"],
                       headers={"Origin": server.base}, wait_timeout=5)
        assert client.connected
    finally:
        client.disconnect()
