"""The agency's pages (case handlers, Vergekontroll, heirs in Digitalt dødsbo): ``create_app`` in ``app``."""
