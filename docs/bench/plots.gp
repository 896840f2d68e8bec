set terminal pngcairo size 900,500 noenhanced
set grid
set key outside right
set output '/tmp/full2-plots/rate-handshake.png'
set title 'synack-bench handshake: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot '/tmp/full2-plots/rate-ring-handshake.dat' using 1:2 with linespoints title 'ring', '/tmp/full2-plots/rate-memif-handshake.dat' using 1:2 with linespoints title 'memif', '/tmp/full2-plots/rate-linux-handshake.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output '/tmp/full2-plots/latency-handshake.png'
set title 'synack-bench handshake: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot '/tmp/full2-plots/cdf-ring-handshake.dat' using 1:2 with lines title 'ring', '/tmp/full2-plots/cdf-memif-handshake.dat' using 1:2 with lines title 'memif', '/tmp/full2-plots/cdf-linux-handshake.dat' using 1:2 with lines title 'linux'
unset logscale x
set output '/tmp/full2-plots/rate-close.png'
set title 'synack-bench close: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot '/tmp/full2-plots/rate-ring-close.dat' using 1:2 with linespoints title 'ring', '/tmp/full2-plots/rate-memif-close.dat' using 1:2 with linespoints title 'memif', '/tmp/full2-plots/rate-linux-close.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output '/tmp/full2-plots/latency-close.png'
set title 'synack-bench close: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot '/tmp/full2-plots/cdf-ring-close.dat' using 1:2 with lines title 'ring', '/tmp/full2-plots/cdf-memif-close.dat' using 1:2 with lines title 'memif', '/tmp/full2-plots/cdf-linux-close.dat' using 1:2 with lines title 'linux'
unset logscale x
set output '/tmp/full2-plots/rate-request.png'
set title 'synack-bench request: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot '/tmp/full2-plots/rate-ring-request.dat' using 1:2 with linespoints title 'ring', '/tmp/full2-plots/rate-memif-request.dat' using 1:2 with linespoints title 'memif', '/tmp/full2-plots/rate-linux-request.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output '/tmp/full2-plots/latency-request.png'
set title 'synack-bench request: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot '/tmp/full2-plots/cdf-ring-request.dat' using 1:2 with lines title 'ring', '/tmp/full2-plots/cdf-memif-request.dat' using 1:2 with lines title 'memif', '/tmp/full2-plots/cdf-linux-request.dat' using 1:2 with lines title 'linux'
unset logscale x
