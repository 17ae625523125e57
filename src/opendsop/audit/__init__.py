"""Audit: the append-only, tamper-evident record of every DSOP decision a party takes."""
