"""Dunning rules in plain Python: stdlib only, never imports odoo."""
