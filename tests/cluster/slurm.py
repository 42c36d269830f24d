"""A throwaway one-node SLURM cluster for tests: munge, slurmctld and slurmd started by hand.

Debian's packages start no services in containers, and there is no accounting database, so
the configuration below is the minimum that runs jobs: no cgroups, no slurmdbd, jobs kept
visible to squeue for MinJobAge seconds after they end.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ["slurm-wlm", "munge"]
MUNGE_SOCKET = Path("/run/munge/munge.socket.2")
# The default path, not a temporary one: snakemake-executor-plugin-slurm-jobstep (0.6.1) drops
# SLURM_CONF from the environment of the srun it runs inside each job.
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")

SLURM_CONF = """\
ClusterName=proxytest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=60
{node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName={partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def install_packages() -> None:
    """apt-get the Slurm and munge packages when their daemons are missing (needs root)."""
    if all(shutil.which(d) for d in ("slurmctld", "slurmd", "sbatch", "munged")):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
        check=True,
        env=env,
        timeout=600,
        capture_output=True,
    )


def node_line() -> str:
    """This machine as a Slurm node (CPUs, RealMemory, ...), as slurmd itself measures it."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    return next(line for line in out.splitlines() if line.startswith("NodeName="))


def node_resources(line: str) -> dict[str, int]:
    fields = dict(item.split("=", 1) for item in line.split())
    return {"cpus": int(fields["CPUs"]), "mem_mb": int(fields["RealMemory"])}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def munge_works() -> bool:
    try:
        cred = subprocess.run(["munge", "-n"], capture_output=True, timeout=10, check=True)
        subprocess.run(["unmunge"], input=cred.stdout, capture_output=True, timeout=10, check=True)
    except (subprocess.SubprocessError, OSError):
        return False
    return True


def wait_for(check, what: str, timeout: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {p}\n{p.read_text()[-2000:]}" for p in logs if p.exists())
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s\n{tails}")


def stop(process: subprocess.Popen) -> None:
    """End one daemon this module started, by its pid: TERM, then KILL if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@contextlib.contextmanager
def one_node_cluster(root: Path, partition: str) -> Iterator[dict]:
    """Start munged (unless one answers), slurmctld and slurmd; yield the environment for
    clients (SLURM_CONF) and the node's resources; stop what was started, by pid."""
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("state", "spool"):
        (root / sub).mkdir(exist_ok=True)
    node = node_line()
    conf = SYSTEM_CONF
    backup = root / "slurm.conf.original"
    if conf.exists():
        shutil.copy2(conf, backup)
    env = {**os.environ, "SLURM_CONF": str(conf)}
    started: list[subprocess.Popen] = []
    try:
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(
            SLURM_CONF.format(
                host=node.split()[0].removeprefix("NodeName="),
                ctld_port=free_port(),
                slurmd_port=free_port(),
                root=root,
                node=node,
                partition=partition,
            )
        )
        if not munge_works():
            started.append(_start_munged(root))
            wait_for(
                munge_works,
                "munge answering",
                30,
                [root / "munged.out", Path("/var/log/munge/munged.log")],
            )
        logs = [root / "slurmctld.log", root / "slurmd.log"]
        for daemon in ("slurmctld", "slurmd"):
            out = open(root / f"{daemon}.out", "w")  # noqa: SIM115
            started.append(
                subprocess.Popen(
                    [daemon, "-D", "-f", str(conf)], env=env, stdout=out, stderr=subprocess.STDOUT
                )
            )
        wait_for(
            lambda: _node_idle(env),
            "the node becoming idle",
            60,
            logs + [root / "slurmctld.out", root / "slurmd.out"],
        )
        yield {"env": env, **node_resources(node)}
    finally:
        if any(p.args[0] == "slurmctld" for p in started):  # cancel what is left of our jobs
            subprocess.run(["scancel", "--user", "root"], env=env, capture_output=True, timeout=30)
        for process in reversed(started):
            stop(process)
        if backup.exists():
            shutil.copy2(backup, conf)
        else:
            conf.unlink(missing_ok=True)


def _start_munged(root: Path) -> subprocess.Popen:
    """munged in the foreground as the munge user (it refuses root), with the packaged key."""
    munge = pwd.getpwnam("munge")
    if not Path("/etc/munge/munge.key").exists():
        subprocess.run(["mungekey", "--create"], check=True, timeout=30)
        os.chown("/etc/munge/munge.key", munge.pw_uid, munge.pw_gid)
    for folder in (MUNGE_SOCKET.parent, Path("/var/log/munge"), Path("/var/lib/munge")):
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, munge.pw_uid, munge.pw_gid)
    out = open(root / "munged.out", "w")  # noqa: SIM115 - open as long as the daemon runs
    return subprocess.Popen(
        ["munged", "--foreground"],
        user=munge.pw_uid,
        group=munge.pw_gid,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def _node_idle(env: dict) -> bool:
    result = subprocess.run(
        ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=env, timeout=10
    )
    return result.returncode == 0 and result.stdout.strip() == "idle"
