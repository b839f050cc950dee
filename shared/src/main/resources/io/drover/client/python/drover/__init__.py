"""Drover Python client: track a script's metrics on a Drover controller (stdlib only, Python >= 3.8).

    import drover
    d = drover.init(project="demo", name="train")   # inside an agent run: attaches to the task
    cfg = d.connect({"lr": 0.1, "epochs": 3})         # remote overrides (DROVER_PARAMS), typed like these
    d.log_scalar("loss", 0.5, iter=1)                 # microseconds: appended to a buffer
    d.log_image("samples", "grid.png", iter=1)        # a file, PNG/JPEG bytes, a Figure, a PIL image, a uint8 array
    d.upload_artifact("model.pt")

Logging never does a network round trip: points go to an in-memory buffer that a daemon thread
sends every second (or at 1,000 points) and at exit. A network or server error never raises into
the script: it is reported once on stderr, the buffer is bounded and drops its oldest points
(counted). This file is the whole package, so it can be downloaded alone as ``drover.py``.
When matplotlib is present, ``pyplot.show()`` and ``Figure.savefig()`` also log the figure as a
debug image (title: the figure's suptitle, else "figure N").
"""
import atexit
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__version__ = "0.4.0"
__all__ = ["init", "Task", "current"]

FLUSH_SECONDS = 1.0
FLUSH_POINTS = 1000
MAX_BUFFER = 200000        # points kept while the controller cannot be reached
MAX_PER_REQUEST = 5000
_DIFF_LIMIT = 10 * 1024 * 1024
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
MAX_REPORTS = 1000         # plots/texts/configs kept while the controller cannot be reached
PLOT_KINDS = ("line", "scatter", "bar", "histogram", "confusion", "table")
_CONFIG_FORMATS = ("json", "yaml", "text")
MAX_IMAGE_BYTES = 10 * 1024 * 1024   # the controller's limit per image
MAX_IMAGE_BUFFER = 64 * 1024 * 1024  # image bytes kept while the controller cannot be reached
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}

_current = None
_init_lock = threading.Lock()


def current():
    """The task of this process (``None`` before :func:`init`)."""
    return _current


def init(project=None, name=None, controller=None, api_key=None, tags=None):
    """Start tracking. Inside an agent run (``DROVER_TASK_ID`` set) attach to that task; else create
    a task on the controller (``controller``/``api_key`` args, else ``DROVER_CONTROLLER``/``DROVER_API_KEY``,
    else ``$DROVER_HOME/config.json`` / ``~/.drover/config.json``). Returns the :class:`Task`; a second
    call returns the same one."""
    global _current
    with _init_lock:
        if _current is not None:
            return _current
        cfg = _config_file()
        env = os.environ
        url = controller or env.get("DROVER_CONTROLLER") or cfg.get("controller") or "http://127.0.0.1:8080"
        url = url.split(",")[0].strip()  # the CLI and agents take several controllers; this client uses the first
        key = api_key or env.get("DROVER_API_KEY") or cfg.get("apiKey")
        task_id = env.get("DROVER_TASK_ID")
        if task_id:
            epoch = env.get("DROVER_TASK_EPOCH")
            t = Task(url, key, task_id, lease=env.get("DROVER_TASK_TOKEN"),
                     epoch=int(epoch) if epoch and epoch.isdigit() else None,
                     output_dir=env.get("DROVER_OUTPUT_DIR"), capture_file=env.get("DROVER_CAPTURE_FILE"),
                     scalars_dir=env.get("DROVER_SCALARS_DIR"))
        else:
            body = _local_task_body(project, name, tags)
            t = Task(url, key, None)
            created = t._request("POST", "/api/v1/tasks", body)  # the one blocking call: we need the id
            if created is None:
                _warn("init", "could not create a task on %s: %s; nothing will be tracked" % (url, t._last_error))
                t._disabled = True
            else:
                t.id = created.get("id")
                sys.stderr.write("[drover] tracking as task %s on %s\n" % (t.id, url))
        t._start()
        _current = t
        _patch_tensorboard()
        _patch_matplotlib()
        return t


