"""What tests using caproto's sync client share."""

# s: each sync-client call searches afresh; on a loaded 2-core machine (pytest -n 2) give
# the IOC time (caproto's default is 1 s). A refused put still fails at once (ECA_PUTFAIL).
CA_TIMEOUT_S = 20.0
