"""Reporting: statistics over seeds, tables and figures for the thesis."""