class Task:
    """A tracked task. Logging methods are cheap and thread-safe; nothing here raises on network errors."""

    def __init__(self, controller, api_key, task_id, lease=None, epoch=None, output_dir=None, capture_file=None,
                 scalars_dir=None):
        self.controller = controller.rstrip("/")
        self.id = task_id
        self._key = api_key
        self._lease = lease
        self._epoch = epoch
        self._output_dir = output_dir
        self._capture_file = capture_file
        self._scalars_dir = scalars_dir
        self._points = []
        self._reports = []  # (method, path, body) of plots, texts and configs, sent in order
        self._report_n = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._closed = False
        self._thread = None
        self._next_iter = {}
        self._dropped = 0
        self._batch = 0
        self._params = {}
        self._disabled = False
        self._last_error = None
        self._send_lock = threading.Lock()
        # run by an agent: tags go as '::drover tag' lines, which the agent adds under its lease
        self._in_agent = lease is not None or epoch is not None or scalars_dir is not None

    # ------------------------------------------------------------------ logging (never blocks on I/O)

    def log_scalar(self, metric, value, iter=None, variant=None):
        """Record one point. ``iter`` defaults to 0, 1, 2, … per (metric, variant)."""
        ts = time.time()
        with self._lock:
            if iter is None:
                k = (metric, variant)
                iter = self._next_iter.get(k, 0)
                self._next_iter[k] = iter + 1
            p = self._points
            p.append((metric, variant, iter, value, ts))
            if len(p) >= FLUSH_POINTS:
                if len(p) > MAX_BUFFER:
                    n = len(p) - MAX_BUFFER + FLUSH_POINTS
                    del p[:n]
                    self._dropped += n
                self._wake.set()

    def log_metrics(self, metrics, step=None):
        """``log_scalar`` for each ``name: value`` of ``metrics`` (a name ``"a/b"`` is metric a, variant b)."""
        for k, v in metrics.items():
            metric, _, variant = str(k).partition("/")
            self.log_scalar(metric, v, iter=step, variant=variant or None)

    def log_params(self, params):
        """Record parameters as strings. Inside an agent run the agent reports them with the task
        (via ``$DROVER_CAPTURE_FILE``, under the task's own params); a local run keeps them here
        (``self.params``): the API has no route for a user to change a task's params after creation."""
        with self._lock:
            for k, v in params.items():
                self._params[str(k)] = _as_text(v)
        self._write_capture()

    @property
    def params(self):
        return dict(self._params)

    def connect(self, params, prefix=None):
        """Return ``params`` with the task's remote overrides applied (``$DROVER_PARAMS``, keys ``name``,
        ``prefix/name`` or ``General/name``), each converted to the type of the original value; then
        record the result with :meth:`log_params`."""
        remote = _remote_params()
        for k in list(params.keys()):
            for rk in ((prefix + "/" + str(k)) if prefix else None, "General/" + str(k), str(k)):
                if rk is not None and rk in remote and remote[rk] is not None:
                    try:
                        params[k] = _typed_like(params[k], remote[rk])
                    except (ValueError, TypeError) as e:
                        _warn("param:" + str(k), "parameter %s=%r ignored: %s" % (k, remote[rk], e))
                    break
        self.log_params({((prefix + "/") if prefix else "") + str(k): v for k, v in params.items()})
        return params

    def upload_artifact(self, path, name=None):
        """Inside an agent run: copy ``path`` into ``$DROVER_OUTPUT_DIR``, which the agent uploads when the
        script ends. Returns True when the file was placed. Outside an agent artifacts cannot be
        uploaded (the artifacts API is for agents holding a lease): warns and returns False."""
        name = name or os.path.basename(path)
        if not self._output_dir:
            _warn("artifact", "upload_artifact(%r) works only inside an agent run (drover enqueue the script)" % name)
            return False
        try:
            target = os.path.join(self._output_dir, name)
            if os.path.commonpath([os.path.abspath(target), os.path.abspath(self._output_dir)]) != os.path.abspath(self._output_dir):
                raise ValueError("name must stay inside the output directory")
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            shutil.copyfile(path, target)
            return True
        except (OSError, ValueError) as e:
            _warn("artifact:" + name, "cannot keep artifact %s: %s" % (name, e))
            return False

    def add_tags(self, tags):
        """Add ``tags`` (names: 1-64 letters, digits, '.', '_' or '-') to the task. Inside an agent run
        they are printed as ``::drover tag value=…`` lines, which the agent adds to the task; a local run
        sends them at once with the user's key (``PATCH /api/v1/tasks/{id}``). Returns True when sent or
        handed to the agent; invalid names are skipped with a warning."""
        return self._tags(tags, replace=False)

    def set_tags(self, tags):
        """Make ``tags`` the task's tags (a local run). Inside an agent run tags can only be added (the
        agent's route adds), so this adds them and keeps the task's other tags."""
        return self._tags(tags, replace=True)

    def _tags(self, tags, replace):
        if isinstance(tags, str):
            tags = [tags]
        ok = []
        for t in tags:
            t = str(t)
            if _TAG.match(t):
                if t not in ok:
                    ok.append(t)
            else:
                _warn("tag:" + t, "tag %r skipped: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit" % t)
        if self._in_agent:
            out = sys.__stdout__ or sys.stdout
            for t in ok:
                out.write("::drover tag value=%s\n" % t)
            out.flush()
            return True
        if self._disabled or not self.id:
            return False
        body = {"tags": ok} if replace else {"addTags": ok}
        status = self._request("PATCH", "/api/v1/tasks/%s" % self.id, body, want_status=True)
        if status is not True:
            _warn("tags", "cannot set tags on task %s (%s)" % (self.id, self._last_error))
            return False
        return True

    def log_plot(self, title, kind, spec, iter=None, series=None):
        """Record a plot: ``kind`` is one of line, scatter, bar, histogram, confusion, table; ``spec`` a
        JSON-serializable dict describing it (at most 1 MiB as JSON). Buffered and sent in the background;
        inside an agent run handed to the agent as a file, which it posts with its lease."""
        if kind not in PLOT_KINDS:
            _warn("plot-kind:" + str(kind), "plot %r skipped: kind must be one of %s" % (title, ", ".join(PLOT_KINDS)))
            return False
        if not isinstance(spec, dict):
            _warn("plot-spec", "plot %r skipped: spec must be a dict" % (title,))
            return False
        body = {"title": str(title), "kind": kind, "spec": spec}
        if iter is not None:
            body["iter"] = int(iter)
        if series is not None:
            body["series"] = str(series)
        return self._queue_report("POST", "plots/user", body)

    def log_text(self, title, text, iter=None):
        """Record a text report (plain text or markdown, at most 256 KiB). Buffered and sent in the
        background; inside an agent run handed to the agent like plots."""
        body = {"title": str(title), "text": str(text)}
        if iter is not None:
            body["iter"] = int(iter)
        return self._queue_report("POST", "texts/user", body)

    def log_image(self, title, image, iter=None, series=None):
        """Record a debug image of iteration ``iter`` (default 0, 1, 2, ... per title and series).
        ``image`` is a file path, PNG/JPEG/GIF/WebP bytes, a matplotlib Figure, or - when Pillow is
        installed - a PIL image or a numpy ``uint8`` array (H x W, H x W x 3 or H x W x 4). At most
        10 MiB. Buffered and sent in the background (the newest 100 iterations per title and series are
        kept); inside an agent run handed to the agent as a file. Returns True when accepted; never raises."""
        try:
            data, ctype = _image_bytes(image)
        except Exception as e:
            _warn("image:" + type(image).__name__, "image %r skipped: %s" % (title, e))
            return False
        if len(data) > MAX_IMAGE_BYTES:
            _warn("image-size", "image %r skipped: %d bytes, at most 10 MiB (scale it down or save it as JPEG)" % (title, len(data)))
            return False
        metric = str(title)[:128] or "image"
        variant = "" if series is None else str(series)[:128]
        with self._lock:
            if iter is None:
                k = ("\0image", metric, variant)
                iter = self._next_iter.get(k, 0)
                self._next_iter[k] = iter + 1
        try:
            iter = int(iter)
        except (TypeError, ValueError):
            _warn("image-iter", "image %r skipped: iter must be a whole number >= 0" % (title,))
            return False
        if iter < 0:
            _warn("image-iter", "image %r skipped: iter must be a whole number >= 0" % (title,))
            return False
        if self._in_agent:
            return self._hand_image(metric, variant, iter, data, ctype)
        if self._disabled or not self.id:
            return False
        query = urllib.parse.urlencode({"metric": metric, "variant": variant, "iter": iter})
        with self._lock:
            self._reports.append(("PUT", "/api/v1/tasks/%s/images/user?%s" % (self.id, query), _Raw(data, ctype)))
            # bounded: the oldest images go first when the controller is unreachable for long
            total = sum(len(r[2].data) for r in self._reports if isinstance(r[2], _Raw))
            while total > MAX_IMAGE_BUFFER:
                i = next(n for n, r in enumerate(self._reports) if isinstance(r[2], _Raw))
                total -= len(self._reports[i][2].data)
                del self._reports[i]
                self._dropped += 1
            if len(self._reports) > MAX_REPORTS:
                del self._reports[0]
                self._dropped += 1
        self._wake.set()
        return True

    def _hand_image(self, metric, variant, iter, data, ctype):
        # inside an agent run the script holds no key: the agent PUTs N.image.json + its file with its lease
        if not self._scalars_dir:
            _warn("image-in-agent", "images are not recorded in this agent run (no relay directory); skipped")
            return False
        with self._lock:
            self._report_n += 1
            n = os.getpid() * 1000000 + self._report_n
        base = "%018d.image" % n
        data_name = base + "." + _IMAGE_TYPES[ctype]
        try:
            for name, write in ((data_name, lambda f: f.write(data)),
                                (base + ".json", lambda f: f.write(json.dumps({"metric": metric, "variant": variant, "iter": iter,
                                                                                "contentType": ctype, "file": data_name}).encode("utf-8")))):
                tmp = os.path.join(self._scalars_dir, name + ".tmp")
                with open(tmp, "wb") as f:
                    write(f)
                os.replace(tmp, os.path.join(self._scalars_dir, name))
            return True
        except OSError as e:
            _warn("image-file", "cannot hand an image to the agent: %s" % e)
            return False

    def log_config(self, name, content, format=None):
        """Store a configuration object under ``name`` (1-64 letters, digits, '.', '_' or '-'); a second
        call with the same name replaces it. A dict or list is sent as JSON; a string as ``format``
        (default ``text``; ``json``, ``yaml`` or ``text``). At most 1 MiB. Buffered and sent in the
        background. Only outside an agent run for now (inside one: warns, returns False)."""
        name = str(name)
        if not _TAG.match(name):
            _warn("config:" + name, "config %r skipped: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit" % name)
            return False
        if isinstance(content, (dict, list)):
            try:
                content = json.dumps(content, default=str)
            except (TypeError, ValueError) as e:
                _warn("config:" + name, "config %r skipped: not JSON-serializable (%s)" % (name, e))
                return False
            format = format or "json"
        format = format or "text"
        if format not in _CONFIG_FORMATS:
            _warn("config-format:" + str(format), "config %r skipped: format must be json, yaml or text" % name)
            return False
        return self._queue_report("PUT", "configs/" + urllib.parse.quote(name), {"format": format, "content": str(content)})

    def _queue_report(self, method, suffix, body):
        if self._in_agent:
            # the script holds no key of its own: the agent posts plot/text files with its lease
            kind = suffix.split("/")[0]
            if not self._scalars_dir or kind not in ("plots", "texts"):
                _warn("report-in-agent:" + kind, "%s are not recorded inside an agent run yet; skipped" % kind)
                return False
            with self._lock:
                self._report_n += 1
                n = os.getpid() * 1000000 + self._report_n
            name = "%018d.%s.json" % (n, kind)
            try:
                tmp = os.path.join(self._scalars_dir, name + ".tmp")
                with open(tmp, "w") as f:
                    json.dump(body, f)
                os.replace(tmp, os.path.join(self._scalars_dir, name))
                return True
            except (OSError, TypeError, ValueError) as e:
                _warn("report-file", "cannot hand %s to the agent: %s" % (kind, e))
                return False
        if self._disabled or not self.id:
            return False
        with self._lock:
            self._reports.append((method, "/api/v1/tasks/%s/%s" % (self.id, suffix), body))
            if len(self._reports) > MAX_REPORTS:
                del self._reports[0]
                self._dropped += 1
        return True

    def _send_reports(self):
        """Sends buffered plots/texts/configs in order; False when the controller could not be reached (kept)."""
        while True:
            with self._lock:
                if not self._reports:
                    return True
                method, path, body = self._reports[0]
            status = self._request(method, path, body, want_status=True)
            if status is not True and not (isinstance(status, int) and 400 <= status < 500 and status not in (408, 429)):
                _warn("reports", "cannot send to %s (%s); keeping it and retrying" % (self.controller, self._last_error))
                return False
            if status is not True:
                _warn("reports:%d" % status, "controller refused %s %s (HTTP %d: %s); it is dropped" % (method, path, status, self._last_error))
            with self._lock:
                if self._reports and self._reports[0][2] is body:
                    del self._reports[0]

    # ------------------------------------------------------------------ sending

    def flush(self, timeout=10.0):
        """Send what is buffered now (waits at most ``timeout`` seconds). Returns True when all was sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._points and not self._reports:
                    return True
            if not self._send_once():
                return False
        return False

    def close(self):
        """Flush and stop the background thread (also run at exit; a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._stop = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.flush()
        if self._dropped:
            sys.stderr.write("[drover] %d points were dropped (buffer full while the controller was unreachable)\n" % self._dropped)

    def _start(self):
        if self._disabled:
            return
        self._thread = threading.Thread(target=self._run, name="drover-flush", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self):
        while not self._stop:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            if self._stop:
                return
            try:
                while self._send_once() and len(self._points) >= FLUSH_POINTS:
                    pass
            except Exception as e:  # never let the thread die silently on a bug
                _warn("thread", "flush failed: %r" % (e,))

    def _send_once(self):
        """Sends up to MAX_PER_REQUEST points; False when the send failed (points kept for a retry)."""
        if self._disabled:
            with self._lock:
                self._points = []
                self._reports = []
            return True
        with self._send_lock:
            if not self._send_reports():
                return False
            with self._lock:
                chunk = self._points[:MAX_PER_REQUEST]
                self._points = self._points[MAX_PER_REQUEST:]
            if not chunk:
                return True
            self._batch += 1
            points = []
            for (m, v, i, x, ts) in chunk:
                x = _num(x)
                try:
                    i = int(i)
                except (TypeError, ValueError):
                    i = -1
                if x is None or i < 0:
                    continue  # NaN/inf values and negative iterations are refused by the API: skip just those
                points.append({"metric": str(m), "variant": "" if v is None else str(v), "iter": i, "value": x,
                               "ts": int(ts * 1000)})
            if not points:
                return True
            body = {"points": points}
            if self._scalars_dir:
                status = self._write_batch(body)
            elif self._lease:
                # an agent without a relay directory: the agent route, fenced by the lease epoch
                if self._epoch is not None:
                    body["epoch"] = self._epoch
                    body["batch"] = os.getpid() * 1000000 + self._batch
                status = self._request("POST", "/api/v1/tasks/%s/scalars" % self.id, body, want_status=True)
            else:
                status = self._request("POST", "/api/v1/tasks/%s/scalars/user" % self.id, body, want_status=True)
            if status is True:
                return True
            if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
                # the server will never take these (bad request, no such route, refused): drop, say why once
                _warn("scalars:%d" % status, "controller refused %d points (HTTP %d: %s); they are dropped"
                      % (len(chunk), status, self._last_error))
                return True
            _warn("scalars", "cannot send points to %s (%s); keeping them and retrying" % (self.controller, self._last_error))
            with self._lock:
                self._points[:0] = chunk
                if len(self._points) > MAX_BUFFER:
                    n = len(self._points) - MAX_BUFFER
                    del self._points[:n]
                    self._dropped += n
            return False

    def _write_batch(self, body):
        # Inside an agent run the process has no API key: the agent posts these files with its lease.
        # The number (pid, then a counter) is the batch number: unique per task, so a retry is not stored twice.
        name = "%018d.json" % (os.getpid() * 1000000 + self._batch)
        try:
            tmp = os.path.join(self._scalars_dir, name + ".tmp")
            with open(tmp, "w") as f:
                json.dump(body, f)
            os.replace(tmp, os.path.join(self._scalars_dir, name))
            return True
        except OSError as e:
            self._last_error = str(e)
            return None

    def _request(self, method, path, body=None, want_status=False):
        if isinstance(body, _Raw):
            data, ctype = body.data, body.content_type
        else:
            data, ctype = (json.dumps(body).encode("utf-8") if body is not None else None), "application/json"
        req = urllib.request.Request(self.controller + path, data=data, method=method)
        req.add_header("Content-Type", ctype)
        req.add_header("User-Agent", "drover-python/" + __version__)
        if self._key:
            req.add_header("Authorization", "Bearer " + self._key)
        if self._lease:
            req.add_header("X-Drover-Lease", self._lease)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                if want_status:
                    return True
                return json.loads(raw.decode("utf-8")) if raw else {}
        except urllib.error.HTTPError as e:
            try:
                self._last_error = json.loads(e.read().decode("utf-8"))["error"]["message"]
            except Exception:
                self._last_error = str(e)
            return e.code if want_status else None
        except Exception as e:  # URLError, timeouts, connection resets, bad JSON
            self._last_error = str(getattr(e, "reason", e))
            return None

    def _write_capture(self):
        # The agent reads this file (same one the argparse hook writes) and reports it as params.
        if not self._capture_file:
            return
        try:
            merged = {}
            if os.path.exists(self._capture_file):
                with open(self._capture_file) as f:
                    old = json.load(f)
                if isinstance(old, dict):
                    merged.update(old)
            merged.update(self._params)
            tmp = self._capture_file + ".drover.tmp"
            with open(tmp, "w") as f:
                json.dump(merged, f)
            os.replace(tmp, self._capture_file)
        except Exception as e:
            _warn("capture", "cannot record params: %s" % e)


# ---------------------------------------------------------------------- helpers

_warned = set()


class _Raw:
    """A request body sent as is (image bytes), not as JSON."""
    __slots__ = ("data", "content_type")

    def __init__(self, data, content_type):
        self.data = data
        self.content_type = content_type


def _sniff(data):
    """The image type of ``data`` from its first bytes, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"GIF8":
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_bytes(image):
    """(bytes, content type) of whatever log_image was given; raises with a reason when it cannot."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
    elif isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as f:
            data = f.read(MAX_IMAGE_BYTES + 1)
    elif hasattr(image, "savefig") and hasattr(image, "canvas"):  # a matplotlib Figure
        data = _figure_png(image)
    elif type(image).__module__.startswith("PIL.") and hasattr(image, "save"):
        buf = io.BytesIO()
        img = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16") else image.convert("RGB")
        img.save(buf, format="PNG")
        data = buf.getvalue()
    elif type(image).__module__ == "numpy" and hasattr(image, "dtype") and hasattr(image, "shape"):
        if str(image.dtype) != "uint8":
            raise ValueError("a numpy array must have dtype uint8 (values 0-255), got %s: convert it with (a * 255).astype('uint8')" % image.dtype)
        if len(image.shape) not in (2, 3) or (len(image.shape) == 3 and image.shape[2] not in (1, 3, 4)):
            raise ValueError("a numpy image must be H x W, H x W x 3 or H x W x 4, got shape %s" % (image.shape,))
        try:
            from PIL import Image
        except ImportError:
            raise ValueError("logging numpy arrays needs Pillow (pip install pillow); or pass PNG bytes or a file path")
        if len(image.shape) == 3 and image.shape[2] == 1:
            image = image[:, :, 0]
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="PNG")
        data = buf.getvalue()
    else:
        raise ValueError("unsupported image of type %s: pass a file path, PNG/JPEG bytes, a matplotlib Figure, a PIL image "
                         "or a numpy uint8 array" % type(image).__name__)
    ctype = _sniff(data)
    if ctype is None:
        raise ValueError("not a PNG, JPEG, GIF or WebP image")
    return data, ctype


