"""A fake EC2 instance metadata service (IMDSv2 only) for the bootstrap's tests, on 127.0.0.1.

It answers from a JSON file that it re-reads on every request, so a test can change the
instance's tags while the bootstrap runs:

    {"meta-data": {"instance-id": "i-...", "placement/availability-zone": "...", ...},
     "tags": {"lustre-ha:role": "oss01", ...}}     # "tags": null: metadata tags not enabled

As IMDSv2 does: PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds (1-21600) and
returns a token; every GET needs a valid X-aws-ec2-metadata-token, else 401. A path that names a
folder lists its entries, one a line, sub-folders with a trailing '/'. Instance tags live under
/latest/meta-data/tags/instance/ (404 when they are not enabled).
"""

import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FakeImds:
    def __init__(self, state_file: Path):
        self.state_file = Path(state_file)
        self.tokens = set()
        self.requests = []  # (method, path, had a valid token)
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_PUT(self):
                fake._put(self)

            def do_GET(self):
                fake._get(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _record(self, method, path, ok):
        with self.lock:
            self.requests.append((method, path, ok))

    @staticmethod
    def _reply(handler, status, body=""):
        data = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _put(self, h):
        if h.path != "/latest/api/token":
            self._record("PUT", h.path, False)
            return self._reply(h, 404, "Not Found")
        ttl = h.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            self._record("PUT", h.path, False)
            return self._reply(h, 400, "Bad Request")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        self._record("PUT", h.path, True)
        self._reply(h, 200, token)

    def _get(self, h):
        token = h.headers.get("X-aws-ec2-metadata-token")
        with self.lock:
            valid = token in self.tokens
        self._record("GET", h.path, valid)
        if not valid:
            return self._reply(h, 401, "Unauthorized")
        prefix = "/latest/meta-data/"
        if not h.path.startswith(prefix):
            return self._reply(h, 404, "Not Found")
        state = json.loads(self.state_file.read_text())
        entries = dict(state.get("meta-data", {}))
        tags = state.get("tags")
        if tags is not None:
            for key, value in tags.items():
                entries[f"tags/instance/{key}"] = value
        path = h.path[len(prefix):]
        if path in entries:
            return self._reply(h, 200, str(entries[path]))
        folder = path.rstrip("/") + "/"
        if folder == "tags/instance/" and tags is not None:
            return self._reply(h, 200, "\n".join(tags))
        children = []
        for key in entries:
            if key.startswith(folder):
                rest = key[len(folder):]
                child = rest.split("/", 1)[0] + ("/" if "/" in rest else "")
                if child not in children:
                    children.append(child)
        if children:
            return self._reply(h, 200, "\n".join(children))
        self._reply(h, 404, "Not Found")


if __name__ == "__main__":
    # For trying the bootstrap by hand: python3 fake_imds.py state.json
    imds = FakeImds(Path(sys.argv[1])).start()
    print(imds.endpoint, flush=True)
    imds.thread.join()
