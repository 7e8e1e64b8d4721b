"""Read XDI (XAS Data Interchange) files: header fields and named data columns."""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass

import numpy as np

_COLUMN = re.compile(r"^#\s*Column\.(\d+):\s*(\S+)")
_FIELD = re.compile(r"^#\s*([\w.]+):\s*(.*)$")


@dataclass(frozen=True)
class XdiFile:
    fields: dict[str, str]  # header "Family.member" -> value
    columns: dict[str, np.ndarray]  # column name -> values

    def mu_transmission(self, i0: str = "i0", it: str = "itrans") -> np.ndarray:
        """Absorbance ln(I0 / It)."""
        return np.log(self.columns[i0] / self.columns[it])


def read_xdi(path: str | pathlib.Path) -> XdiFile:
    """Parse an XDI file (header lines start with '#'; data are whitespace columns)."""
    path = pathlib.Path(path)
    names: dict[int, str] = {}
    fields: dict[str, str] = {}
    rows = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#"):
            if m := _COLUMN.match(line):
                names[int(m[1])] = m[2]
            elif m := _FIELD.match(line):
                fields[m[1]] = m[2].strip()
            continue
        if line.strip():
            rows.append([float(v) for v in line.split()])
    if not rows:
        raise ValueError(f"{path}: no data rows")
    data = np.array(rows)
    if not names:
        raise ValueError(f"{path}: no 'Column.N' header lines")
    columns = {name: data[:, n - 1] for n, name in sorted(names.items()) if n - 1 < data.shape[1]}
    return XdiFile(fields, columns)
