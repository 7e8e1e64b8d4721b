"""An acquisition client against a served store: N short OCV runs on its own simulator.

    python client.py URL N OUT_JSON

Prints nothing; writes {"uids": [...], "log_dir": ...} to OUT_JSON when done.
"""

from __future__ import annotations

import json
import sys
import time

T0 = time.monotonic()

from operando.plans import ocv_rest  # noqa: E402 - imports are part of the start-up timed
from operando.sample import sample_for  # noqa: E402
from operando.session import make_session  # noqa: E402


def main() -> None:
    uri, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sample = sample_for("lnro", 3.85, 1.54)
    with make_session(uri, time_scale=100_000.0, progress=False, operator="client") as s:
        s.assemble_sim_cell(sample)
        ready_s = time.monotonic() - T0
        uids = []
        for _ in range(n):
            (uid,) = s.RE(ocv_rest(s.potentiostat, sample, 3600.0, record_dt_s=60.0))
            uids.append(uid)
        failed = s.writer.failed_runs
        with open(out, "w") as f:
            json.dump(
                {
                    "uids": uids,
                    "log_dir": str(s.store.log_dir),
                    "failed": failed,
                    "ready_s": ready_s,
                    "runs_s": time.monotonic() - T0 - ready_s,
                },
                f,
            )


if __name__ == "__main__":
    main()
