"""The national registers as every party reads them: models, typed clients, errors, scopes, facts.

The register stand-ins (``opendsop.registers``) serve these models; a bank, an agency or a test
reads them through the client Protocols (``Folkeregister``, ``Konkursregister``, ``Enhetsregister``)
with the httpx clients or the stand-ins' in-memory twins, and turns them into the rules core's
``Facts`` with ``facts``.
"""
