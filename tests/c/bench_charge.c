/* make bench-c: a million charges (10 rounds of 100,000, each on a fresh book) through
 * creditbook_book_charge, timed with clock_gettime, as ffi/benches/charge_loop.rs times the same
 * charges through Book::charge from Rust. Both use the embedded store, an account with a large
 * limit, 12.50 per charge and operation ids made before the clock starts; the difference is the
 * cost of the C boundary (argument checks and conversions, the outcome struct, the panic
 * boundary). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "creditbook.h"

#ifndef CHARGES
#define CHARGES 100000
#endif
#ifndef ROUNDS
#define ROUNDS 10
#endif

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* One round: `charges` charges on a fresh book; returns ns per charge. `with_outcome` asks for the
 * outcome struct (invoice, due date, balance changes), which the Rust loop does not compute. */
static double round_ns(char (*ids)[24], int round, int with_outcome) {
    const int64_t at = 1767625200; /* 2026-01-05T15:00:00Z, as the Rust bench */
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    if (creditbook_settings_new("Bench", "CAD", "America/Toronto", &settings) != 0 ||
        creditbook_book_new(settings, NULL, &book) != 0)
        exit(1);
    creditbook_settings_free(settings);
    creditbook_customer customer = {"c1", "Bench Customer", NULL, NULL, {NULL, 0, NULL, NULL, NULL, NULL}};
    creditbook_operation open = {"open", at, NULL, 0};
    if (creditbook_book_open_account(book, "C-1", granting(&open), &customer, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                     1000000000000000000, CREDITBOOK_TERMS_KIND_STORE, 0, NULL) != 0)
        exit(1);
    for (int n = 0; n < CHARGES; n++) snprintf(ids[n], sizeof ids[n], "op-%d-%d", round, n);
    creditbook_operation op = {NULL, at, NULL, 0};
    creditbook_outcome out;
    creditbook_outcome *out_p = with_outcome ? &out : NULL;
    double start = now_ns();
    for (int n = 0; n < CHARGES; n++) {
        op.op_id = ids[n];
        if (creditbook_book_charge(book, "C-1", &op, 1250, NULL, NULL, NULL, out_p) != 0) exit(1);
    }
    double ns = (now_ns() - start) / CHARGES;
    creditbook_book_free(book);
    return ns;
}

int main(void) {
    char (*ids)[24] = malloc(sizeof(*ids) * CHARGES);
    if (ids == NULL) return 1;
    double plain[ROUNDS], with_outcome[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) { /* the two kinds alternate, round by round */
        plain[round] = round_ns(ids, round, 0);
        with_outcome[round] = round_ns(ids, round, 1);
    }
    qsort(plain, ROUNDS, sizeof plain[0], by_value);
    qsort(with_outcome, ROUNDS, sizeof with_outcome[0], by_value);
    printf("c: %d rounds of %d charges: median %.1f ns, best %.1f ns per charge\n", ROUNDS, CHARGES,
           plain[ROUNDS / 2], plain[0]);
    printf("c, with the outcome struct: median %.1f ns, best %.1f ns per charge\n",
           with_outcome[ROUNDS / 2], with_outcome[0]);
    free(ids);
    return 0;
}
