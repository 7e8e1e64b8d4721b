"""Write spectra as an Athena project (.prj) with larch's AthenaProject.

Public API: :func:`write_athena`.

Each spectrum becomes one Athena group labelled by its sample name, holding energy (eV), mu
and I0; element and edge are set from the spectrum, and the group says how mu was made
(transmission ln(I0/It): Athena's ``ln`` flag; fluorescence FY/I0: numerator/denominator),
so that :func:`operando.io.xas_files.read_spectrum` reads the detection mode back.
larch's pre-edge parameters (E0, edge step) are filled as Athena expects.
What an Athena project cannot carry: the raw counters other than I0 (It, Iref, TEY, FY),
the cell state per point, units (Athena assumes eV), the run's start metadata beyond a title.
"""

from __future__ import annotations

import pathlib

import numpy as np


def write_athena(spectra: list, path: pathlib.Path, title: str = "") -> pathlib.Path:
    """One Athena project of ``spectra`` (:class:`~operando.io.xdi_write.ExportSpectrum`);
    group labels are made unique (a number appended) when two spectra share a name."""
    from larch import Group
    from larch.io import create_athena

    project = create_athena(str(path))
    seen: dict[str, int] = {}
    for s in spectra:
        label = s.name
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        energy = np.asarray(s.energy_eV, float)
        mu = np.asarray(s.mu, float)
        good = np.isfinite(energy) & np.isfinite(mu)
        group = Group(__name__=label, filename=label, energy=energy[good], mu=mu[good])
        if "i0" in s.columns:
            group.i0 = np.asarray(s.columns["i0"][0], float)[good]
        if s.element:
            group.atsym = s.element
        if s.edge:
            group.edge = s.edge
        before = set(project.groups)
        project.add_group(group)
        (key,) = set(project.groups) - before
        args = project.groups[key].args
        args["label"] = label
        if s.mu_column == "mutrans":
            args.update(ln="1", numerator="i0", denominator="it")
        elif s.mu_column == "mufluor":
            args.update(ln="0", numerator="ifluor", denominator="i0")
        if title:
            args["titles"] = ["titles", title]
    project.save(str(path))
    return pathlib.Path(path)
