"""Kernels forked from one process that has already imported what pages import.

A fresh kernel spends about a second of CPU before a page's first line runs:
importing IPython's kernel, numpy, matplotlib and ``rnn_tutorial``. With some
twenty executions per build that is twenty seconds of CPU spent on the same
imports. So ``execstore`` starts one server that imports them once, and every
kernel is a fork of it: the fork starts with those modules loaded and nothing
else, since no page ever runs in the server. Everything a kernel does after
its imports (reading its connection file, creating its sockets and shell,
changing to the page's folder) happens in the fork, as in a fresh kernel.

Jupyter launches a kernel as a process it can signal and wait for; here that
process is a small client (this file, ``client``), which asks the server for a
fork, hands it its standard streams and working folder, forwards the signals
it receives (interrupt, terminate) and exits with the kernel's exit status.
If the client dies, the server kills its kernel.

The server is what ``python -m ipykernel_launcher`` would be after its
imports: same interpreter and flags, same environment (``MPLBACKEND`` set to
the inline backend first, as ipykernel does, because matplotlib reads it when
imported). ``RNN_TUTORIAL_FRESH_KERNELS=1`` turns forking off (every kernel a
new process); ``nox -s buildcheck`` compares the two on whole pages.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

# what every page imports; the inline backend itself is left to the kernel,
# because it hooks into the kernel's shell when imported
WARM = ("ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "matplotlib.pyplot", "rnn_tutorial")
INLINE = "module://matplotlib_inline.backend_inline"
ADDRESS = "RNN_TUTORIAL_KERNEL_SERVER"  # environment variable: the server's socket
LAUNCHER = "ipykernel_launcher"


# ------------------------------------------------------------------ the client


def _receive_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            break
        data += chunk
    return data


def client(address: str, kernel_argv: list[str]) -> int:
    """Have the server fork a kernel for ``kernel_argv``; wait for it, return its status."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(address)
    request = {"argv": kernel_argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    pid = int(_receive_line(conn))

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    status = _receive_line(conn)
    return int(status) if status.strip() else 1


# ------------------------------------------------------------------ the server


def _kernel(request: dict, fds: list[int], server_files: list) -> None:
    """In the fork: become ``python -m ipykernel_launcher`` run by the client; never return."""
    code = 1
    try:
        for file in server_files:  # the server's sockets, none of the kernel's business
            file.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        argv = request["argv"]
        # argv: python [-X...] -m ipykernel_launcher -f CONNECTION [options]
        launcher = argv.index("ipykernel_launcher")
        sys.argv = [LAUNCHER, *argv[launcher + 1 :]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from ipykernel import kernelapp

        # two settings ipykernel reads from the environment when imported (by
        # the server): read here from the kernel's, as a fresh kernel would
        kernelapp.IPKernelApp.launch_instance(
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def serve(address: str) -> None:
    """Import the pages' modules, then fork a kernel for every client until terminated."""
    import importlib
    import importlib.util
    import selectors

    global LAUNCHER
    LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin  # a kernel's sys.argv[0]
    os.environ.setdefault("MPLBACKEND", INLINE)
    for module in WARM:
        importlib.import_module(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # kernel pid -> its client's connection

    forks = 0

    def stop(signum, frame):
        for pid in kernels:
            os.kill(pid, signal.SIGKILL)
        print(forks, flush=True)  # for stop_server: how many kernels were forked
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)  # execstore waits for this line
    while True:
        for key, _ in selector.select(timeout=0.02):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
                while not message.endswith(b"\n"):
                    message += conn.recv(1 << 20)
                pid = os.fork()
                if pid == 0:
                    server_files = [listener, selector, conn, *kernels.values()]
                    _kernel(json.loads(message), fds, server_files)
                forks += 1
                for fd in fds:
                    os.close(fd)
                conn.sendall(f"{pid}\n".encode())
                kernels[pid] = conn
                selector.register(conn, selectors.EVENT_READ, pid)
            else:  # a client closed its connection before its kernel ended: it died
                if key.fileobj.recv(1):
                    continue
                selector.unregister(key.fileobj)
                os.kill(key.data, signal.SIGKILL)
        while kernels:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            conn = kernels.pop(pid, None)
            if conn is not None:
                try:
                    selector.unregister(conn)
                except KeyError:
                    pass
                try:
                    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                conn.close()


# ------------------------------------------------------- for execstore and nbclient


def enabled() -> bool:
    return os.environ.get("RNN_TUTORIAL_FRESH_KERNELS", "") in ("", "0")


def start_server():
    """Start the server; return the process once it is ready (the caller terminates it)."""
    import subprocess
    import tempfile
    from pathlib import Path

    # a short path: a socket's address is limited to about 100 bytes
    address = Path(tempfile.mkdtemp(prefix="rnn-kernels-")) / "socket"
    # the interpreter flags of the installed kernel (kernel.json), e.g. -Xfrozen_modules=off
    flags = [arg for arg in _kernel_argv()[1:] if arg.startswith("-X")]
    server = subprocess.Popen(
        [sys.executable, *flags, __file__, "serve", str(address)],
        stdout=subprocess.PIPE,
        text=True,
    )
    if server.stdout.readline().strip() != "ready":
        server.wait()
        raise RuntimeError(f"the kernel server did not start (exit status {server.returncode})")
    os.environ[ADDRESS] = str(address)
    return server


def stop_server(server) -> int:
    """Stop the server started by :func:`start_server`; the number of kernels it forked."""
    import shutil
    from pathlib import Path

    server.terminate()
    forks = server.communicate()[0].strip()
    address = Path(os.environ.pop(ADDRESS))
    shutil.rmtree(address.parent, ignore_errors=True)
    return int(forks) if forks.isdigit() else 0


def _kernel_argv() -> list[str]:
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec("python3").argv


def manager_class():
    """nbclient's kernel manager, launching kernels through the server when one runs."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            address = os.environ.get(ADDRESS)
            if not address or "ipykernel_launcher" not in cmd or cmd[0] != sys.executable:
                return cmd  # no server, or a kernel the server cannot be
            # -I -S: the client needs the standard library only, and starts in 20 ms
            return [sys.executable, "-I", "-S", __file__, "client", address, *cmd]

    return ForkedKernelManager


if __name__ == "__main__":
    if sys.argv[1] == "client":
        sys.exit(client(sys.argv[2], sys.argv[3:]))
    del sys.path[0]  # this file's folder: not on the kernel's path
    serve(sys.argv[2])
