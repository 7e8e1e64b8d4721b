"""A bench of fake instruments for plan tests: no IOC, no Channel Access, no RunEngine.

The devices are ophyd's fakes of operando's own device classes
(``ophyd.sim.make_fake_device``), so the plans see the very components they use on the
beamline. Plans are run by bluesky's ``RunEngineSimulator``: it records every message and
answers reads (compliance, status, the cell's potential) and waits from :class:`Bench`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any
from unittest import mock

import bluesky.utils
from bluesky.simulators import RunEngineSimulator
from bluesky.utils import Msg
from ophyd.sim import FakeEpicsSignal, fake_device_cache, make_fake_device

from operando.devices.dems import MassSpectrometer
from operando.devices.instrument import Setpoint
from operando.devices.potentiostat import Potentiostat
from operando.devices.simcontrol import SimControl
from operando.devices.xray import (
    HardXrayCounters,
    HardXrayEndstation,
    Monochromator,
    RixsSpectrograph,
    SampleHolder,
    SoftXrayCounters,
    SoftXrayEndstation,
)
from operando.sample import sample_for

LNMO = sample_for("lnmo", 3.85, 1.54, name="lnmo test")
SOFT_RANGE_EV = (250.0, 1500.0)  # the simulated soft X-ray monochromator's range
HARD_RANGE_EV = (20000.0, 25000.0)


def fake(cls, prefix: str, name: str, **kwargs):
    """An ophyd fake of a device class; operando's Setpoint (an EpicsSignal that reports
    refusals) is faked like EpicsSignal."""
    fake_device_cache.setdefault(Setpoint, FakeEpicsSignal)
    return make_fake_device(cls)(prefix, name=name, **kwargs)


class Bench:
    """Fake instruments and what their read-only signals answer.

    ``values`` maps a signal to what a read of it returns; ``procedure_waits`` is how many
    read-out cycles a procedure takes before the instrument reports it ended.
    """

    def __init__(self) -> None:
        self.pstat = fake(Potentiostat, "X:PSTAT:", "potentiostat")
        self.ms = fake(MassSpectrometer, "X:DEMS:", "mass_spectrometer")
        self.sim = fake(SimControl, "X:SIM:", "sim")
        soft_mono = fake(Monochromator, "X:SXR:Mono", "sxr_energy")
        soft_mono.setpoint.sim_set_limits(SOFT_RANGE_EV)
        self.soft = SoftXrayEndstation(
            soft_mono,
            fake(SoftXrayCounters, "X:SXR:Scaler", "sxr", beam_current_pv="X:SXR:BeamCurrent"),
            fake(RixsSpectrograph, "X:SXR:", "rixs"),
            fake(
                SampleHolder,
                "",
                "sxr_holder",
                motor_pv="X:SXR:Holder",
                sample_pv="X:SXR:Holder:Sample",
            ),  # fmt: skip
        )
        hard_mono = fake(Monochromator, "X:HXR:Mono", "hxr_energy")
        hard_mono.setpoint.sim_set_limits(HARD_RANGE_EV)
        self.hard = HardXrayEndstation(
            hard_mono,
            fake(HardXrayCounters, "X:HXR:Scaler", "hxr", beam_current_pv="X:HXR:BeamCurrent"),
            fake(
                SampleHolder,
                "",
                "hxr_holder",
                motor_pv="X:HXR:Holder",
                sample_pv="X:HXR:Holder:Sample",
            ),  # fmt: skip
        )
        p = self.pstat
        self.values: dict[Any, Any] = {
            p.compliance.max_current: 100.0,  # mA
            p.compliance.v_min: 0.0,  # V
            p.compliance.v_max: 5.5,  # V
            p.status: "Limit reached",
            p.end_reason: "upper cutoff",
            p.ewe: 3.0,  # V: a pristine cell
        }
        self.procedure_waits = 1
        self.messages: list[Msg] = []
        self.return_value: Any = None

    def with_fly_scans(self) -> Bench:
        """Give both endstations fake sweep records (``Fly:``): X-ray plans then fly."""
        from operando.devices.flyscan import HardFlySweep, SoftFlySweep

        for station, cls in ((self.soft, SoftFlySweep), (self.hard, HardFlySweep)):
            station.fly = fake(cls, f"X:{station.name.upper()}:Fly:", f"{station.name}_fly",
                               last_error_pv=f"X:{station.name.upper()}:LastError")  # fmt: skip
        return self

    # --- answers of the simulated RunEngine ---------------------------------------------
    def _read(self, msg: Msg):
        for signal, value in self.values.items():
            if signal is msg.obj:
                return {signal.name: {"value": value, "timestamp": 0.0}}
        return None  # a detector read in trigger_and_read: nothing to answer

    def _wait(self, msg: Msg):
        group = msg.kwargs.get("group") or ""
        if str(group).startswith("procedure-"):
            self._waits_left -= 1
            return self._waits_left <= 0  # done once the procedure has ended
        return True

    def run(
        self,
        plan: Generator[Msg, Any, Any],
        *,
        throw_at: Callable[[Msg], bool] | None = None,
        exception: BaseException | None = None,
    ) -> list[Msg]:
        """Simulate plan; return its messages (also in ``self.messages``).

        With throw_at, the RunEngine's answer to the first message matching it is
        ``exception`` thrown into the plan, as the RunEngine does when a status fails.
        If the plan raises, the exception propagates and ``self.messages`` holds what it
        yielded until then.
        """
        self.messages = []
        self._waits_left = self.procedure_waits
        sim = RunEngineSimulator()
        sim.add_handler("read", self._read)
        sim.add_handler("wait", self._wait)
        with mock.patch.object(bluesky.utils.Plan, "__init__", _plan_without_stack):
            sim.simulate_plan(_recorded(plan, self.messages, throw_at, exception))
        self.return_value = sim.return_value
        return self.messages


def _plan_without_stack(self, f, *args, **kwargs) -> None:
    """bluesky.utils.Plan.__init__ without its stack trace: bluesky formats the stack at
    every plan-stub call (for a "never iterated" warning), about a millisecond each, most of
    the time of simulating a scan of a thousand points. The messages are the same."""
    self._iter = f(*args, **kwargs)
    self._stack = None


def _recorded(plan, log: list[Msg], throw_at, exception) -> Generator[Msg, Any, Any]:
    """plan, recording each message it yields into log; throws exception into it at the
    first message matching throw_at."""
    reply: Any = None
    pending: BaseException | None = None
    while True:
        try:
            msg = plan.send(reply) if pending is None else plan.throw(pending)
        except StopIteration as stop:
            return stop.value
        pending = None
        log.append(msg)
        reply = yield msg
        if throw_at is not None and exception is not None and throw_at(msg):
            pending, throw_at = exception, None


# --- reading a message list -----------------------------------------------------------------


def commands(msgs: list[Msg]) -> list[str]:
    return [m.command for m in msgs]


def index(msgs: list[Msg], predicate: Callable[[Msg], bool], start: int = 0) -> int:
    """Index of the first message from start that matches predicate (ValueError if none)."""
    for k in range(start, len(msgs)):
        if predicate(msgs[k]):
            return k
    raise ValueError("no such message")


def sets_of(msgs: list[Msg], signal) -> list[Any]:
    """Values written to signal, in order."""
    return [m.args[0] for m in msgs if m.command == "set" and m.obj is signal]


def set_index(msgs: list[Msg], signal, start: int = 0) -> int:
    return index(msgs, lambda m: m.command == "set" and m.obj is signal, start)


def is_(command: str, obj: Any = None) -> Callable[[Msg], bool]:
    return lambda m: m.command == command and (obj is None or m.obj is obj)


def start_documents(msgs: list[Msg]) -> list[dict]:
    """The start metadata of every run the plan opened."""
    return [m.kwargs for m in msgs if m.command == "open_run"]
