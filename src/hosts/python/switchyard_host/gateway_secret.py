"""The instance's secret: only the Switchyard gateway (and the server's probes) present it.

The server writes a fresh secret for every start of an instance into a file readable only by that
instance (and the server), and names the file in SWITCHYARD_INSTANCE_SECRET_FILE. The host reads it
once, before the scoring script loads, and from then on refuses every request whose
`x-switchyard-instance-secret` header does not match (compared in constant time); the header never
reaches run(). Without the variable (the host run by hand) every request is served.
"""
import os


def read_secret(environ):
    """The secret as bytes, or None when no file is named. Exits when the file cannot be read."""
    path = environ.get("SWITCHYARD_INSTANCE_SECRET_FILE")
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            secret = f.read().strip()
    except OSError as e:
        raise SystemExit("switchyard host: cannot read the instance secret %s: %s" % (path, e))
    if len(secret) < 32:
        raise SystemExit("switchyard host: the instance secret in %s is too short" % path)
    # The scoring script has no use for it; subprocesses it starts should not inherit the name either.
    os.environ.pop("SWITCHYARD_INSTANCE_SECRET_FILE", None)
    return secret
