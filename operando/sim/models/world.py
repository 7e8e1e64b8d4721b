"""The simulated laboratory: one virtual clock and the instruments that share one cell."""

from __future__ import annotations

from ...instruments import CELL_TEMPERATURE_RANGE_C
from .cell import Cell
from .clock import VirtualClock
from .dems import MassSpectrometerModel
from .endstation import ElectrodeStore, Endstation
from .materials import MATERIALS
from .potentiostat import ComplianceError, PotentiostatModel
from .xray import ElectrodeState

TEMPERATURE_RANGE_C = CELL_TEMPERATURE_RANGE_C  # the climate chamber's working range


class World:
    """Everything the simulated IOC serves, advanced together in instrument time.

    The mass spectrometer samples the headspace of the cell on the potentiostat: it is
    advanced after every integration step of the potentiostat, so gas is sampled at the
    instrument time it was made. The X-ray endstations see either an ex situ electrode
    (taken from the cell in the state the potentiostat left it) or the live cell.
    """

    def __init__(self, time_scale: float = 1.0):
        self.clock = VirtualClock(time_scale)
        t0 = self.clock.now()
        self.potentiostat = PotentiostatModel(t0)
        self.mass_spectrometer = MassSpectrometerModel(t0, self._gas_made)
        self.potentiostat.observers.append(self.mass_spectrometer.advance)
        # X-ray endstations: ex situ electrodes in a shared store, or the live cell in situ.
        self.electrodes = ElectrodeStore()
        self.soft_xray = Endstation("soft", self.electrodes, self._live_cell, seed=11)
        self.hard_xray = Endstation("hard", self.electrodes, self._live_cell, seed=12)
        self.temperature_C = 25.0  # the cell's temperature (climate chamber), C
        # (slot, electrode name, technique count when armed): harvest when that ends.
        self._harvest: tuple[int, str, int] | None = None
        self.potentiostat.observers.append(self._harvest_if_ended)

    def harvest_at_end(self, slot: int | None, name: str = "electrode") -> None:
        """Take the electrode out of the cell into holder ``slot`` at the instrument instant
        the next technique to end (the running one, or the next one started) ends, so what
        is mounted does not depend on how long the client takes to ask (None: disarm)."""
        self._harvest = None if slot is None else (slot, name, self.potentiostat.done_seq)

    def _harvest_if_ended(self, t: float) -> None:
        pstat = self.potentiostat
        if self._harvest is None or pstat.status == "Running" or pstat.cell is None:
            return
        slot, name, armed_after = self._harvest
        if pstat.done_seq > armed_after:
            self._harvest = None
            self.take_electrode(slot, name)

    def take_electrode(self, slot: int, name: str) -> None:
        """Take the electrode out of the potentiostat's cell, as it is now, into holder slot."""
        cell = self.potentiostat.cell
        if cell is None:
            raise ValueError("no cell on the potentiostat to take an electrode from")
        self.electrodes.mount(slot, ElectrodeState.of_cell(name, cell))

    def set_temperature(self, temperature_C: float) -> None:
        """Set the cell temperature (C): the climate chamber holds the cell (and the DEMS
        headspace) there from now on; a new cell is assembled at it."""
        if not TEMPERATURE_RANGE_C[0] <= temperature_C <= TEMPERATURE_RANGE_C[1]:
            lo, hi = TEMPERATURE_RANGE_C
            raise ComplianceError(
                f"cell temperature {temperature_C:g} C lies outside the chamber's range "
                f"[{lo:g}, {hi:g}] C"
            )
        self.temperature_C = temperature_C
        cell = self.potentiostat.cell
        if cell is not None:
            cell.temperature_K = temperature_C + 273.15
        self.mass_spectrometer.headspace.temperature_K = temperature_C + 273.15

    def _live_cell(self) -> Cell | None:
        return self.potentiostat.cell

    def _gas_made(self) -> dict[str, float]:
        cell = self.potentiostat.cell
        return {} if cell is None else dict(cell.gas_umol)

    def advance(self, budget_s: float | None = None) -> float:
        """Bring every instrument to the current instrument time; returns it (POSIX s).

        budget_s bounds the wall-clock time of one call (see PotentiostatModel.advance).
        """
        now = self.clock.now()
        self.potentiostat.advance(now, budget_s)
        return now

    def new_cell(self, material: str, active_mass_mg: float, area_cm2: float) -> Cell:
        """Assemble a pristine cell and connect it to the potentiostat and the DEMS."""
        key = material.strip().lower()
        if key not in MATERIALS:
            raise ComplianceError(
                f"the simulator has no cathode material {material!r}; it knows {sorted(MATERIALS)}"
            )
        cell = Cell(MATERIALS[key], active_mass_mg, area_cm2)
        cell.temperature_K = self.temperature_C + 273.15
        self.potentiostat.insert_cell(cell)
        self.mass_spectrometer.cell_replaced()
        return cell
