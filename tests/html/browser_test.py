#!/usr/bin/env python3
"""The HTML report in a real browser: Debian's Chromium, headless, driven over the Chrome
DevTools Protocol on a pipe (--remote-debugging-pipe: commands on fd 3, answers on fd 4, each
message JSON ended by a NUL byte), with Python's standard library only.

Each page is loaded at 1280x900 and at a phone's 390x844 (light and dark), and at 1280 as
print media; the test fails on any console message of level warning or error, on any network
request other than the page itself (or one that fails), on an uncaught exception, and when
the page is wider than the window at phone width (something would overflow). The screenshots
are written to OUTDIR (`html-<page>-<width>[-dark|-print][-full].png`) for people to look at.

Pages: `sample.html` (html_sample: every section, hostile metadata) and `doctor.html` (mlstack
doctor --html on tests/data's TensorFlow 2.9 + torch 1.12 site with the fake H200), plus any
PAGE.html given.

Without Chromium the test skips (exit 77), except under CI=true, where it fails.
Usage: browser_test.py OUTDIR [--sample HTML_SAMPLE] [--mlstack MLSTACK --fake-nvml LIB]
                       [PAGE.html ...]
"""
import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
TIMEOUT_S = 30


def in_ci() -> bool:
    v = os.environ.get("CI", "")
    return v not in ("", "0", "false", "False", "FALSE")


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return ""


class Browser:
    """One headless Chromium; `call` sends a command and returns its result, collecting the
    events that arrive meanwhile in `events`."""

    def __init__(self, binary: str, profile: str, log):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # High copies, so that moving them to 3 and 4 in the child clobbers nothing.
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)

        def to_fds_3_and_4():
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--metrics-recording-only", "--mute-audio",
             "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=False,
            preexec_fn=to_fds_3_and_4)
        for fd in (to_chrome_r, from_chrome_w, child_r, child_w):
            os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - best effort; killed below
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe (did it start?)")
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params=None, session=None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_for(self, method: str, session: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e["method"] == method and e.get("sessionId") == session
                      for e in self.events):
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append(m)


def problems_in(events, session: str, page_url: str):
    """The console messages, exceptions and requests that fail the test."""
    out = []
    for e in events:
        if e.get("sessionId") != session:
            continue
        p = e.get("params", {})
        method = e["method"]
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append(f"console.{p['type']}: {args}")
        elif method == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            entry = p["entry"]
            out.append(f"log {entry['level']} ({entry.get('source')}): {entry.get('text')}")
        elif method == "Runtime.exceptionThrown":
            out.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif method == "Network.requestWillBeSent" and p["request"]["url"] != page_url:
            out.append(f"network request: {p['request']['url']}")
        elif method == "Network.loadingFailed":
            out.append(f"network failure: {p.get('errorText')} {p.get('blockedReason', '')}")
    return out


def evaluate(browser: Browser, session: str, expression: str):
    r = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                     session)
    if "exceptionDetails" in r:
        raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
    return r["result"].get("value")


# What sticks out of the window, outside boxes that scroll on their own. The emulated width is
# given: a phone's browser zooms out to show a page wider than its screen, and innerWidth then
# grows with it.
OVERFLOW_JS = """((w) => {
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.scroll')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5) bad.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          width: w, bad: bad.slice(0, 5)};
})(%d)"""


def shoot(browser, session, path: pathlib.Path, full: bool) -> None:
    """The viewport as `path`; with `full`, also the whole page as `-full.png` and in parts of
    1400 px as `-part<N>.png` (readable at full size)."""
    shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
    path.write_bytes(base64.b64decode(shot["data"]))
    if not full:
        return
    size = browser.call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
    height = min(size["height"], 12000)
    parts = [("full", 0, height)]
    parts += [(f"part{i + 1}", y, min(1400, height - y))
              for i, y in enumerate(range(0, int(height), 1400))]
    for suffix, y, h in parts:
        shot = browser.call("Page.captureScreenshot",
                            {"format": "png", "captureBeyondViewport": True,
                             "clip": {"x": 0, "y": y, "width": size["width"], "height": h,
                                      "scale": 1}}, session)
        path.with_name(f"{path.stem}-{suffix}.png").write_bytes(base64.b64decode(shot["data"]))


