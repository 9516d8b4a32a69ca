"""`[core] hostname_callable` for the distributed test's Celery workers.

Both workers run on one machine, so the real host name cannot tell them apart; each worker
process is started with BM_WORKER_HOSTNAME (w1, w2), which is what its task instances then
report as their `hostname`, as two machines would. Other components fall back to the FQDN.
"""

import os
import socket


def hostname() -> str:
    return os.environ.get("BM_WORKER_HOSTNAME") or socket.getfqdn()
