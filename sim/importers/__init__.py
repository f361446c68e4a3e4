"""Importers: an engine's configuration turned into an ehrsim topology.

For Mirth Connect: :mod:`.mirth` reads channel exports into :mod:`.mirth_model`'s records,
:mod:`.mirth_ids` names the systems, :mod:`.mirth_topology` maps each destination connector's
queue settings to an ehrsim system and strategy, and :mod:`.topology_yaml` writes the result as
a commented, partial scenario file.
"""
