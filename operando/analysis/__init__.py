"""Analysis: pure functions that hold the science, and live callbacks that wrap them."""
