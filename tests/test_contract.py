"""docs/instrument-contract.md and `operando sim --list-pvs` agree: every PV the contract
names is served by the simulator, with the record type and units the contract gives."""

import pathlib
import re

from operando.cli import main
from operando.sim.ioc.pvlist import list_pvs

DOC = pathlib.Path(__file__).parents[1] / "docs" / "instrument-contract.md"


def _contract_pvs() -> dict[str, tuple[str, str]]:
    out, section = {}, None
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            section = {"## Potentiostat": "PSTAT:", "## Mass spectrometer": "DEMS:"}.get(
                next((k for k in ("## Potentiostat", "## Mass spectrometer") if
                      line.startswith(k)), ""), None)  # fmt: skip
        if section and line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for name in re.findall(r"`([A-Za-z0-9:]+)`", cells[0]):
                out[section + name] = (cells[1].split()[0], cells[2])
    return out


def test_every_contract_pv_is_served_with_its_type_and_units():
    served = {n: (r, u or "-") for n, r, u, _ in list_pvs("")}
    contract = _contract_pvs()
    assert len(contract) > 60
    for name, (record, units) in contract.items():
        assert name in served, name
        assert served[name][0] == record, (name, served[name], record)
        assert served[name][1] == units, (name, served[name], units)


def test_list_pvs_command(capsys):
    assert main(["sim", "--list-pvs", "--prefix", "BL7:"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line.split("\t")) == 4 for line in lines)
    names = {line.split("\t")[0] for line in lines}
    assert {"BL7:PSTAT:DoneSeq", "BL7:DEMS:Buf:MZ44", "BL7:SIM:TimeScale"} <= names
