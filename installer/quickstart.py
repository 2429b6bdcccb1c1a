#!/usr/bin/env python3
"""Set up clinic_app from nothing and start it, or run its tests.

    python3 installer/quickstart.py run  [APP ARGS...]     # e.g. --data-dir ~/clinic-data
    python3 installer/quickstart.py test [PYTEST ARGS...]  # e.g. -k backup -x
    python3 installer/quickstart.py setup                  # set up only
    python3 installer/quickstart.py build [BUILD ARGS...]  # the signed bundle, archive, .deb
    python3 installer/quickstart.py build-smoke            # build with a test key, smoke-run it

Each command is self-contained. It
  1. on Linux, installs the system libraries Qt needs when they are missing and it may
     (as root, or with passwordless `sudo -n`, through apt-get); otherwise it names them and
     goes on;
  2. makes the virtual environment `.venv` in the repository, even where Python has no
     venv/ensurepip module (Debian's python3 without python3-venv): as root it installs
     python3.X-venv, otherwise it makes the environment without pip and bootstraps pip from PyPI;
  3. installs the package with its test and build extras (`pip install -e .[test,build]`),
     skipped while pyproject.toml is unchanged since the last install (its hash is in .venv);
  4. starts `python -m clinic_app` (run) or pytest with QT_QPA_PLATFORM=offscreen (test), or
     installer/build.py (build), passing the remaining arguments through; build-smoke builds
     with a throwaway test key and runs installer/smoke_bundle.py on the result.

Standard library only; runs with the system python3 (3.11 or newer).
"""

# ruff: noqa: T201 - a console script: print is its interface
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".quickstart-installed"
EXTRAS = "test,build"
SMOKE_DIST = ROOT / "build" / "smoke-dist"
PYPI_SIMPLE = "https://pypi.org/simple"

# Debian package -> the library it provides (checked with `ldconfig -p`, so a renamed package,
# such as Ubuntu 24.04's libglib2.0-0t64, still counts as present).
QT_OFFSCREEN_LIBS = {
    "libegl1": "libEGL.so.1",
    "libgl1": "libGL.so.1",
    "libglib2.0-0": "libglib-2.0.so.0",
    "libfontconfig1": "libfontconfig.so.1",
    "libxkbcommon0": "libxkbcommon.so.0",
    "libdbus-1-3": "libdbus-1.so.3",
    "libx11-6": "libX11.so.6",
    "libfreetype6": "libfreetype.so.6",
}
QT_DISPLAY_LIBS = {
    "libxcb-cursor0": "libxcb-cursor.so.0",
    "libxcb-icccm4": "libxcb-icccm.so.4",
    "libxcb-image0": "libxcb-image.so.0",
    "libxcb-keysyms1": "libxcb-keysyms.so.1",
    "libxcb-render-util0": "libxcb-render-util.so.0",
    "libxcb-render0": "libxcb-render.so.0",
    "libxcb-shape0": "libxcb-shape.so.0",
    "libxcb-util1": "libxcb-util.so.1",
    "libxcb-xkb1": "libxcb-xkb.so.1",
    "libxkbcommon-x11-0": "libxkbcommon-x11.so.0",
}
HEADLESS_PLATFORMS = {"offscreen", "minimal"}

USAGE = """\
usage: python3 installer/quickstart.py run  [ARGS...]   set up, then: python -m clinic_app ARGS
       python3 installer/quickstart.py test [ARGS...]   set up, then: pytest ARGS (Qt offscreen)
       python3 installer/quickstart.py setup            set up only
       python3 installer/quickstart.py build [ARGS...]  set up, then: installer/build.py ARGS
       python3 installer/quickstart.py build-smoke      set up, build with a throwaway test key,
                                                        then smoke-run the frozen app offscreen
"""


class SetupError(Exception):
    """A step failed in a way the user has to fix; the message says how."""


def say(message: str) -> None:
    print(f"quickstart: {message}", flush=True)


def warn(message: str) -> None:
    print(f"quickstart: WARNING: {message}", file=sys.stderr, flush=True)