def check_page(browser: Browser, page: pathlib.Path, outdir: pathlib.Path) -> list:
    failures = []
    url = page.resolve().as_uri()
    views = [(1280, 900, "light", "screen"), (390, 844, "light", "screen"),
             (390, 844, "dark", "screen"), (1280, 900, "light", "print")]
    for width, height, scheme, media in views:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.call(f"{domain}.enable", {}, session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1,
                      "mobile": width < 600}, session)
        browser.call("Emulation.setEmulatedMedia",
                     {"media": media,
                      "features": [{"name": "prefers-color-scheme", "value": scheme}]}, session)
        browser.call("Page.navigate", {"url": url}, session)
        browser.wait_for("Page.loadEventFired", session)
        name = f"{page.stem}-{width}" + ("" if scheme == "light" else f"-{scheme}") + \
            ("" if media == "screen" else f"-{media}")
        layout = evaluate(browser, session, OVERFLOW_JS % width)
        if width < 600 and (max(layout["scrollWidth"], layout["innerWidth"]) > width
                            or layout["bad"]):
            failures.append(f"{name}: wider than the window: {layout}")
        title = evaluate(browser, session, "document.title")
        if not title.startswith("mlstack doctor: "):
            failures.append(f"{name}: title {title!r}")
        shoot(browser, session, outdir / f"html-{name}.png",
              full=media == "screen" and scheme == "light")
        failures += [f"{name}: {p}" for p in problems_in(browser.events, session, url)]
        browser.call("Target.closeTarget", {"targetId": target})
    return failures


DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def make_pages(args, outdir: pathlib.Path) -> list:
    pages = []
    if args.sample:
        pages.append(outdir / "sample.html")
        subprocess.run([args.sample, str(pages[-1])], check=True)
    if args.mlstack:
        pages.append(outdir / "doctor.html")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLSTACK_", "CUDA_")) and k != "LD_LIBRARY_PATH"}
        env["MLSTACK_FAKE_NVML_JSON"] = str(DATA / "nvml" / "h200-580.json")
        env["XDG_CACHE_HOME"] = str(outdir / "cache")
        p = subprocess.run([args.mlstack, "doctor", "--site",
                            str(DATA / "envs" / "tf29-torch112" / "site-packages"),
                            "--python-version", "3.10", "--nvml-library", args.fake_nvml,
                            "--html", str(pages[-1])],
                           env=env, stdout=subprocess.DEVNULL, check=False)
        if p.returncode not in (0, 1) or not pages[-1].is_file():
            raise SystemExit(f"mlstack doctor --html failed ({p.returncode})")
    return pages + [pathlib.Path(p) for p in args.pages]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=pathlib.Path)
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--sample")
    parser.add_argument("--mlstack")
    parser.add_argument("--fake-nvml", default="")
    args = parser.parse_args()
    outdir = args.outdir
    chromium = find_chromium()
    if not chromium:
        if in_ci():
            print("FAIL: chromium is not installed (CI is set: the browser test must run)")
            return 1
        print("SKIP: chromium is not installed (apt-get install chromium)")
        return SKIP
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("html-*.png"):
        old.unlink()
    pages = make_pages(args, outdir)
    failures = []
    with tempfile.TemporaryDirectory(prefix="mlstack-chromium-") as profile, \
            open(outdir / "chromium.log", "wb") as log:
        browser = Browser(chromium, profile, log)
        try:
            browser.call("Target.setDiscoverTargets", {"discover": False})
            for page in pages:
                failures += check_page(browser, page, outdir)
        finally:
            browser.close()
    for f in failures:
        print(f"FAIL: {f}")
    shots = sorted(p.name for p in outdir.glob("html-*.png"))
    print(f"{len(pages)} page(s), {len(shots)} screenshots in {outdir}, "
          f"{len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
