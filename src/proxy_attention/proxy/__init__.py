"""Proxy Attention: selection, proxy images, the replacement overlay and step artifacts."""
