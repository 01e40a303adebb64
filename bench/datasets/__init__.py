"""Data sets for the matching benchmarks: our generators and public sets, with their truth (see sources.py)."""