# --- privileges and apt -------------------------------------------------------------------


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _privilege_prefix() -> list[str] | None:
    """The prefix that runs a command as root without asking anything, or None."""
    if _is_root():
        return []
    sudo = shutil.which("sudo")
    if sudo:
        probe = subprocess.run(
            [sudo, "-n", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        if probe.returncode == 0:
            return [sudo, "-n"]
    return None


def _apt_install(packages: list[str], *, update: bool = True) -> bool:
    """Installs Debian packages non-interactively. Returns False when it can't or they failed."""
    apt = shutil.which("apt-get")
    prefix = _privilege_prefix() if apt else None
    if apt is None or prefix is None:
        return False
    env_cmd = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive"]
    apt_get = [apt, "-q", "-o", "DPkg::Lock::Timeout=300"]  # wait out unattended-upgrades
    say(f"installing system packages with apt-get: {' '.join(packages)}")
    started = time.monotonic()
    # apt's output is shown only when it fails: its warnings are noise on a working machine.
    if update:
        updated = subprocess.run(
            [*env_cmd, *apt_get, "update"], capture_output=True, text=True, check=False
        )
        if updated.returncode != 0:
            sys.stderr.write(updated.stdout + updated.stderr)
            warn("apt-get update failed; trying with the package lists already present")
    install = subprocess.run(
        [*env_cmd, *apt_get, "-y", "--no-install-recommends", "install", *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    if install.returncode != 0:
        sys.stderr.write(install.stdout[-4000:] + install.stderr)
        warn(f"apt-get install failed (exit {install.returncode})")
        return False
    say(f"system packages installed ({time.monotonic() - started:.0f} s)")
    return True


# --- Qt's system libraries ----------------------------------------------------------------


def _ldconfig_libraries() -> set[str] | None:
    ldconfig = shutil.which("ldconfig") or next(
        (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None
    )
    if ldconfig is None:
        return None
    result = subprocess.run(
        [ldconfig, "-p"], capture_output=True, text=True, errors="replace", check=False
    )
    if result.returncode != 0:
        return None
    names = set()
    for line in result.stdout.splitlines()[1:]:
        name = line.strip().split(" ", 1)[0]
        if name:
            names.add(name)
    return names


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip().endswith(" installed")


def _qt_libraries_wanted(command: str) -> dict[str, str]:
    wanted = dict(QT_OFFSCREEN_LIBS)
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if command == "run" and platform not in HEADLESS_PLATFORMS:
        wanted.update(QT_DISPLAY_LIBS)
    return wanted


def missing_qt_packages(command: str) -> list[str]:
    """Debian packages whose libraries Qt needs here and that this machine lacks."""
    wanted = _qt_libraries_wanted(command)
    present = _ldconfig_libraries()
    if present is not None:
        return [pkg for pkg, lib in wanted.items() if lib not in present]
    if shutil.which("dpkg-query"):
        return [pkg for pkg in wanted if not _dpkg_installed(pkg)]
    return []  # no way to tell; Qt will say what it lacks


def report_missing_qt(packages: list[str], command: str) -> None:
    libs = _qt_libraries_wanted(command)
    warn(
        "Qt needs system libraries this machine lacks, and quickstart could not install them "
        "(that needs root or passwordless sudo, and apt-get):\n"
        f"    missing: {', '.join(libs[p] for p in packages)}\n"
        "    install them with:\n"
        f"    sudo apt-get install -y {' '.join(packages)}\n"
        "    (other Linux distributions: the packages that provide those libraries)\n"
        "  Continuing: the parts that start Qt will fail until they are installed."
    )


# --- the virtual environment --------------------------------------------------------------


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _has_module(python: str | Path, module: str) -> bool:
    probe = subprocess.run(
        [str(python), "-c", f"import {module}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return probe.returncode == 0


def _venv_state() -> str:
    """'ok', 'no-pip', or 'broken' (missing, unusable, or too old a Python)."""
    python = venv_python()
    if not python.exists():
        return "broken"
    probe = subprocess.run(
        [
            str(python),
            "-c",
            f"import sys; print(sys.version_info >= {MIN_PYTHON!r})",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "True":
        return "broken"
    return "ok" if _has_module(python, "pip") else "no-pip"


def _python_venv_package() -> str:
    return f"python{sys.version_info[0]}.{sys.version_info[1]}-venv"


def _create_venv(with_pip: bool) -> None:
    if VENV.exists():
        shutil.rmtree(VENV)
    args = [sys.executable, "-m", "venv"]
    if not with_pip:
        args.append("--without-pip")
    say(
        f"creating the virtual environment {VENV.relative_to(ROOT)}"
        + ("" if with_pip else " (without pip)")
    )
    result = subprocess.run([*args, str(VENV)], check=False)
    if result.returncode != 0:
        raise SetupError(
            f"`{' '.join(args)} .venv` failed. Install your distribution's venv package "
            f"(Debian/Ubuntu: sudo apt-get install {_python_venv_package()}) and run again."
        )


def ensure_venv(state: str) -> None:
    """Makes .venv usable, with pip. `state` is what `_venv_state()` said before any apt run."""
    if state == "ok":
        return
    has_ensurepip = _has_module(sys.executable, "ensurepip")
    if state == "broken":
        if not _has_module(sys.executable, "venv"):
            raise SetupError(
                "This Python has no venv module. Install it (Debian/Ubuntu: "
                f"sudo apt-get install {_python_venv_package()}) and run again."
            )
        _create_venv(with_pip=has_ensurepip)
        if has_ensurepip:
            return
    # A venv without pip: from the base Python's ensurepip when it has one, else from PyPI.
    if has_ensurepip:
        say("installing pip into .venv with ensurepip")
        subprocess.run([str(venv_python()), "-m", "ensurepip", "--default-pip"], check=True)
    else:
        bootstrap_pip_from_pypi(venv_python())
    if not _has_module(venv_python(), "pip"):
        raise SetupError("pip could not be installed into .venv (see the messages above).")


# --- pip from PyPI, for a Python without ensurepip ----------------------------------------


def _ssl_context() -> ssl.SSLContext:
    cafile = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or None
    return ssl.create_default_context(cafile=cafile)


def _fetch(url: str, accept: str | None = None) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"User-Agent": "clinic_app-quickstart"})
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=60, context=_ssl_context()) as response:
        return response.read(), response.headers.get("Content-Type", "")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _python_allowed(requires_python: str | None) -> bool:
    """Enough of PEP 440 for pip's own `requires-python` (>=, >, <, <=, !=)."""
    if not requires_python:
        return True
    here = sys.version_info[:3]
    for clause in requires_python.split(","):
        match = re.fullmatch(r"\s*(>=|<=|>|<|!=)\s*([\d.]+)(\.\*)?\s*", clause)
        if not match:
            continue
        op, raw, wildcard = match.groups()
        wanted = _version_tuple(raw.rstrip("."))
        mine = here[: len(wanted)]
        ok = {
            ">=": mine >= wanted,
            ">": mine > wanted,
            "<=": mine <= wanted,
            "<": mine < wanted,
            "!=": mine != wanted if wildcard or len(wanted) >= 3 else True,
        }[op]
        if not ok:
            return False
    return True


def _pip_wheels_from_index(index: str) -> list[dict[str, object]]:
    body, content_type = _fetch(f"{index}/pip/", accept="application/vnd.pypi.simple.v1+json")
    if "json" in content_type:
        files = json.loads(body)["files"]
        base = f"{index}/pip/"
        for entry in files:
            entry["url"] = urllib.request.urljoin(base, entry["url"])
        return files
    # An index that only speaks HTML (PEP 503).
    files = []
    for raw_href, attrs in re.findall(
        r'<a\s+href="([^"]+)"([^>]*)>', body.decode("utf-8", "replace")
    ):
        url, _, fragment = raw_href.replace("&amp;", "&").partition("#")
        requires = re.search(r'data-requires-python="([^"]*)"', attrs)
        entry: dict[str, object] = {
            "filename": url.rsplit("/", 1)[-1],
            "url": urllib.request.urljoin(f"{index}/pip/", url),
            "hashes": dict([fragment.split("=", 1)]) if "=" in fragment else {},
            "requires-python": requires.group(1).replace("&gt;", ">").replace("&lt;", "<")
            if requires
            else None,
            "yanked": "data-yanked" in attrs,
        }
        files.append(entry)
    return files


def bootstrap_pip_from_pypi(python: Path) -> None:
    index = os.environ.get("PIP_INDEX_URL", PYPI_SIMPLE).rstrip("/")
    say(f"this Python has no ensurepip: fetching pip's wheel from {index}")
    try:
        files = _pip_wheels_from_index(index)
    except OSError as exc:
        raise SetupError(
            f"Could not reach {index} to download pip ({exc}). Check the network, or install "
            f"{_python_venv_package()} (Debian/Ubuntu) and run again."
        ) from exc
    candidates = []
    for entry in files:
        match = re.fullmatch(r"pip-(\d+(?:\.\d+)*)-py3-none-any\.whl", str(entry["filename"]))
        if match and not entry.get("yanked") and _python_allowed(entry.get("requires-python")):  # type: ignore[arg-type]
            candidates.append((_version_tuple(match.group(1)), entry))
    if not candidates:
        raise SetupError(f"No pip wheel for this Python found at {index}/pip/.")
    _version, chosen = max(candidates, key=lambda item: item[0])
    data, _ = _fetch(str(chosen["url"]))
    expected = dict(chosen.get("hashes") or {}).get("sha256")  # type: ignore[call-overload]
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise SetupError(
            f"The downloaded {chosen['filename']} does not match its sha256; not used."
        )
    with tempfile.TemporaryDirectory(prefix="quickstart-pip-") as tmp:
        wheel = Path(tmp) / str(chosen["filename"])
        wheel.write_bytes(data)
        say(f"installing {wheel.name} into .venv")
        # A pip wheel runs pip itself: `python pip.whl/pip install pip.whl`.
        subprocess.run(
            [
                str(python),
                str(wheel / "pip"),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-warn-script-location",
                str(wheel),
            ],
            check=True,
        )


# --- the package --------------------------------------------------------------------------


def _install_fingerprint() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"pyproject-sha256={digest} extras={EXTRAS}\n"


def _package_importable_from_here() -> bool:
    probe = subprocess.run(
        [str(venv_python()), "-c", "import clinic_app; print(clinic_app.__file__)"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # not the repository, so a stale install can't hide
        check=False,
    )
    if probe.returncode != 0:
        return False
    location = Path(probe.stdout.strip()).resolve()
    return (ROOT / "clinic_app") in location.parents


def ensure_installed() -> None:
    fingerprint = _install_fingerprint()
    if (
        STAMP.exists()
        and STAMP.read_text(encoding="utf-8") == fingerprint
        and _package_importable_from_here()
    ):
        say("dependencies up to date (pyproject.toml unchanged since the last install)")
        return
    STAMP.unlink(missing_ok=True)
    say(f"installing clinic_app and its dependencies: pip install -e .[{EXTRAS}]")
    started = time.monotonic()
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "-e", f".[{EXTRAS}]"],
        cwd=ROOT,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(
            f"pip install failed (exit {result.returncode}); see pip's message above. "
            "Run the same command again once it is fixed."
        )
    STAMP.write_text(fingerprint, encoding="utf-8")
    say(f"installed ({time.monotonic() - started:.0f} s)")


# --- commands -----------------------------------------------------------------------------


def install_system_packages(command: str, venv_state: str) -> list[str]:
    """One apt run for what is missing: Qt's libraries and, where Python can't make a venv
    with pip, python3.X-venv. Without root or apt, names the Qt packages and goes on.
    Returns the Qt packages still missing."""
    if not sys.platform.startswith("linux"):
        return []
    missing_qt = missing_qt_packages(command)
    venv_package = []
    if venv_state != "ok" and not (
        _has_module(sys.executable, "venv") and _has_module(sys.executable, "ensurepip")
    ):
        venv_package = [_python_venv_package()]
    if not missing_qt and not venv_package:
        return []
    installed = _apt_install(missing_qt + venv_package)
    if not installed and venv_package and missing_qt and _privilege_prefix() is not None:
        # python3.X-venv may not exist on this distribution: pip comes from PyPI instead.
        installed = _apt_install(missing_qt, update=False)
    if not installed and venv_package:
        say(f"{venv_package[0]} could not be installed; pip will come from PyPI instead")
    still_missing = missing_qt_packages(command) if missing_qt else []
    if still_missing:
        report_missing_qt(still_missing, command)
    return still_missing


def set_up(command: str) -> list[str]:
    """Returns the Qt system packages that are still missing."""
    started = time.monotonic()
    state = _venv_state()
    missing_qt = install_system_packages(command, state)
    ensure_venv(state)
    ensure_installed()
    say(f"ready ({time.monotonic() - started:.0f} s)")
    return missing_qt


def _exec(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> int:
    """Replaces this process (so signals reach the app), or waits for it on Windows."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":
        return subprocess.run(argv, env=env, cwd=cwd, check=False).returncode
    if cwd is not None:
        os.chdir(cwd)
    os.execve(argv[0], argv, env)
    return 0  # not reached


def run_app(args: list[str]) -> int:
    if not (ROOT / "clinic_app" / "__main__.py").exists():
        raise SetupError("This checkout has no desktop app yet (clinic_app/__main__.py).")
    env = dict(os.environ)
    if (
        sys.platform.startswith("linux")
        and not env.get("QT_QPA_PLATFORM")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
    ):
        warn(
            "no display found (DISPLAY/WAYLAND_DISPLAY unset); set QT_QPA_PLATFORM=offscreen "
            "to start the app without a screen"
        )
    say(f"starting: python -m clinic_app {' '.join(args)}".rstrip())
    return _exec([str(venv_python()), "-m", "clinic_app", *args], env)


def _run_then_remind(argv: list[str], env: dict[str, str], cwd: Path, reminder: str) -> int:
    """Runs a child (forwarding SIGTERM; Ctrl+C reaches it directly) and, if it fails,
    repeats `reminder` after its output, where the reader will see it."""
    child = subprocess.Popen(argv, env=env, cwd=cwd)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
    while True:
        try:
            returncode = child.wait()
            break
        except KeyboardInterrupt:
            continue  # the child got the same SIGINT; wait for it to finish
    if returncode != 0:
        warn(reminder)
    return returncode if returncode >= 0 else 128 - returncode


def run_tests(args: list[str], missing_qt: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    argv = [str(venv_python()), "-m", "pytest", *args]
    say(f"running: QT_QPA_PLATFORM=offscreen python -m pytest {' '.join(args)}".rstrip())
    if not missing_qt:
        return _exec(argv, env, cwd=ROOT)
    return _run_then_remind(
        argv,
        env,
        ROOT,
        "the tests failed while Qt's system libraries are missing; that may be why. "
        f"Install them and run again: sudo apt-get install -y {' '.join(missing_qt)}",
    )


def run_build(args: list[str]) -> int:
    say(f"running: python installer/build.py {' '.join(args)}".rstrip())
    return _exec(
        [str(venv_python()), str(ROOT / "installer" / "build.py"), *args], dict(os.environ)
    )


def run_build_smoke() -> int:
    """The CI step after the tests: a real build (throwaway key), then installer/smoke_bundle.py."""
    python = str(venv_python())
    # No .deb here: dpkg-deb's compression adds ~1 min to CI; tests/packaging/test_deb.py builds
    # one from a small bundle, and `build` makes the real one.
    build = [python, str(ROOT / "installer" / "build.py"), "--test-key", "--no-deb"]
    build += ["--out", str(SMOKE_DIST)]
    say(f"running: {' '.join(build[1:])}")
    if subprocess.run(build, cwd=ROOT, check=False).returncode != 0:
        print("build-smoke: 0 passed, 1 failed", flush=True)
        return 1
    public_key = SMOKE_DIST / "TEST-KEY-DO-NOT-DISTRIBUTE.pem.pub"
    smoke = [python, str(ROOT / "installer" / "smoke_bundle.py"), str(SMOKE_DIST)]
    result = subprocess.run([*smoke, "--public-key", str(public_key)], cwd=ROOT, check=False)
    # The plain closing line CI reads: build and smoke, as two checks.
    failed = 1 if result.returncode != 0 else 0
    print(f"build-smoke: {2 - failed} passed, {failed} failed", flush=True)
    return result.returncode


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        print(
            f"quickstart: clinic_app needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
            f"this is {sys.version.split()[0]} ({sys.executable}).",
            file=sys.stderr,
        )
        return 2
    if not argv or argv[0] not in {"run", "test", "setup", "build", "build-smoke"}:
        print(USAGE, file=sys.stderr if argv and argv[0] not in {"-h", "--help"} else sys.stdout)
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    command, rest = argv[0], argv[1:]
    try:
        missing_qt = set_up(command)
        if command == "run":
            return run_app(rest)
        if command == "test":
            return run_tests(rest, missing_qt)
        if command == "build":
            return run_build(rest)
        if command == "build-smoke":
            return run_build_smoke()
        return 0
    except SetupError as exc:
        print(f"quickstart: ERROR: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(
            f"quickstart: ERROR: {' '.join(map(str, exc.cmd))} failed (exit {exc.returncode})",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("quickstart: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
