"""The bench's own processes, started by tests that need them: a web server, a background worker and the
realtime (socket.io) server, each on its own and stopped when the test is done.

All three serve whichever site the request or job names, so a test site needs nothing of its own but
the realtime server's port: the Desk learns it from the site's `socketio_port`.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).parent
# *.localhost names are loopback (RFC 6761); Node's resolver does not know that, so the realtime server
# started here is given a resolver that does (it calls back the web server under the site's name).
LOCALHOST_DNS = HERE / "localhost_dns.js"


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


def wait_for_http(url: str, site: str, seconds: int = 120) -> None:
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		try:
			if requests.get(f"{url}/api/method/ping", headers={"Host": site}, timeout=5).ok:
				return
		except requests.RequestException:  # not listening yet, or still starting its workers
			pass
		time.sleep(0.5)
	raise RuntimeError(f"the web server at {url} did not answer within {seconds} s")


def wait_for_port(port: int, seconds: int = 60) -> None:
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
			return
		time.sleep(0.2)
	raise RuntimeError(f"nothing listened on port {port} within {seconds} s")


class BenchProcess:
	"""A process of the bench, logging to logs/<name>.log, stopped (its whole group) on exit."""

	def __init__(self, bench: str, name: str, command: list[str], cwd: Path, env: dict | None = None):
		self.bench = Path(bench)
		self.name = name
		self.command = command
		self.cwd = cwd
		self.env = {**os.environ, **(env or {})}
		self.process: subprocess.Popen | None = None

	def __enter__(self) -> "BenchProcess":
		self.log = open(self.bench / "logs" / f"{self.name}.log", "ab")
		self.process = subprocess.Popen(
			self.command,
			cwd=self.cwd,
			env=self.env,
			stdout=self.log,
			stderr=self.log,
			start_new_session=True,
		)
		return self

	def kill(self, sig: int = signal.SIGKILL) -> None:
		"""Kill the process (and what it started) as an out-of-memory kill or a reboot would: its group, and
		the processes it started in sessions of their own (an RQ worker's work horse runs in one)."""
		if self.process and self.process.poll() is None:
			try:
				children = psutil.Process(self.process.pid).children(recursive=True)
			except psutil.NoSuchProcess:
				children = []
			with contextlib.suppress(ProcessLookupError):
				os.killpg(self.process.pid, sig)
			for child in children:
				with contextlib.suppress(psutil.NoSuchProcess):
					child.send_signal(sig)
			self.process.wait(timeout=30)
			psutil.wait_procs(children, timeout=30)

	def __exit__(self, *exc) -> None:
		if self.process and self.process.poll() is None:
			with contextlib.suppress(ProcessLookupError):
				os.killpg(self.process.pid, signal.SIGTERM)
			try:
				self.process.wait(timeout=30)
			except subprocess.TimeoutExpired:
				self.kill()
		self.log.close()


def web_server(bench: str, port: int, statics: bool = False, dev_server: bool = False) -> BenchProcess:
	"""gunicorn serving every site of the bench by its Host header; with statics, /assets too (the Desk);
	with dev_server, the Desk connects to the realtime server on its own port (as `bench start` does)."""
	app = "frappe.app:application_with_statics()" if statics else "frappe.app:application"
	command = [
		str(Path(bench) / "env" / "bin" / "gunicorn"),
		f"--bind=127.0.0.1:{port}",
		"--workers=2",
		"--threads=4",
		"--timeout=120",
		app,
	]
	env = {"DEV_SERVER": "1"} if dev_server else {}
	return BenchProcess(bench, f"cims-test-web-{port}", command, Path(bench) / "sites", env)


def worker(bench: str, queues: str = "short,default,long") -> BenchProcess:
	"""An RQ worker of the bench (`bench worker`): runs the jobs that any site enqueues."""
	command = [
		str(Path(bench) / "env" / "bin" / "python"),
		"-m",
		"frappe.utils.bench_helper",
		"frappe",
		"worker",
		"--queue",
		queues,
	]
	return BenchProcess(bench, "cims-test-worker", command, Path(bench) / "sites")


# `frappe worker --queue` accepts only the queues of common_site_config.json; a test that must be sure no
# other worker of the bench takes its jobs runs this one on a queue of its own (cims_job_queue).
QUEUE_WORKER = """
import sys
import frappe
from frappe.utils.background_jobs import generate_qname, get_redis_conn
from rq import Queue, Worker

with frappe.init_site():
	connection = get_redis_conn()
	queues = [Queue(generate_qname(name), connection=connection) for name in sys.argv[1:]]
Worker(queues, connection=connection).work(logging_level="INFO")
"""


def queue_worker(bench: str, queue: str) -> BenchProcess:
	"""An RQ worker of the bench on `queue` alone (frappe's job runner, as `bench worker` runs it)."""
	command = [str(Path(bench) / "env" / "bin" / "python"), "-c", QUEUE_WORKER, queue]
	return BenchProcess(bench, "cims-test-queue-worker", command, Path(bench) / "sites")


def realtime_server(bench: str, port: int) -> BenchProcess:
	"""The framework's socket.io server (apps/frappe/socketio.js) on its own port."""
	command = ["node", "--require", str(LOCALHOST_DNS), "socketio.js"]
	env = {"FRAPPE_SOCKETIO_PORT": str(port), "FRAPPE_BENCH_ROOT": str(bench)}
	return BenchProcess(bench, f"cims-test-socketio-{port}", command, Path(bench) / "apps" / "frappe", env)
