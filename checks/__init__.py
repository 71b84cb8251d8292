"""Executable blocks: header grammar, extraction, running, reporting.

Imports nothing from generator.
"""
