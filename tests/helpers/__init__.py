"""Test helpers: miniature archives in each source's real layout and a loopback HTTP mirror."""
