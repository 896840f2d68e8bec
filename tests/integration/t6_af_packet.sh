#!/usr/bin/env bash
# Real peer 6 (net_af_packet): tests 1 and 2 again over net_af_packet on a veth pair into the
# namespace (run_over_veth.sh, lib.sh's start_veth_pair). Ends with "N passed, N failed".
exec bash "$(dirname "$0")/run_over_veth.sh" af_packet
