"""Browser latency of the explorer: rotation-slider keypress to new preview pixels, broken down.

Opens a fresh copy of ``notebooks/02-augmentation-explorer.ipynb`` in JupyterLab (or Voila)
in Debian's Chromium, runs it, focuses the rotation slider and presses the arrow keys
``--moves`` times, waiting for each new preview before the next key. Each latency is the
time from the ``keydown`` event to the first frame after the new image has been decoded,
measured in the page with ``performance.now()``.

The breakdown, from the same run:

- **kernel**: how long the kernel was busy with each move, read from outside: the time
  between the ``busy`` and ``idle`` status messages the kernel stamps around the slider's
  ``comm_msg`` (the panel's whole update: preview, validation, findings, and whichever of
  the code and share tabs is shown). Nothing in the panel writes timings anywhere;
- **messages**: every kernel websocket frame between the keypress and the kernel going
  idle again, counted and sized, with each widget update named by the state it carries.

Goals (issue 11): a median of at most 50 ms, and at most 3x the kernel's update time.

Usage:
    python benchmarks/bench_browser_latency.py [--moves 20] [--voila] [--json PATH]

The browser suite calls ``latency_table`` to print the same table.

Example:
    $ python benchmarks/bench_browser_latency.py --moves 20
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import struct
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser import harness, panels  # noqa: E402

GOAL_MS = 50.0
GOAL_KERNEL_RATIO = 3.0


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def latency_table(latencies: list[float], *, where: str = "JupyterLab",
                  kernel_ms: list[float] | None = None) -> str:
    """Formats latencies (ms) as a small Markdown table with the median against the goals.

    Example:
        >>> print(latency_table([40.0, 50.0, 60.0]).splitlines()[2])
        | JupyterLab | 3 | 50 | 40 | 60 | 60 | - | - | yes |
    """
    ordered = sorted(latencies)
    median = statistics.median(ordered)
    kernel = statistics.median(kernel_ms) if kernel_ms else None
    ratio = median / kernel if kernel else None
    meets = median <= GOAL_MS and (ratio is None or ratio <= GOAL_KERNEL_RATIO)
    rows = [
        "| where | moves | median ms | min ms | p90 ms | max ms | kernel update ms (median) "
        f"| browser / kernel | median <= {GOAL_MS:.0f} ms and <= {GOAL_KERNEL_RATIO:.0f}x kernel |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {where} | {len(ordered)} | {median:.0f} | {ordered[0]:.0f} | {_p90(ordered):.0f} "
        f"| {ordered[-1]:.0f} | {'-' if kernel is None else f'{kernel:.1f}'} "
        f"| {'-' if ratio is None else f'{ratio:.1f}x'} | {'yes' if meets else 'no'} |",
    ]
    return "\n".join(rows)


# --------------------------------------------------------------------------- frames


def _stamp(header: dict) -> float | None:
    """A message header's ``date`` (the sender's clock) in ms since the epoch."""
    try:
        return datetime.fromisoformat(str(header["date"]).replace("Z", "+00:00")).timestamp() * 1e3
    except (KeyError, ValueError):
        return None


def _decode_frame(payload: str | bytes) -> dict | None:
    """A kernel websocket frame as ``{channel, msg_type, content, buffers, date,
    parent_type}`` (JSON or the binary ``v1.kernel.websocket.jupyter.org`` framing);
    ``None`` if it is neither."""
    try:
        if isinstance(payload, str):
            message = json.loads(payload)
            return {"channel": message.get("channel"),
                    "msg_type": message.get("header", {}).get("msg_type"),
                    "content": message.get("content", {}), "buffers": 0, "size": len(payload),
                    "date": _stamp(message.get("header", {})),
                    "parent_type": message.get("parent_header", {}).get("msg_type")}
        data = bytes(payload)
        count = struct.unpack_from("<Q", data, 0)[0]
        offsets = list(struct.unpack_from(f"<{count}Q", data, 8))
        if count < 6 or offsets[-1] > len(data) + 8:
            # the old JSON-with-buffers framing: offsets then parts
            raise ValueError
        offsets.append(len(data))
        parts = [data[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
        header, parent = json.loads(parts[1]), json.loads(parts[2])
        return {"channel": parts[0].decode(), "msg_type": header.get("msg_type"),
                "content": json.loads(parts[4]), "buffers": sum(len(p) for p in parts[5:]),
                "size": len(data), "date": _stamp(header),
                "parent_type": parent.get("msg_type")}
    except (ValueError, KeyError, IndexError, struct.error, UnicodeDecodeError):
        return None


def kernel_busy_ms(frames: list[dict]) -> list[float]:
    """How long the kernel was busy with each widget message, from its own status stamps:
    ``idle`` minus ``busy`` for the status pairs whose parent is a ``comm_msg``."""
    busy, spans = None, []
    for frame in frames:
        if frame["msg_type"] != "status" or frame.get("parent_type") != "comm_msg":
            continue
        state = frame["content"].get("execution_state")
        if state == "busy":
            busy = frame.get("date")
        elif state == "idle" and busy is not None and frame.get("date") is not None:
            spans.append(frame["date"] - busy)
            busy = None
    return spans


def _describe(frame: dict) -> str:
    """``comm update value [82 KB buffer]``, ``status idle``, ..."""
    content = frame["content"]
    if frame["msg_type"] == "status":
        return f"status {content.get('execution_state')}"
    if frame["msg_type"] == "comm_msg":
        data = content.get("data", {})
        paths = ("/".join(map(str, path)) for path in data.get("buffer_paths", []))
        keys = ",".join(sorted({*data.get("state", {}), *paths}))
        extra = f" [{frame['buffers'] / 1024:.0f} KB buffer]" if frame["buffers"] else ""
        return f"comm {data.get('method')} {keys}{extra}"
    return str(frame["msg_type"])


class FrameLog:
    """Every kernel websocket frame the page receives, decoded (``page.on("websocket")``)."""

    def __init__(self, page) -> None:
        self.frames: list[dict] = []
        self.sent: list[dict] = []
        page.on("websocket", self._attach)

    def _attach(self, websocket) -> None:
        if "/channels" not in websocket.url and "/kernels/" not in websocket.url:
            return
        websocket.on("framereceived", lambda payload: self._keep(self.frames, payload))
        websocket.on("framesent", lambda payload: self._keep(self.sent, payload))

    @staticmethod
    def _keep(into: list[dict], payload) -> None:
        frame = _decode_frame(payload)
        if frame is not None:
            into.append(frame)


# Time-stamps every websocket frame in the page, on arrival (before the page handles it)
# and on sending, so a move splits into: keydown -> message sent (the slider and the widget
# manager); sent -> the kernel sends the preview (server in, kernel, the panel's update);
# -> the page receives it (kernel's IOPub thread, server out); -> the image's src is set
# (the page's kernel connection and widget manager); -> the first frame after the new
# image is decoded (decode, waiting for the next animation frame).
_FRAME_CLOCK_JS = """
(() => {
  const frames = window.__augwidgetsFrames = [];
  const now = () => performance.timeOrigin + performance.now();  // wall clock, ms
  const size = (d) => d.byteLength ?? d.size ?? d.length ?? 0;
  // The kernel stamps each message's header with its (same machine) wall clock.
  const header = (d) => {
    try {
      if (typeof d === 'string') return JSON.parse(d).header;
      const view = new DataView(d);
      const n = Number(view.getBigUint64(0, true));
      const offsets = [...Array(n).keys()].map(i => Number(view.getBigUint64(8 + 8 * i, true)));
      const text = new TextDecoder().decode(new Uint8Array(d, offsets[1], offsets[2] - offsets[1]));
      return JSON.parse(text);
    } catch (e) { return null; }
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    frames.push({t: now(), out: true, size: size(data)});
    return send.call(this, data);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.binaryType = 'arraybuffer';
      this.addEventListener('message', (e) => {
        const h = header(e.data);
        frames.push({t: now(), out: false, size: size(e.data),
                     created: h && h.date ? Date.parse(h.date) : null});
      });
    }
  };
})();
"""


def _split(page, key_time: float, changed: float, painted: float) -> dict:
    """The split of one move (ms), from the page's frame clock and the kernel's stamps."""
    frames = page.evaluate(
        "([a, b]) => window.__augwidgetsFrames.filter(f => f.t >= a && f.t <= b)",
        [key_time, painted])
    sent = next((f["t"] for f in frames if f["out"]), None)
    received = [f for f in frames if not f["out"]]
    if sent is None or not received:
        return {}
    image = max(received, key=lambda f: f["size"])
    split = {"keydown_to_sent": sent - key_time}
    if image.get("created"):
        split["sent_to_kernel_sent_preview"] = image["created"] - sent
        split["kernel_sent_to_page_received"] = image["t"] - image["created"]
    else:
        split["sent_to_preview_received"] = image["t"] - sent
    split["received_to_src_set"] = changed - image["t"]
    split["src_set_to_painted"] = painted - changed
    return split


def measure(moves: int = 20, *, voila: bool = False) -> dict:
    """Starts a server and Chromium, opens the explorer, times ``moves`` slider moves."""
    from playwright.sync_api import sync_playwright

    with harness.temporary_environment(Path(tempfile.mkdtemp(prefix="augwidgets-bench-"))) as env:
        name = env.copy_notebook(panels.EXPLORER_NOTEBOOK)
        server = harness.start_voila(env, name) if voila else harness.start_lab(env)
        with server, sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1600})
                page.set_default_timeout(harness.WIDGET_TIMEOUT_MS)
                page.add_init_script(_FRAME_CLOCK_JS)
                log = FrameLog(page)
                if voila:
                    # Voila runs the notebook before it answers: slow on a loaded machine.
                    page.goto(server.url, wait_until="domcontentloaded",
                              timeout=harness.RUN_ALL_TIMEOUT_MS)
                else:
                    harness.open_notebook(page, server.url, name)
                    harness.run_all_cells(page)
                panel = panels.explorer_panel(page)
                panel.wait_for(state="visible", timeout=harness.RUN_ALL_TIMEOUT_MS)
                handle, image = panels.rotation_handle(panel), panels.preview_image(panel)
                # One move first, so the first measured move is not a cold start.
                harness.measure_slider_latency(page, handle, image, moves=1)
                page.wait_for_timeout(500)
                latencies, per_move, splits = [], [], []
                for _ in range(moves):
                    log.frames.clear()
                    log.sent.clear()
                    latencies += harness.measure_slider_latency(page, handle, image, moves=1,
                                                                alternate_from=len(latencies))
                    # The move is over when the kernel is idle again after handling it.
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline and not any(
                            f["msg_type"] == "status"
                            and f["content"].get("execution_state") == "idle"
                            for f in log.frames[1:]):
                        page.wait_for_timeout(5)
                    per_move.append(list(log.frames))
                    key_time, changed, painted = image.evaluate(
                        "(img) => { const w = img.__augwidgetsWatch; "
                        "const o = performance.timeOrigin, last = w.times[w.times.length - 1]; "
                        "return [o + w.keyTimes[w.keyTimes.length - 1], o + last.changed, "
                        "o + last.painted]; }")
                    splits.append(_split(page, key_time, changed, painted))
                page.wait_for_timeout(300)
            finally:
                browser.close()
    kernel = [sum(kernel_busy_ms(frames)) for frames in per_move]
    return {"latencies_ms": latencies, "kernel": kernel, "frames": per_move,
            "splits": [split for split in splits if split]}


def breakdown(result: dict) -> str:
    """What one move costs: kernel time, frames and bytes, and which widgets re-render."""
    kernel = [ms for ms in result["kernel"] if ms]
    lines = []
    if kernel:
        images = [max((f["buffers"] for f in frames), default=0) for frames in result["frames"]]
        lines.append(
            f"kernel busy, per move (median of {len(kernel)}, from its status stamps): "
            f"{statistics.median(kernel):.1f} ms (min {min(kernel):.1f}, max {max(kernel):.1f}),"
            f" preview JPEG {statistics.median(images) / 1024:.0f} KB")
    splits = result.get("splits") or []
    if splits:
        parts = ", ".join(f"{name.replace('_', ' ')} {statistics.median(s[name] for s in splits):.1f}"
                          for name in splits[0])
        lines.append(f"in the page, per move (median ms of {len(splits)}): {parts}")
    moves = result["frames"]
    if moves:
        counts = [len(frames) for frames in moves]
        sizes = [sum(f["size"] for f in frames) for frames in moves]
        lines.append(f"kernel -> browser, per move (median): {statistics.median(counts):.0f} "
                     f"frames, {statistics.median(sizes) / 1024:.0f} KB")
        kinds = collections.Counter(_describe(f) for frames in moves for f in frames)
        for kind, count in kinds.most_common():
            lines.append(f"  {count / len(moves):4.1f} x  {kind}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=20, help="slider moves to time (20)")
    parser.add_argument("--voila", action="store_true", help="measure in Voila, not JupyterLab")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    if args.moves < 1:
        parser.error(f"--moves must be at least 1. Received: moves={args.moves}")
    started = time.perf_counter()
    result = measure(args.moves, voila=args.voila)
    where = "Voila" if args.voila else "JupyterLab"
    print(latency_table(result["latencies_ms"], where=where,
                        kernel_ms=[ms for ms in result["kernel"] if ms]))
    print(breakdown(result))
    print(f"(slider keypress -> decoded new preview frame; {time.perf_counter() - started:.0f} s)")
    if args.json:
        summary = {k: result[k] for k in ("latencies_ms", "kernel", "splits")}
        summary["frames"] = [[_describe(f) + f" ({f['size']} B)" for f in frames]
                             for frames in result["frames"]]
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
