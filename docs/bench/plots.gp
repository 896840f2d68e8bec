set terminal pngcairo size 900,500 noenhanced
set grid
set key outside right
set output 'docs/bench/rate-handshake.png'
set title 'synack-bench handshake: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot 'docs/bench/rate-ring-handshake.dat' using 1:2 with linespoints title 'ring', 'docs/bench/rate-memif-handshake.dat' using 1:2 with linespoints title 'memif', 'docs/bench/rate-linux-handshake.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output 'docs/bench/latency-handshake.png'
set title 'synack-bench handshake: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot 'docs/bench/cdf-ring-handshake.dat' using 1:2 with lines title 'ring', 'docs/bench/cdf-memif-handshake.dat' using 1:2 with lines title 'memif', 'docs/bench/cdf-linux-handshake.dat' using 1:2 with lines title 'linux'
unset logscale x
set output 'docs/bench/rate-close.png'
set title 'synack-bench close: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot 'docs/bench/rate-ring-close.dat' using 1:2 with linespoints title 'ring', 'docs/bench/rate-memif-close.dat' using 1:2 with linespoints title 'memif', 'docs/bench/rate-linux-close.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output 'docs/bench/latency-close.png'
set title 'synack-bench close: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot 'docs/bench/cdf-ring-close.dat' using 1:2 with lines title 'ring', 'docs/bench/cdf-memif-close.dat' using 1:2 with lines title 'memif', 'docs/bench/cdf-linux-close.dat' using 1:2 with lines title 'linux'
unset logscale x
set output 'docs/bench/rate-request.png'
set title 'synack-bench request: connections/s over time'
set xlabel 'second of the run (repetitions back to back)'
set ylabel 'conn/s'
set logscale y
plot 'docs/bench/rate-ring-request.dat' using 1:2 with linespoints title 'ring', 'docs/bench/rate-memif-request.dat' using 1:2 with linespoints title 'memif', 'docs/bench/rate-linux-request.dat' using 1:2 with linespoints title 'linux'
unset logscale y
set output 'docs/bench/latency-request.png'
set title 'synack-bench request: connect latency CDF (SYN -> SYN-ACK)'
set xlabel 'microseconds'
set ylabel 'fraction of connections'
set logscale x
plot 'docs/bench/cdf-ring-request.dat' using 1:2 with lines title 'ring', 'docs/bench/cdf-memif-request.dat' using 1:2 with lines title 'memif', 'docs/bench/cdf-linux-request.dat' using 1:2 with lines title 'linux'
unset logscale x
