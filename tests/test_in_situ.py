"""In situ Ru K XANES: parameters checked before anything moves. (The protocol itself runs in
the demo; tests/test_demo.py checks its valence through the cycle and the unbroken
potentiostat record.)"""

from __future__ import annotations

import pytest

from operando.plans.in_situ import in_situ_xas_cycling
from operando.sample import sample_for

SLOWER = 2500.0  # a C/10 cycle (~18 h) then lasts ~26 s: several scans per half-cycle


def test_in_situ_parameters_are_checked_before_anything_moves(session):
    cell = sample_for("lnro", 3.85, 1.54)
    with pytest.raises(ValueError, match="not the hard one"):
        in_situ_xas_cycling(session.potentiostat, session.hard_xray, cell, c_rate=0.1, edge="ni-l")
    with pytest.raises(ValueError, match="c_rate must be a positive number"):
        in_situ_xas_cycling(session.potentiostat, session.hard_xray, cell, c_rate=-1)
