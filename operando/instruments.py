"""Facts about the instruments and cells that more than one layer needs, written once.

The simulator serves these limits, the plans check requests against them before anything
moves, and the studies build their cells with these geometries.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- potentiostat ---------------------------------------------------------------------------
# Technique codes of a procedure step (``PSTAT:Steps:Technique``)
TECHNIQUE_CODES = {"OCV": 0, "CC": 1, "CV": 2, "SWEEP": 3}
MAX_STEPS = 64  # steps the potentiostat holds in one procedure (``PSTAT:Steps:*`` length)

# --- cells ----------------------------------------------------------------------------------
COIN_CELL_AREA_CM2 = 1.54  # a 14 mm electrode disc in a coin cell
DEMS_CELL_AREA_CM2 = 1.13  # a 12 mm electrode disc in the Swagelok DEMS cell
EIS_F_RANGE_HZ = (1e-4, 1e6)  # the potentiostat's impedance analyser (PSTAT:EIS:FMin/FMax)
CELL_TEMPERATURE_RANGE_C = (-20.0, 80.0)  # the cell's climate chamber (PSTAT:TemperatureC)
EX_SITU_ELECTRODE_MASS_MG = 3.85  # 2.5 mg/cm2 on a coin-cell disc

# --- X-ray sample holders ---------------------------------------------------------------------
IN_SITU_POSITION = 0  # the potentiostat's live cell in the beam
N_SLOTS = 16  # ex situ positions 1..N_SLOTS
# Ru K reference compounds on the hard X-ray holder: key -> (position, name, formal valence)
RU_REFERENCES = {
    "ru": (17, "Ru metal foil", 0),
    "rucl3": (18, "RuCl3", 3),
    "ruo2": (19, "RuO2", 4),
}

# --- Channel Access --------------------------------------------------------------------------
STRING_PV_LENGTH = 39  # characters an EPICS string PV (DBR_STRING) holds


def pv_string(text: str) -> str:
    """``text`` cut to what a string PV holds."""
    return text[:STRING_PV_LENGTH]


@dataclass(frozen=True)
class Step:
    """One step of a procedure: a technique and the limits that end it.

    The one definition of a step, shared by the plans (what a client programs), the
    simulator's potentiostat model and the bridge's driver interface: the contract's
    ``Steps:*`` arrays, one element each.

    technique : "OCV" (rest), "CC" (constant current), "CV" (constant potential) or "SWEEP".
    current_mA : CC current, positive charges (oxidises) the cathode.
    voltage_V : CV potential (V vs Li/Li+).
    e_upper_V, e_lower_V : CC ends when Ewe reaches either cutoff (V).
    duration_s : the step ends after this long (s, instrument time); 0 for no limit.
    current_floor_mA : CV ends once |I| falls below this (mA); 0: never.
    scan_rate_mV_s : "SWEEP" (linear potential sweep from Ewe at the step's start to
        voltage_V): its rate (mV/s).
    cutoff_goto : where the procedure goes when a voltage cutoff (e_upper_V / e_lower_V) ends
        this step: 0, the next step (as for any other limit); k > this step's index, step k
        (e.g. a titration that ends with one last rest once a pulse reaches its cutoff).
    """

    technique: str
    current_mA: float = 0.0
    voltage_V: float = 4.0
    e_upper_V: float = 5.0
    e_lower_V: float = 2.0
    duration_s: float = 0.0
    current_floor_mA: float = 0.0
    scan_rate_mV_s: float = 0.0
    cutoff_goto: int = 0