def _warn(key, message):
    if key in _warned:
        return
    _warned.add(key)
    try:
        sys.stderr.write("[drover] " + message + "\n")
    except Exception:
        pass


def _num(x):
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _as_text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    return str(v)


def _typed_like(original, text):
    """Converts the remote text to the original value's type (bool before int: bool is an int)."""
    if not isinstance(text, str):
        text = json.dumps(text) if isinstance(text, (list, dict)) else str(text)
    if isinstance(original, bool):
        t = text.strip().lower()
        if t in ("1", "true", "yes", "y", "on"):
            return True
        if t in ("0", "false", "no", "n", "off", ""):
            return False
        raise ValueError("not a boolean")
    if isinstance(original, int):
        return int(text)
    if isinstance(original, float):
        return float(text)
    if isinstance(original, (list, tuple, dict)):
        v = json.loads(text)
        if not isinstance(v, (list, dict)):
            raise ValueError("not JSON " + type(original).__name__)
        return type(original)(v) if isinstance(original, tuple) else v
    if original is None:
        return text
    return type(original)(text)


def _remote_params():
    try:
        p = json.loads(os.environ.get("DROVER_PARAMS") or "{}")
        return p if isinstance(p, dict) else {}
    except ValueError:
        return {}


def _config_file():
    home = os.environ.get("DROVER_HOME") or os.path.join(os.path.expanduser("~"), ".drover")
    try:
        with open(os.path.join(home, "config.json")) as f:
            c = json.load(f)
        return c if isinstance(c, dict) else {}
    except (OSError, ValueError):
        return {}


