"""An acquisition client against a served store: N short OCV runs on its own simulator.

    python client.py URL N OUT_JSON

Prints nothing; writes {"uids": [...], "log_dir": ...} to OUT_JSON when done.
"""

from __future__ import annotations

import json
import sys

from operando.plans import ocv_rest
from operando.sample import sample_for
from operando.session import make_session


def main() -> None:
    uri, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sample = sample_for("lnro", 3.85, 1.54)
    with make_session(uri, time_scale=100_000.0, progress=False, operator="client") as s:
        s.assemble_sim_cell(sample)
        uids = []
        for _ in range(n):
            (uid,) = s.RE(ocv_rest(s.potentiostat, sample, 3600.0, record_dt_s=60.0))
            uids.append(uid)
        failed = s.writer.failed_runs
        with open(out, "w") as f:
            json.dump({"uids": uids, "log_dir": str(s.store.log_dir), "failed": failed}, f)


if __name__ == "__main__":
    main()
