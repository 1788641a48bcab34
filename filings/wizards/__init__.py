"""Guided, multi-step application forms, one flow per application kind."""
