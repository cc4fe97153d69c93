"""A fake CloudWatch PutMetricData endpoint for the health agent's tests, on 127.0.0.1.

It takes what the AWS CLI sends (the fake `aws` in fakes/fakecmd.py sends what the real CLI sends
over the Query protocol: a form-encoded POST, Action=PutMetricData, Version=2010-08-01), checks it
as CloudWatch does, and keeps each accepted request, decoded, in `requests`:

    {"Namespace": "LustreHA", "MetricData": [{"MetricName": ..., "Dimensions": [{"Name", "Value"}],
     "Value": "1", "Timestamp": ..., "StorageResolution": "1"}]}

Checks, from the PutMetricData and MetricDatum API references
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html,
.../API_MetricDatum.html): Namespace required, 1-255 characters, not starting with "AWS/";
MetricName required; at most 30 dimensions, each with a Name and a Value; StorageResolution 1 or 60;
at most 1000 datums. A failed check answers 400 InvalidParameterValue in CloudWatch's XML error form.

`mode` makes it fail as CloudWatch can: "ok", "throttle" (400 Throttling), "error" (500
InternalServiceError), "hang" (takes the request and never answers: a black-holed endpoint).
A stopped server refuses connections: CloudWatch unreachable.
"""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCloudWatch:
    def __init__(self):
        self.requests = []
        self.rejected = []
        self.mode = "ok"
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.running = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        self.running = True
        return self

    def stop(self):
        """Stops answering and closes the port: the CLI can no longer connect."""
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False

    def datapoints(self):
        """Every accepted datum, flattened: (namespace, metric, {dimension: value}, value, resolution, timestamp)."""
        with self.lock:
            return [(r["Namespace"], d["MetricName"], {x["Name"]: x["Value"] for x in d.get("Dimensions", [])},
                     float(d["Value"]), d.get("StorageResolution"), d.get("Timestamp"))
                    for r in self.requests for d in r["MetricData"]]

    @staticmethod
    def _reply(h, status, body):
        data = body.encode()
        h.send_response(status)
        h.send_header("Content-Type", "text/xml")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _error(self, h, status, code, message):
        self._reply(h, status, f'<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">'
                               f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                               f"<RequestId>fake</RequestId></ErrorResponse>")

    def _post(self, h):
        length = int(h.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(h.rfile.read(length).decode(), keep_blank_values=True))
        if self.mode == "hang":
            import time
            time.sleep(30)
            return
        if self.mode == "throttle":
            return self._error(h, 400, "Throttling", "Rate exceeded")
        if self.mode == "error":
            return self._error(h, 500, "InternalServiceError", "Internal service error")
        if form.get("Action") != "PutMetricData" or form.get("Version") != "2010-08-01":
            return self._error(h, 400, "InvalidAction", f"Could not find operation {form.get('Action')}")
        request, problem = self._decode(form)
        if problem:
            with self.lock:
                self.rejected.append((form, problem))
            return self._error(h, 400, "InvalidParameterValue", problem)
        with self.lock:
            self.requests.append(request)
        self._reply(h, 200, '<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">'
                            "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></PutMetricDataResponse>")

    @staticmethod
    def _decode(form):
        namespace = form.get("Namespace", "")
        if not 1 <= len(namespace) <= 255:
            return None, "The parameter Namespace must be 1 to 255 characters"
        if namespace.startswith("AWS/"):
            return None, "The value AWS/ for parameter Namespace is invalid"
        datums = {}
        for key, value in form.items():
            if not key.startswith("MetricData.member."):
                continue
            n, _, field = key[len("MetricData.member."):].partition(".")
            datum = datums.setdefault(int(n), {})
            if field.startswith("Dimensions.member."):
                k, _, part = field[len("Dimensions.member."):].partition(".")
                datum.setdefault("_dims", {}).setdefault(int(k), {})[part] = value
            else:
                datum[field] = value
        if not 1 <= len(datums) <= 1000:
            return None, "The collection MetricData must hold 1 to 1000 items"
        out = []
        for n in sorted(datums):
            datum = datums[n]
            by_index = datum.pop("_dims", {})
            dims = [by_index[k] for k in sorted(by_index)]
            if not datum.get("MetricName"):
                return None, f"The parameter MetricData.member.{n}.MetricName is required"
            if len(dims) > 30 or any(set(d) != {"Name", "Value"} or not d["Name"] or not d["Value"] for d in dims):
                return None, f"The dimensions of MetricData.member.{n} are invalid"
            if datum.get("StorageResolution", "60") not in ("1", "60"):
                return None, f"The parameter MetricData.member.{n}.StorageResolution must be 1 or 60"
            if "Value" in datum:
                float(datum["Value"])
            if dims:
                datum["Dimensions"] = dims
            out.append(datum)
        return {"Namespace": namespace, "MetricData": out}, None
