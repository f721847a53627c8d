"""Pictures of the graph: map payloads for vis-network, offline map files and charts."""
