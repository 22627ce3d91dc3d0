"""The learner's side, shared by every front end: workspace.py (kata files and the state file
that records progress) and progress.py (which kata the learner is on, which to work on now)."""
