"""Drover task supervisor shim.

Java cannot call setsid() or set a parent-death signal on a child, so the agent starts every task
through this file, run by the system python3 with -S (no site import: it must start fast and must
not see the task's environment hooks):

    python3 -S supervisor.py RESULT_FILE GRACE_SECONDS AGENT_PID -- CMD [ARG...]

It detaches from the agent's process group, runs CMD in a new session of its own (so the whole
task tree can be signalled as one group), and ends that group when it is asked to stop (SIGTERM,
SIGINT, SIGHUP), when the agent dies (PR_SET_PDEATHSIG, or EOF on stdin, a pipe only the agent
holds): SIGTERM to the group, GRACE seconds, then SIGKILL. When CMD exits it writes
{"exitCode", "maxRssKb", "cpuSeconds", "signal"} to RESULT_FILE and exits with CMD's code.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _group_alive(pgid):
    return _killpg(pgid, 0)


def _set_pdeathsig():
    # Linux only; elsewhere the stdin watch below still notices a dead agent.
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


def main():
    result_file = sys.argv[1]
    grace = float(sys.argv[2])
    agent_pid = int(sys.argv[3])
    cmd = sys.argv[5:]
    try:
        os.setsid()
    except OSError:
        pass
    _set_pdeathsig()
    if agent_pid > 0 and os.getppid() != agent_pid:
        sys.exit(137)  # the agent died before the death signal was armed

    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    pgid = child.pid
    state = {"stopping": False, "deadline": None}
    stop_requested = threading.Event()

    def stop(*_):
        if state["stopping"]:
            return
        state["stopping"] = True
        state["deadline"] = time.monotonic() + grace
        _killpg(pgid, signal.SIGTERM)
        stop_requested.set()

    def escalate():
        stop_requested.wait()
        time.sleep(max(0.0, state["deadline"] - time.monotonic()))
        _killpg(pgid, signal.SIGKILL)

    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        # EOF: the agent is gone. Signal ourselves so stop() runs on the main thread.
        os.kill(os.getpid(), signal.SIGTERM)

    # Helper threads must not take our signals: Python runs handlers only on the main thread, and
    # a signal delivered to a thread blocked in read() would leave the main thread asleep in wait().
    stop_signals = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    for target in (watch_stdin, escalate):
        threading.Thread(target=target, daemon=True).start()
    for s in stop_signals:
        signal.signal(s, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)

    code = child.wait()

    # Whatever the task left behind in its group goes too: a task's processes never outlive it.
    if _group_alive(pgid):
        if not state["stopping"]:
            state["stopping"] = True
            state["deadline"] = time.monotonic() + grace
            _killpg(pgid, signal.SIGTERM)
        while _group_alive(pgid) and time.monotonic() < state["deadline"]:
            time.sleep(0.05)
        _killpg(pgid, signal.SIGKILL)

    sig = -code if code < 0 else None
    exit_code = 128 + sig if sig else code
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"exitCode": exit_code, "signal": sig, "maxRssKb": int(ru.ru_maxrss),
              "cpuSeconds": round(ru.ru_utime + ru.ru_stime, 3)}
    try:
        tmp = result_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f)
        os.replace(tmp, result_file)
    except OSError as e:
        sys.stderr.write("[drover] cannot write the result file %s: %s\n" % (result_file, e))
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
