"""A mass spectrometer's calibration table from a file: ion current per molar flow.

TOML, one table per gas, the m/z channels it is seen on with their sensitivity (A per mol/s):

    [CO2]
    44 = 1.6e-3
    28 = 1.8e-4
    [O2]
    32 = 9.0e-4

The same table an acquired DEMS run records as its ``dems`` configuration; the gas analysis
(``analysis.gas``) reads either.
"""

from __future__ import annotations

import math
import pathlib
import tomllib

from ..errors import BadRequest


def read_calibration(path: str | pathlib.Path) -> dict[str, dict[int, float]]:
    """gas -> {m/z: A per mol/s}; BadRequest naming the file and what is wrong."""
    path = pathlib.Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise BadRequest(f"{path}: no such calibration file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{path}: not a TOML calibration table ({exc})") from None
    table: dict[str, dict[int, float]] = {}
    for gas, channels in raw.items():
        if not isinstance(channels, dict) or not channels:
            raise BadRequest(
                f"{path}: [{gas}] must list m/z channels with sensitivities, e.g. 44 = 1.6e-3"
            )
        row = {}
        for mz, value in channels.items():
            try:
                mass = int(mz)
            except ValueError:
                raise BadRequest(f"{path}: [{gas}] channel {mz!r} is not an m/z number") from None
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise BadRequest(
                    f"{path}: [{gas}] m/z {mz} sensitivity must be a finite number >= 0 "
                    f"(A per mol/s), got {value!r}"
                )
            row[mass] = float(value)
        if not any(v > 0 for v in row.values()):
            raise BadRequest(f"{path}: [{gas}] has no channel with a positive sensitivity")
        table[gas] = row
    if not table:
        raise BadRequest(f"{path}: the calibration table names no gas")
    return table


def calibration_configuration(
    table: dict[str, dict[int, float]], channels: list[float], file: str
) -> dict[str, list[float]]:
    """The table as ``dems_calibration_<gas>`` rows in the order of the instrument's channels
    (0 where a gas is not seen); BadRequest if it names a channel the file lacks."""
    present = {int(round(c)) for c in channels}
    for gas, row in table.items():
        missing = sorted(set(row) - present)
        if missing:
            raise BadRequest(
                f"{file}: the calibration's {gas} needs m/z {missing}, which the file does not "
                f"record (its channels: {sorted(present)})"
            )
    return {
        f"dems_calibration_{gas.lower()}": [row.get(int(round(c)), 0.0) for c in channels]
        for gas, row in table.items()
    }
