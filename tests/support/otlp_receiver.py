"""A loopback OTLP/HTTP receiver for the tests: decodes every POST to /v1/metrics with
the official `opentelemetry-proto` classes and appends it, as one JSON line (protobuf's
JSON mapping), to the file named by its second argument. Listens on 127.0.0.1:PORT
(first argument); stops by itself after 300 s.

    python3 otlp_receiver.py PORT OUT
"""
import gzip
import http.server
import sys
import threading

from google.protobuf.json_format import MessageToJson
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

PORT, OUT = int(sys.argv[1]), sys.argv[2]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportMetricsServiceRequest()
        try:
            request.ParseFromString(body)
        except Exception as error:  # a body the official schema refuses: a failed test
            self.send_response(400)
            self.end_headers()
            self.wfile.write(str(error).encode())
            return
        with open(OUT, "a") as out:
            out.write(MessageToJson(request, indent=None) + "\n")
        answer = ExportMetricsServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
