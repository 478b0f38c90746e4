// A native build of the zff demo's own soup, for timing and hashing beside alife (scripts/bench_zff.py).
// Build (zff is MIT: github.com/znah/zff; this file is ours): see scripts/bench_zff.py.
// zff_native SEED BATCHES: ms per batch on stderr, the 640000-byte soup on stdout.
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
void init(int seed); int prepare_batch(void); int absorb_batch(void); void mutate(int n);
uint8_t* get_batch(void); uint8_t* get_wbatch(void); uint8_t* get_soup(void);
int run(int pair_n, int step_n);
int main(int argc, char** argv) {
  int seed = atoi(argv[1]), batches = atoi(argv[2]);
  init(seed);
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  long long ops = 0;
  for (int e = 0; e < batches; e++) {
    int n = prepare_batch();
    for (int c = 0; c < n; c += 2048) {  // as zff's workers: each a slice (its write_count
      int m = n - c < 2048 ? n - c : 2048;  // buffer overflows past 4096 pairs)
      memcpy(get_wbatch(), get_batch() + (size_t)c * 32, (size_t)m * 32);
      ops += run(m, 128);
      memcpy(get_batch() + (size_t)c * 32, get_wbatch(), (size_t)m * 32);
    }
    absorb_batch();
    mutate((int)(n * (1.0 / 16)));
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  fprintf(stderr, "%d batches %.3f s: %.2f ms/batch, %lld ops, %.1f M ops/s\n", batches, s,
          1000 * s / batches, ops, ops / s / 1e6);
  fwrite(get_soup(), 1, 640000, stdout);
  return 0;
}
