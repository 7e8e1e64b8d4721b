"""The simulated beamline's caproto IOC: PV groups over the models, and its launcher."""
