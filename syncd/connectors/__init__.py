"""Connectors: one package per vendor behind the interface in :mod:`syncd.connectors.base`."""
