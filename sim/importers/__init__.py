"""Importers: an engine's configuration turned into an ehrsim topology.

:mod:`.mirth` reads Mirth Connect (NextGen Connect) channel exports, :mod:`.mirth_topology`
maps their destination connectors to ehrsim systems and per-channel strategies, and
:mod:`.topology_yaml` writes the result as a commented, partial scenario file.
"""
