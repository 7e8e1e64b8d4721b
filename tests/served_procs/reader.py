"""A reader of a served store: lists the runs and reads each finished run's table, until
STOP_FILE exists.

python reader.py URL STOP_FILE OUT_JSON
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

from operando.storage import open_store


def main() -> None:
    uri, stop, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    store = open_store(uri)
    reads, errors, seen = 0, [], set()
    while True:
        finished = stop.exists()  # one more full pass after the clients are done
        for uid in list(store.client.keys()):  # the catalog, every pass
            if uid in seen:
                continue
            try:
                run = store.client[uid]
                if run.metadata.get("stop"):  # each finished run's table, once
                    run["primary"].read()
                    seen.add(uid)
                    reads += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported by the test
                errors.append(f"{uid}: {type(exc).__name__}: {exc}"[:300])
        if finished:
            break
        time.sleep(0.5)
    with open(out, "w") as f:
        json.dump({"reads": reads, "errors": errors, "seen": sorted(seen)}, f)


if __name__ == "__main__":
    main()
