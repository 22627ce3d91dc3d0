"""Hostile submissions: each test is an attack with the verdict it must get and proof that nothing escaped."""
