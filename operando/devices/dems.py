"""The DEMS mass spectrometer as the control system sees it.

A valve sweeps the cell's headspace into a quadrupole every sampling interval (instrument
time); each sample is recorded on the instrument with its time, the interval over which its
gas accumulated, the headspace pressure and the ion current of every m/z channel (the mean
over the interval, A). The device is a flyer: ``kickoff`` starts sampling, ``collect_pages``
reads the samples taken since the last collection as Event pages of the ``dems`` stream, and
``complete`` lets the sample under way finish (so every gas made until then is measured)
and stops sampling. It is also a detector: ``trigger`` takes one sample now and ``read``
returns its ion currents and the headspace pressure (``bp.count([dems])``). The calibration
table (A per mol/s of each gas on each channel) is configuration, recorded with the stream;
converting ion currents to moles is analysis.
"""

from __future__ import annotations

from collections.abc import Iterator

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignalRO
from ophyd.status import DeviceStatus, Status, SubscriptionStatus

from .instrument import PagedBuffer, Setpoint

MZ_CHANNELS = (2, 15, 16, 26, 28, 32, 40, 44)  # the channels the instrument measures
CALIBRATED_GASES = ("H2", "CH4", "C2H4", "CO", "O2", "CO2", "Ar")


def _channels(kind: str) -> dict:
    """One component per m/z channel, ``mz<N>`` reading PV suffix ``MZ<N>`` (A)."""
    return {f"mz{mz}": Cpt(EpicsSignalRO, f"MZ{mz}", kind=kind) for mz in MZ_CHANNELS}


class SampleBuffer(PagedBuffer):
    """The instrument's record of samples: time, interval, pressure, ion current per m/z."""

    interval = Cpt(EpicsSignalRO, "Interval", kind="omitted")  # s
    pressure = Cpt(EpicsSignalRO, "Pressure", kind="omitted")  # mbar
    locals().update(_channels("omitted"))  # one array per m/z channel (A)

    columns = ("ts", "interval", "pressure", *(f"mz{mz}" for mz in MZ_CHANNELS))


class CalibrationTable(Device):
    """The operator's calibration table: ion current per molar flow (A per mol/s) of each
    gas on every channel, in the order of ``MassSpectrometer.channels``."""

    locals().update({gas.lower(): Cpt(Setpoint, gas, kind="config") for gas in CALIBRATED_GASES})


# Columns of the dems stream: data key -> (buffer column, units, dtype).
DEMS_KEYS = {
    "clock": ("ts", "s", "number"),  # instrument clock at the end of the sample
    "interval": ("interval", "s", "number"),
    "pressure": ("pressure", "mbar", "number"),
    **{f"mz{mz}": (f"mz{mz}", "A", "number") for mz in MZ_CHANNELS},
}


class MassSpectrometer(Device):
    """Headspace-sampling DEMS: sampling interval, carrier, headspace, channels, calibration.

    Parameters
    ----------
    prefix : PV prefix of the instrument, e.g. ``"BL:DEMS:"``.
    """

    calibration = Cpt(CalibrationTable, "Cal:", kind="config")
    buffer = Cpt(SampleBuffer, "Buf:", kind="omitted")

    interval = Cpt(Setpoint, "Interval", kind="config")  # s between samples
    channels = Cpt(EpicsSignalRO, "Channels", kind="config")  # m/z of each channel
    carrier = Cpt(EpicsSignalRO, "Carrier", string=True, kind="config")
    headspace_volume = Cpt(EpicsSignalRO, "HeadspaceML", kind="config")  # mL
    temperature = Cpt(EpicsSignalRO, "TemperatureK", kind="config")  # K
    acquire = Cpt(Setpoint, "Acquire", kind="omitted")
    sample_now = Cpt(Setpoint, "Trigger", kind="omitted")
    acquiring = Cpt(EpicsSignalRO, "Acquiring", string=True, kind="omitted")
    last_sample = Cpt(EpicsSignalRO, "LastSample", kind="omitted")  # instrument time, s
    clock = Cpt(EpicsSignalRO, "Time", kind="omitted")  # instrument time, s
    pressure = Cpt(EpicsSignalRO, "Pressure", kind="normal")  # headspace, mbar
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")
    locals().update(_channels("normal"))  # last sample's ion current per m/z (A)

    def trigger(self) -> Status:
        """Take one sample now (the gas since the last sample); read() then returns it."""
        return self.sample_now.set(1)

    def kickoff(self) -> Status:
        """Purge the headspace and start sampling."""
        return self.acquire.set(1)

    def complete(self) -> Status:
        """Done once a sample has covered the gas made until now; sampling then stops."""
        now = float(self.clock.get(use_monitor=False))
        done = DeviceStatus(self)

        def sampled(*, value, **kwargs) -> bool:
            return value >= now

        def stop(status) -> None:
            try:
                self.acquire.put(0, wait=True)
            except Exception as exc:  # noqa: BLE001 - report any failure through the status
                done.set_exception(exc)
                return
            if status.success:
                done.set_finished()
            else:
                done.set_exception(status.exception() or RuntimeError("sampling failed"))

        SubscriptionStatus(self.last_sample, sampled).add_callback(stop)
        return done

    def stop(self, *, success: bool = False) -> None:
        self.acquire.put(0, wait=True)

    def describe_collect(self) -> dict:
        return {"dems": self.buffer.describe_keys(DEMS_KEYS)}

    def collect_pages(self) -> Iterator[dict]:
        """Event pages of every sample taken since the last collection."""
        yield from self.buffer.event_pages(DEMS_KEYS)
