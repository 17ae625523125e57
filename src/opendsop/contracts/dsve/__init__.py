"""DSVE and company founding: what the parties share (ZIP transport, signed documents, clients)."""
