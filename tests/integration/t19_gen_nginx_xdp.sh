#!/usr/bin/env bash
# synack-gen against nginx and python (t15) over net_af_xdp on a veth pair into the namespace.
exec bash "$(dirname "$0")/t15_gen_nginx.sh" af_xdp
