"""CertPub as its callers see it: participant and process identifiers, the certificate checks, the client.

The CertPub stand-in (``opendsop.certpub``) serves the directory; a bank finds, checks and caches
an agency's encryption certificate with ``client.CertPubClient``.
"""
