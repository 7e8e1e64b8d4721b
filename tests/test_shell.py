"""The interactive session: configuration file, `operando shell` as a new user drives it,
and the profile loaded the way bluesky-queueserver's worker loads it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from operando.shell import ShellConfig, load_config

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_config_file_is_read_and_checked(tmp_path):
    cfg = tmp_path / "operando.toml"
    cfg.write_text(
        '[store]\ndata = "/tmp/x"\n[beamline]\nprefix = "BL7:"\nca_port = 5070\n'
        '[beamline.prefixes]\npotentiostat = "BL7:BIO1:"\n[beam]\nsettle_s = 30\n'
    )
    config = load_config(cfg)
    assert (config.data, config.prefix, config.ca_port) == ("/tmp/x", "BL7:", 5070)
    assert config.prefixes == {"potentiostat": "BL7:BIO1:"} and not config.simulated
    assert config.beam == {"settle_s": 30.0}
    assert load_config(None).simulated or os.environ.get("OPERANDO_CONFIG")
    for text, message in [
        ("[stor]\n", "unknown section"),
        ("[beamline]\nprefx = 'A:'\n", "unknown keys"),
        ("[simulator]\ntime_scale = 0\n", "time_scale must be > 0"),
        ("[store\n", "not valid TOML"),
        ("[beamline.hard_xray]\nmonochromator = 'X'\n", "unknown keys.*known:.*mono"),
        ("[beamline.soft_xray.channels]\nit = 'IT'\n", "unknown scaler channel roles"),
    ]:
        cfg.write_text(text)
        with pytest.raises(ValueError, match=message):
            load_config(cfg)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")


def test_a_beamline_maps_its_own_x_ray_records(tmp_path):
    """[beamline.hard_xray] names the endstation's motor and scaler records; the
    simulator's names fill in the rest."""
    from operando.devices.xray import EndstationPVs, HardXrayEndstation

    cfg = tmp_path / "operando.toml"
    cfg.write_text(
        '[beamline]\nprefix = "BL7:"\n[beamline.prefixes]\nhard_xray = ""\n'
        '[beamline.hard_xray]\nmono = "BL7:DCM:Energy"\nscaler = "BL7:scaler1"\n'
        '[beamline.hard_xray.channels]\nit = "IT"\n'
    )
    config = load_config(cfg)
    pvs = EndstationPVs.from_config("hard", config.xray_pvs["hard_xray"])
    assert pvs.channels == {"i0": "I0", "it": "IT", "iref": "Iref"}
    station = HardXrayEndstation.at("", pvs)
    assert station.mono.user_setpoint.pvname == "BL7:DCM:Energy.VAL"
    assert station.counters.channels.chan02.s.pvname == "BL7:scaler1.S2"
    assert station.counters.preset_time.pvname == "BL7:scaler1.TP"
    assert station.holder.slot.user_readback.pvname == "Holder.RBV"


@pytest.mark.slow
def test_shell_charges_a_cell_as_the_readme_says(tmp_path):
    """The README's shell session, typed into `operando shell` (stdin is not a terminal)."""
    (tmp_path / "operando.toml").write_text("[simulator]\ntime_scale = 50000\n")
    typed = "\n".join([
        "cell = new_cell('lnmo', mass_mg=3.85)",
        "RE(galvanostatic(potentiostat, cell, cutoff_V=4.8, c_rate=0.1))",
        "print('CHARGE', run_summary.summary['charge_capacity_mAh_g'])",
        "print('STORED', len(catalog), db[-1].start['plan_name'])",
        "plots.save('live.png')",
        "galvanostatic(potentiostat, cell, cutoff_V=-1, c_rate=0.1)",
        "exit",
    ]) + "\n"  # fmt: skip
    shell = subprocess.run(
        [sys.executable, "-m", "operando.cli", "shell"], input=typed, cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = shell.stdout
    assert shell.returncode == 0, shell.stderr[-2000:]
    assert "operando: simulated beamline (time x50000)" in out  # the banner
    charge = float(out.split("CHARGE ")[1].split()[0])
    assert charge == pytest.approx(300, abs=20)  # mAh/g, LNMO at C/10 to 4.8 V
    assert "STORED 1 galvanostatic" in out
    assert (tmp_path / "live.png").stat().st_size > 10_000
    # A refusal, before anything moved: its message, no traceback.
    assert "refused: cutoff_V must be a positive number (V) and finite, got -1" in shell.stderr
    assert "Traceback" not in out
    assert "100 % to 4.80 V" in shell.stderr  # the progress line


@pytest.mark.slow
def test_profile_loads_in_the_queueserver_worker(tmp_path, monkeypatch):
    profile_ops = pytest.importorskip("bluesky_queueserver.manager.profile_ops")
    config = tmp_path / "operando.toml"
    config.write_text(f'[store]\ndata = "{tmp_path / "data"}"\n[simulator]\ntime_scale = 50000\n')
    monkeypatch.setenv("OPERANDO_CONFIG", str(config))
    nspace = profile_ops.load_profile_collection(str(REPO / "profile" / "startup"))
    try:
        existing = profile_ops.existing_plans_and_devices_from_nspace(nspace=nspace)
        plans, devices = existing[0], existing[1]
        assert {"galvanostatic", "charge_and_measure", "xas_series", "dems_cycling"} <= set(plans)
        assert {"potentiostat", "mass_spectrometer"} <= set(devices)
        assert "RE" in nspace and "db" in nspace
    finally:
        nspace["session"].close()


@pytest.mark.slow
def test_shell_namespace_uses_the_configured_beam_policy(tmp_path):
    from operando.shell import start

    ns = start(ShellConfig(data=str(tmp_path / "data"), time_scale=50000, beam={"settle_s": 0}),
               plots=False)  # fmt: skip
    try:
        assert ns["soft_xray"].beam.settle_s == 0 and ns["hard_xray"].beam.suspend_below_mA == 100
        assert ns["plots"] is None and callable(ns["charge_and_measure"])
        assert "try:" in ns["banner"] and "galvanostatic" in ns["banner"]
    finally:
        ns["session"].close()
