"""Small JSON servers on their own thread (stdlib http.server).

Needed for servers the SDK reaches with blocking calls (botbuilder fetches OpenID metadata with
`requests` on the event loop): on the test's own event loop they could never answer."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

# A route gets the path and the form fields (POST) and returns (status, JSON body).
Route = Callable[[str, dict[str, str]], tuple[int, Any]]


class ThreadedServer:
    def __init__(self, route: Route, ssl_context: ssl.SSLContext | None = None) -> None:
        handler = _handler_for(route)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


def _handler_for(route: Route) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, form: dict[str, str]) -> None:
            status, body = route(self.path, form)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer({})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self._answer(dict(parse_qsl(self.rfile.read(length).decode())))

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on what was asked, not on access logs."""

    return Handler