def _git(args, cwd):
    try:
        r = subprocess.run(["git"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
        return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _local_task_body(project, name, tags):
    """POST /tasks body for a run outside an agent: the script, its git state and command line."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-") else None
    script_path = os.path.abspath(argv0) if argv0 and os.path.exists(argv0) else None
    here = os.path.dirname(script_path) if script_path else os.getcwd()
    entry = os.path.basename(script_path) if script_path else "interactive"
    script = {"repo": here, "entryPoint": entry}
    top = (_git(["rev-parse", "--show-toplevel"], here) or "").strip()
    if top:
        script["repo"] = (_git(["config", "--get", "remote.origin.url"], top) or "").strip() or top
        if script_path:
            rel = os.path.relpath(script_path, top)
            if not rel.startswith(".."):
                script["entryPoint"] = rel.replace(os.sep, "/")
        rel_cwd = os.path.relpath(os.getcwd(), top)
        if not rel_cwd.startswith(".."):
            script["workingDir"] = rel_cwd.replace(os.sep, "/")
        commit = (_git(["rev-parse", "HEAD"], top) or "").strip()
        if len(commit) == 40:
            script["commit"] = commit
        branch = (_git(["rev-parse", "--abbrev-ref", "HEAD"], top) or "").strip()
        if branch and branch != "HEAD":
            script["branch"] = branch
        diff = _git(["diff", "HEAD"], top)
        if diff and len(diff.encode("utf-8")) <= _DIFF_LIMIT:
            script["diff"] = diff
    if len(sys.argv) > 1:
        script["args"] = " ".join(shlex.quote(a) for a in sys.argv[1:])
    body = {"name": name or os.path.splitext(entry)[0] or "run", "script": script,
            "tags": ["local"] + [t for t in (tags or []) if t != "local"]}
    params = {k: v for k, v in _parsed_args.items() if 0 < len(k) <= 256 and len(v) <= 65536}
    if params:
        body["params"] = params  # from an ArgumentParser that ran before init()
    if project:
        body["project"] = project
    return body


# ---------------------------------------------------------------------- argparse (local runs)

_parsed_args = {}


def _patch_argparse(argparse):
    """Records the arguments of the last parse_args, so a local run's task gets them as params.
    (Inside an agent the sitecustomize hook does this and more; recording is harmless there.)"""
    original = argparse.ArgumentParser.parse_known_args
    if getattr(original, "_drover_record", False):
        return

    def parse_known_args(self, args=None, namespace=None):
        ns, extras = original(self, args, namespace)
        try:
            for k, v in vars(ns).items():
                _parsed_args[str(k)] = "" if v is None else _as_text(v)
        except Exception:
            pass
        return ns, extras

    parse_known_args._drover_record = True
    argparse.ArgumentParser.parse_known_args = parse_known_args


# ---------------------------------------------------------------------- TensorBoard auto-capture

_TB_MODULES = ("torch.utils.tensorboard.writer", "tensorboardX.writer")


def _patch_tensorboard():
    """Makes SummaryWriter.add_scalar also log_scalar: now for modules already imported, else when
    they are imported (an import hook; nothing is imported here)."""
    for name in _TB_MODULES:
        if name in sys.modules:
            _patch_writer_module(sys.modules[name])
    if not all(n in sys.modules for n in _TB_MODULES) and _TbFinder not in sys.meta_path:
        sys.meta_path.insert(0, _TbFinder)


def _patch_writer_module(module):
    cls = getattr(module, "SummaryWriter", None)
    if cls is None or getattr(cls.add_scalar, "_drover", False):
        return
    original = cls.add_scalar

    def add_scalar(self, tag, scalar_value, global_step=None, *args, **kwargs):
        try:
            t = _current
            if t is not None:
                v = scalar_value.item() if hasattr(scalar_value, "item") else scalar_value
                metric, _, variant = str(tag).partition("/")
                t.log_scalar(metric, v, iter=global_step, variant=variant or None)
        except Exception:
            pass
        return original(self, tag, scalar_value, global_step, *args, **kwargs)

    add_scalar._drover = True
    cls.add_scalar = add_scalar


def _spec_with_patch(name, path, patch):
    """The module's normal spec, with ``patch(module)`` run right after the module executes."""
    import importlib.machinery
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return spec
    original_exec = spec.loader.exec_module

    def exec_module(module):
        original_exec(module)
        try:
            patch(module)
        except Exception:
            pass

    spec.loader.exec_module = exec_module
    return spec


class _TbFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in _TB_MODULES:
            return None
        return _spec_with_patch(name, path, _patch_writer_module)


# ---------------------------------------------------------------------- matplotlib auto-capture

_MPL_MODULES = ("matplotlib.figure", "matplotlib.pyplot")
_mpl_state = threading.local()
_figure_count = [0]


def _figure_png(fig):
    """The figure as PNG bytes, rendered by the original savefig (so it is not captured again)."""
    buf = io.BytesIO()
    _mpl_state.busy = True
    try:
        save = getattr(type(fig).savefig, "_drover_original", type(fig).savefig)
        save(fig, buf, format="png")
    finally:
        _mpl_state.busy = False
    return buf.getvalue()


def _figure_title(fig):
    sup = getattr(fig, "_suptitle", None)
    text = sup.get_text() if sup is not None and hasattr(sup, "get_text") else ""
    if text:
        return text
    number = getattr(fig, "number", None)
    if number is None:
        _figure_count[0] += 1
        number = _figure_count[0]
    return "figure %s" % number


def _capture_figure(fig):
    t = _current
    if t is None or getattr(_mpl_state, "busy", False):
        return
    try:
        t.log_image(_figure_title(fig), _figure_png(fig))
    except Exception as e:
        _warn("matplotlib", "figure not captured: %r" % (e,))


def _patch_figure_module(module):
    cls = getattr(module, "Figure", None)
    if cls is None or getattr(cls.savefig, "_drover", False):
        return
    original = cls.savefig

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if not getattr(_mpl_state, "busy", False):
            _capture_figure(self)
        return result

    savefig._drover = True
    savefig._drover_original = original
    cls.savefig = savefig


def _patch_pyplot_module(module):
    show = getattr(module, "show", None)
    if show is None or getattr(show, "_drover", False):
        return

    def patched_show(*args, **kwargs):
        # before the original: an interactive backend blocks in show() and the figures may be closed after it
        try:
            from matplotlib._pylab_helpers import Gcf
            for manager in Gcf.get_all_fig_managers():
                _capture_figure(manager.canvas.figure)
        except Exception as e:
            _warn("matplotlib-show", "figures not captured: %r" % (e,))
        return show(*args, **kwargs)

    patched_show._drover = True
    module.show = patched_show


_MPL_PATCHES = {"matplotlib.figure": _patch_figure_module, "matplotlib.pyplot": _patch_pyplot_module}


def _patch_matplotlib():
    """Makes pyplot.show() and Figure.savefig() also log_image the figure: now for modules already
    imported, else when they are imported (an import hook; matplotlib is never imported here)."""
    if os.environ.get("DROVER_CAPTURE_MATPLOTLIB", "1").lower() in ("0", "false", "no", "off"):
        return
    for name in _MPL_MODULES:
        if name in sys.modules:
            _MPL_PATCHES[name](sys.modules[name])
    if not all(n in sys.modules for n in _MPL_MODULES) and _MplFinder not in sys.meta_path:
        sys.meta_path.insert(0, _MplFinder)


class _MplFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in _MPL_PATCHES:
            return None
        return _spec_with_patch(name, path, _MPL_PATCHES[name])


class _ArgparseFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "argparse":
            return None
        try:
            sys.meta_path.remove(cls)  # argparse is imported once
        except ValueError:
            pass
        return _spec_with_patch(name, path, _patch_argparse)


# At import (not init): a script usually parses its arguments before calling init(). Not in an
# agent run: there the agent's sitecustomize hook owns argparse (and its finder must see the import).
if not os.environ.get("DROVER_TASK_ID"):
    if "argparse" in sys.modules:
        _patch_argparse(sys.modules["argparse"])
    else:
        sys.meta_path.insert(0, _ArgparseFinder)
