"""``python -m socialreturns.batch --worker``: the worker process of one run (`worker.run_isolated`
starts it so; it reads the run's spec on standard input and prints its events)."""

import sys

from socialreturns.batch.worker import _worker

if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(_worker())
