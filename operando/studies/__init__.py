"""Whole experiments and what is done with stored runs: cycling, DEMS, X-ray series,
electrode preparation, the demo, replay and reports. Commands and the shell call these."""
