# GFLOP/s per shape and contestant, one panel per thread count.
# gnuplot -e "prefix='build/bench/results/gflops'; out='docs/benchmarks.png'" benchmarks/plot.gp
set terminal pngcairo size 1400,1000 font ",10"
set output out
set multiplot layout 2,1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside right top vertical
set ylabel "GFLOP/s (higher is better)"
set grid ytics
set yrange [0:*]
files = system("ls ".prefix."-*t.dat")
colors = "#6a3d9a #cab2d6 #9e9ac8 #dadaeb #1f78b4 #a6cee3 #33a02c #b2df8a #e31a1c #fb9a99 #ff7f00"
do for [f in files] {
  threads = system("basename ".f." .dat | sed 's/.*-//; s/t$//'")
  set title "Shared-weight image filter (two conv 5x5 32->32 + bias + relu layers, two images), ".threads." thread(s)"
  plot for [i=2:12] f using i:xtic(1) title columnhead(i) linecolor rgb word(colors, i - 1)
}
unset multiplot
